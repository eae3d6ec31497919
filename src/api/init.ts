// Deterministic parameter initialisers (PyTorch's distributions, our own seeded generator).
import { type Tensor, tensor } from '../ir/tensor.ts';
import { numel, type Shape } from '../ir/types.ts';

/** A seeded uniform generator on [0, 1) (mulberry32): the same seed gives the same weights. */
export class Rng {
  private state: number;
  constructor(seed = 0x5eed) {
    this.state = seed >>> 0;
  }
  /** Next uniform number in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Standard normal (Box–Muller). */
  normal(): number {
    const u = 1 - this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }
}

/** Produces a parameter's initial value. */
export type Init = (shape: Shape, rng: Rng) => Tensor;

/** U(-bound, bound): PyTorch's Linear/RNN default is bound = 1/sqrt(fan_in). */
export function uniform(bound: number): Init {
  return (shape, rng) => tensor('f32', shape, Float32Array.from({ length: numel(shape) }, () => (2 * rng.next() - 1) * bound));
}

/** N(0, 1): PyTorch's Embedding default. */
export const normal: Init = (shape, rng) => tensor('f32', shape, Float32Array.from({ length: numel(shape) }, () => rng.normal()));

/** All ones (LayerNorm weight). */
export const ones: Init = (shape) => tensor('f32', shape, new Float32Array(numel(shape)).fill(1));

/** All zeros (LayerNorm bias). */
export const zeros: Init = (shape) => tensor('f32', shape);
