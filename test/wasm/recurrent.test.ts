// The wasm recurrent family (rnn, lstm, gru forward) against the interpreter: every direction,
// batch 1 and 3, hidden sizes off the 4- and 16-lane grids, input size unlike hidden, T = 1 and
// 70 (so an error that drifts over the steps shows), gru both ways, rnn relu and tanh, weights
// static (packed once by the prepare function) and weights as plain inputs (packed into scratch
// by the kernel), bidirectional layers split into ranges, both SIMD levels.
import { describe, expect, it } from 'vitest';
import { recurrentFamily } from '../../src/codegen/wasm/kernels/recurrent.ts';
import { type Tensor, f32 } from '../../src/ir/tensor.ts';
import { numel, tensorType } from '../../src/ir/types.ts';
import type { OpAttrs } from '../../src/ops/attrs.ts';
import { buildPrepared, checkPrepared, nodeInfo } from './prepared-harness.ts';
import { Rng, oneNode } from './rows-harness.ts';

type Op = 'rnn' | 'lstm' | 'gru';
const GATES = { rnn: 1, lstm: 4, gru: 3 } as const;
const DIRECTIONS = ['forward', 'reverse', 'bidirectional'] as const;

interface Case {
  readonly op: Op;
  readonly T: number;
  readonly B: number;
  readonly I: number;
  readonly H: number;
  readonly direction: (typeof DIRECTIONS)[number];
  readonly extra?: Partial<OpAttrs['rnn'] & OpAttrs['gru']>;
}

/** The one-node graph of a case and inputs at PyTorch's scales (weights U(-1/sqrt H, 1/sqrt H), x and states in [-1, 1)). */
function build(c: Case, seed: number): { g: ReturnType<typeof oneNode>; inputs: Record<string, Tensor> } {
  const D = c.direction === 'bidirectional' ? 2 : 1;
  const GH = GATES[c.op] * c.H;
  const shapes = [[c.T, c.B, c.I], [D, GH, c.I], [D, GH, c.H], [D, GH], [D, GH], [D, c.B, c.H], ...(c.op === 'lstm' ? [[D, c.B, c.H]] : [])];
  const base = { hidden: c.H, direction: c.direction };
  const attrs = c.op === 'rnn' ? { ...base, activation: 'tanh', ...c.extra } : c.op === 'gru' ? { ...base, linearBeforeReset: true, ...c.extra } : base;
  const g = oneNode(c.op, attrs as never, shapes.map((s) => tensorType('f32', s)));
  const rng = new Rng(seed);
  const inputs: Record<string, Tensor> = {};
  shapes.forEach((s, i) => {
    const scale = i >= 1 && i <= 4 ? 1.5 / Math.sqrt(c.H) : 1;
    inputs[`x${i}`] = f32(s, Float32Array.from({ length: numel(s) }, () => scale * (2 * rng.next() - 1)));
  });
  return { g, inputs };
}

const weightsStatic = (i: number): boolean => i >= 1 && i <= 4;
const nothingStatic = (): boolean => false;

function check(c: Case, seed = 3): void {
  const { g, inputs } = build(c, seed);
  for (const isStatic of [weightsStatic, nothingStatic]) checkPrepared(g, recurrentFamily, inputs, isStatic);
}

describe('wasm recurrent family', () => {
  for (const op of ['rnn', 'lstm', 'gru'] as const) {
    for (const direction of DIRECTIONS) {
      it(`${op} ${direction}: B = 1 and 3, H = 5, 19, 37, I != H, T = 1 and 70`, () => {
        for (const [T, B, I, H] of [[1, 1, 3, 5], [70, 3, 7, 19], [70, 1, 16, 37], [9, 3, 37, 20]] as const) check({ op, T, B, I, H, direction });
      });
    }
  }
  it('lstm and gru, batch 2 and 7 (full and tail row blocks of the projection), H = 23, every direction', () => {
    for (const op of ['lstm', 'gru'] as const) {
      for (const direction of DIRECTIONS) for (const [T, B, I, H] of [[13, 2, 9, 23], [6, 7, 17, 23]] as const) check({ op, T, B, I, H, direction });
    }
  });
  it('rnn relu, every direction', () => {
    for (const direction of DIRECTIONS) check({ op: 'rnn', T: 70, B: 3, I: 6, H: 21, direction, extra: { activation: 'relu' } });
  });
  it('gru without linearBeforeReset (r before the n block projection), every direction', () => {
    for (const direction of DIRECTIONS) {
      for (const [T, B, I, H] of [[1, 1, 3, 5], [70, 3, 7, 19], [70, 1, 12, 33]] as const) check({ op: 'gru', T, B, I, H, direction, extra: { linearBeforeReset: false } });
    }
  });
  it('error does not drift over 128 steps of a 64-unit lstm (B = 1, the benchmark shape scaled down)', () => {
    const { g, inputs } = build({ op: 'lstm', T: 128, B: 1, I: 48, H: 64, direction: 'forward' }, 11);
    expect(checkPrepared(g, recurrentFamily, inputs, weightsStatic)).toBeLessThan(0.5);
  });
  it('prepares packed panels only when W and b are static; one unit per direction', () => {
    const { g, inputs } = build({ op: 'lstm', T: 4, B: 2, I: 5, H: 6, direction: 'bidirectional' }, 1);
    expect(buildPrepared(g, recurrentFamily, 'plain', inputs, weightsStatic).prepared).toBeGreaterThan(0);
    expect(buildPrepared(g, recurrentFamily, 'plain', inputs, nothingStatic).prepared).toBe(0);
    expect(recurrentFamily.units(nodeInfo(g, 'plain', weightsStatic))).toBe(2);
    const uni = build({ op: 'gru', T: 4, B: 2, I: 5, H: 6, direction: 'reverse' }, 1).g;
    expect(recurrentFamily.units(nodeInfo(uni, 'plain', weightsStatic))).toBe(1);
  });
  it('declines an empty sequence', () => {
    const { g } = build({ op: 'rnn', T: 0, B: 2, I: 3, H: 4, direction: 'forward' }, 1);
    expect(recurrentFamily.accepts(nodeInfo(g, 'plain', weightsStatic))).toBe(false);
  });
});
