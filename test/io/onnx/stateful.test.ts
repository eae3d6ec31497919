// LinearAttention and CausalConvWithState against naive loops written here (the recurrence token
// by token in doubles), with grouped queries, a per-head decay, a scalar beta and a past state.
import { describe, expect, it } from 'vitest';
import { tensor, toNumbers } from '../../../src/ir/tensor.ts';
import { importOnnx } from '../../../src/io/onnx/import.ts';
import { interpret } from '../../../src/runtime/interpreter.ts';
import { graph, model, node, value } from './model-builder.ts';

const int = (name: string, i: number) => ({ name, type: 2, i });
const str = (name: string, s: string) => ({ name, type: 3, s: new TextEncoder().encode(s) });
const close = (a: number[], b: number[]) => a.forEach((v, i) => expect(Math.abs(v - b[i]!)).toBeLessThan(1e-5 + 1e-4 * Math.abs(b[i]!)));
// Deterministic values in [-1, 1).
const fill = (n: number, seed: number) => Array.from({ length: n }, (_, i) => Math.sin(seed * 12.9898 + i * 78.233) * 0.9);

describe('ONNX LinearAttention', () => {
  it('gated_delta with 2 query heads per kv head, a per-head decay and a scalar beta matches the naive recurrence', () => {
    const [B, T, hq, hkv, d] = [1, 3, 2, 1, 2];
    const [q, k, v, g, beta, past] = [fill(B * T * hq * d, 1), fill(B * T * hkv * d, 2), fill(B * T * hkv * d, 3), fill(B * T * hkv, 4), fill(B * T, 5).map((x) => (x + 1) / 2), fill(hkv * d * d, 6)];
    const m = model(graph(
      [node('LinearAttention', ['q', 'k', 'v', 'past', 'g', 'beta'], ['o', 's'], [int('q_num_heads', hq), int('kv_num_heads', hkv), str('update_rule', 'gated_delta')])],
      [value('q', [B, T, hq * d]), value('k', [B, T, d]), value('v', [B, T, d]), value('past', [B, hkv, d, d]), value('g', [B, T, hkv]), value('beta', [B, T, 1])],
      [value('o', [B, T, hq * d]), value('s', [B, hkv, d, d])],
    ), 27);
    const out = interpret(importOnnx(m), {
      q: tensor('f32', [B, T, hq * d], q), k: tensor('f32', [B, T, d], k), v: tensor('f32', [B, T, d], v),
      past: tensor('f32', [B, hkv, d, d], past), g: tensor('f32', [B, T, hkv], g), beta: tensor('f32', [B, T, 1], beta),
    });
    // Naive: S [d][d] (one kv head), both query heads read it.
    const S = [[past[0]!, past[1]!], [past[2]!, past[3]!]];
    const want: number[] = [];
    for (let t = 0; t < T; t++) {
      const e = Math.exp(g[t]!);
      for (const row of S) for (let j = 0; j < d; j++) row[j]! *= e;
      const kt = [k[t * d]!, k[t * d + 1]!];
      const vt = [0, 1].map((j) => beta[t]! * (v[t * d + j]! - (S[0]![j]! * kt[0]! + S[1]![j]! * kt[1]!)));
      for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) S[i]![j]! += kt[i]! * vt[j]!;
      for (let h = 0; h < hq; h++) {
        const qt = [q[(t * hq + h) * d]!, q[(t * hq + h) * d + 1]!];
        for (let j = 0; j < d; j++) want.push((qt[0]! * S[0]![j]! + qt[1]! * S[1]![j]!) / Math.sqrt(d));
      }
    }
    close(toNumbers(out.o!), want);
    close(toNumbers(out.s!), S.flat());
  });
});

describe('ONNX CausalConvWithState', () => {
  it('joins the past state, convolves each channel, applies SiLU and keeps the last kernel - 1 steps', () => {
    const [C, L, K] = [2, 4, 3];
    const [x, w, past, bias] = [fill(C * L, 7), fill(C * K, 8), fill(C * (K - 1), 9), [0.25, -0.5]];
    const m = model(graph(
      [node('CausalConvWithState', ['x', 'w', 'b', 'p'], ['y', 's'], [str('activation', 'silu')])],
      [value('x', [1, C, L]), value('w', [C, 1, K]), value('b', [C]), value('p', [1, C, K - 1])], [value('y', [1, C, L]), value('s', [1, C, K - 1])],
    ), 27);
    const out = interpret(importOnnx(m), { x: tensor('f32', [1, C, L], x), w: tensor('f32', [C, 1, K], w), b: tensor('f32', [C], bias), p: tensor('f32', [1, C, K - 1], past) });
    const padded = [0, 1].map((c) => [...past.slice(c * (K - 1), (c + 1) * (K - 1)), ...x.slice(c * L, (c + 1) * L)]);
    const y = [0, 1].flatMap((c) => Array.from({ length: L }, (_, t) => {
      const z = bias[c]! + [0, 1, 2].reduce((s, j) => s + w[c * K + j]! * padded[c]![t + j]!, 0);
      return z / (1 + Math.exp(-z));
    }));
    close(toNumbers(out.y!), y);
    close(toNumbers(out.s!), padded.flatMap((p) => p.slice(L)));
  });
});
