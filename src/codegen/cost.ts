// The cost model every backend consults: how much work a node is, whether a node is worth a
// vectorised kernel rather than the TS kernel, and whether its work is worth splitting across
// threads. One place, so the backends never re-derive these decisions on their own.
import type { Node } from '../ir/graph.ts';
import { type TensorType, numel } from '../ir/types.ts';

/** Work of one node: floating-point operations and bytes moved (reads + writes, once each). */
export interface NodeCost {
  readonly flops: number;
  readonly bytes: number;
}

const BYTES = { f32: 4, i32: 4, i64: 8, bool: 1 } as const;

/** Multiply-adds of a contraction of `inputs` producing `out` (2 FLOPs each). */
function contractionFlops(n: Node, inputs: readonly TensorType[], out: TensorType): number {
  if (n.op !== 'matmul' && n.op !== 'gemm') return 0;
  const a = inputs[0]!.shape;
  const k = n.attrs.transA ? a[a.length - 2] ?? a[0]! : a[a.length - 1]!;
  return 2 * numel(out.shape) * k;
}

/** Contractions inside a recurrent layer: input and hidden projections at every step. */
function recurrentFlops(n: Node, inputs: readonly TensorType[]): number {
  if (n.op !== 'rnn' && n.op !== 'lstm' && n.op !== 'gru') return 0;
  const [seq, batch, input] = inputs[0]!.shape as [number, number, number];
  const gates = n.op === 'lstm' ? 4 : n.op === 'gru' ? 3 : 1;
  const dirs = n.attrs.direction === 'bidirectional' ? 2 : 1;
  const h = n.attrs.hidden;
  return 2 * dirs * seq * batch * gates * h * (input + h);
}

/**
 * Multiply-adds of a convolution (2 FLOPs each): conv, every output over its group's channels x
 * taps (w [OC, C/g, ...]); convTranspose, every input over its group's outputs x taps (w [C, OC/g, ...]).
 */
function convFlops(n: Node, inputs: readonly TensorType[], out: TensorType): number {
  if (n.op !== 'conv' && n.op !== 'convTranspose') return 0;
  const w = inputs[1]!.shape;
  return 2 * (n.op === 'conv' ? numel(out.shape) : numel(inputs[0]!.shape)) * numel(w.slice(1));
}

/** Estimated work of node `n` with operand types `inputs`. */
export function nodeCost(n: Node, inputs: readonly TensorType[]): NodeCost {
  const outs = n.outputs.map((o) => o.type);
  const bytes = [...inputs, ...outs].reduce((s, t) => s + numel(t.shape) * BYTES[t.dtype], 0);
  let flops = contractionFlops(n, inputs, outs[0]!) + recurrentFlops(n, inputs) + convFlops(n, inputs, outs[0]!);
  if (n.op === 'attention') {
    const a = n.attrs;
    flops = 2 * a.batch * a.heads * a.seqQ * a.seqK * (a.headDim + a.valueDim);
  }
  if (flops === 0) flops = outs.reduce((s, t) => s + numel(t.shape), 0);
  return { flops, bytes };
}

/**
 * Below this many output elements a vectorised kernel gains nothing over the TS kernel on views of
 * the same memory: four lanes need at least a few vectors before the call and tail pay off.
 */
export const MIN_VECTOR_ELEMENTS = 8;

/** Whether a node with an accepted vector kernel should use it (over the TS kernel). */
export function worthVectorising(n: Node): boolean {
  return n.outputs.reduce((s, o) => s + numel(o.type.shape), 0) >= MIN_VECTOR_ELEMENTS;
}

/**
 * Work below which a kernel runs on the calling thread alone: a fork/join costs 0.4 µs with
 * spinning workers and 16–19 µs with sleeping ones (../shared/WASM-FACTS.md), and one thread does
 * about 40 GFLOP/s, so under ~1 MFLOP (about 25 µs) the split cannot pay for itself.
 */
export const MIN_SPLIT_FLOPS = 1_000_000;

/** How many shares of `threads` a kernel of `cost` and `units` work units should run in. */
export function sharesFor(cost: NodeCost, units: number, threads: number): number {
  if (threads <= 1 || units <= 1) return 1;
  if (cost.flops + cost.bytes / 4 < MIN_SPLIT_FLOPS) return 1;
  return Math.min(threads, units);
}
