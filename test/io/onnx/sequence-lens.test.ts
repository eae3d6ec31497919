// Static sequence_lens: each batch row runs over its own length, with zeros after it. Checked
// against the same layer imported without sequence_lens and run on each row's truncated input.
import { describe, expect, it } from 'vitest';
import { type Tensor, tensor } from '../../../src/ir/tensor.ts';
import { importOnnx } from '../../../src/io/onnx/import.ts';
import { encodeModel } from '../../../src/io/onnx/schema.ts';
import { interpret } from '../../../src/runtime/interpreter.ts';

const [T, B, I, H] = [4, 3, 2, 3];
const LENS = [4, 1, 2];
const dims = (d: number[]) => ({ dim: d.map((x) => ({ dimValue: x })) });
const f32Type = (d: number[]) => ({ tensorType: { elemType: 1, shape: dims(d) } });
/** Deterministic values in [-1, 1). */
const values = (n: number, seed: number) => Array.from({ length: n }, (_, i) => ((i * 7919 + seed * 104729) % 2000) / 1000 - 1);

function model(op: 'LSTM' | 'GRU' | 'RNN', direction: string, batch: number, seq: number, lens?: number[]): Uint8Array {
  const G = { LSTM: 4, GRU: 3, RNN: 1 }[op];
  const D = direction === 'bidirectional' ? 2 : 1;
  const init = (name: string, d: number[], seed: number) => ({ name, dims: d, dataType: 1, floatData: values(d.reduce((a, b) => a * b, 1), seed) });
  const initializer = [init('W', [D, G * H, I], 1), init('R', [D, G * H, H], 2), init('B', [D, 2 * G * H], 3)];
  if (lens) initializer.push({ name: 'lens', dims: [lens.length], dataType: 6, int32Data: lens } as never);
  const outs = op === 'LSTM' ? ['Y', 'Y_h', 'Y_c'] : ['Y', 'Y_h'];
  return encodeModel({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'g',
      node: [{ opType: op, name: 'rec', input: ['X', 'W', 'R', 'B', lens ? 'lens' : ''], output: outs, attribute: [
        { name: 'hidden_size', type: 2, i: H },
        { name: 'direction', type: 3, s: new TextEncoder().encode(direction) },
        ...(op === 'GRU' ? [{ name: 'linear_before_reset', type: 2, i: 1 }] : []),
      ] }],
      input: [{ name: 'X', type: f32Type([seq, batch, I]) }],
      output: outs.map((name) => ({ name })),
      initializer,
    },
  });
}

const at = (t: Tensor, idx: number[]): number => {
  let flat = 0;
  for (let k = 0; k < idx.length; k++) flat = flat * t.shape[k]! + idx[k]!;
  return t.data[flat] as number;
};

describe('RNN/LSTM/GRU with static sequence_lens', () => {
  for (const op of ['LSTM', 'GRU', 'RNN'] as const) {
    for (const direction of ['forward', 'reverse', 'bidirectional']) {
      it(`${op} ${direction}`, () => {
        const D = direction === 'bidirectional' ? 2 : 1;
        const xs = values(T * B * I, 9);
        const full = interpret(importOnnx(model(op, direction, B, T, LENS)), { X: tensor('f32', [T, B, I], xs) });
        for (let b = 0; b < B; b++) {
          const len = LENS[b]!;
          const row = Array.from({ length: len * I }, (_, k) => xs[(Math.floor(k / I) * B + b) * I + (k % I)]!);
          const one = interpret(importOnnx(model(op, direction, 1, len)), { X: tensor('f32', [len, 1, I], row) });
          for (let t = 0; t < T; t++) {
            for (let d = 0; d < D; d++) {
              for (let h = 0; h < H; h++) {
                const want = t < len ? at(one.Y!, [t, d, 0, h]) : 0;
                expect(at(full.Y!, [t, d, b, h])).toBe(want);
              }
            }
          }
          for (const state of op === 'LSTM' ? ['Y_h', 'Y_c'] : ['Y_h']) {
            for (let d = 0; d < D; d++) for (let h = 0; h < H; h++) expect(at(full[state]!, [d, b, h])).toBe(at(one[state]!, [d, 0, h]));
          }
        }
      });
    }
  }
});
