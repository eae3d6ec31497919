// The wasm attention family against the interpreter: dense, head-split (packed QKV, merged
// output), causal with weights, additive masks with fully masked rows, ragged long sequences;
// full unit range and split into ranges, at both SIMD levels.
import { describe, expect, it } from 'vitest';
import { attentionFamily } from '../../src/codegen/wasm/kernels/attention.ts';
import { f32 } from '../../src/ir/tensor.ts';
import { numel, tensorType } from '../../src/ir/types.ts';
import type { OpAttrs } from '../../src/ops/attrs.ts';
import { checkFamily, oneNode, randomInputs } from './rows-harness.ts';

type Attn = OpAttrs['attention'];
const dense = (s: number[]) => ({ offset: 0, strides: s });
const strides = (shape: number[]) => shape.map((_, d) => shape.slice(d + 1).reduce((x, y) => x * y, 1));

/** Dense attention of the given sizes (Q, K, V, out all [b, h, n, e] row-major). */
function denseAttn(b: number, h: number, nq: number, nk: number, d: number, dv: number, extra: Partial<Attn> = {}): Attn {
  return {
    batch: b, heads: h, seqQ: nq, seqK: nk, headDim: d, valueDim: dv, scale: 1 / Math.sqrt(d), causal: false, weights: false,
    q: dense(strides([b, h, nq, d])), k: dense(strides([b, h, nk, d])), v: dense(strides([b, h, nk, dv])),
    out: { ...dense(strides([b, h, nq, dv])), shape: [b, h, nq, dv] }, ...extra,
  };
}

function graphOf(a: Attn, maskShape?: number[]) {
  const t = (s: number[]) => tensorType('f32', s);
  const ins = [t([a.batch, a.heads, a.seqQ, a.headDim]), t([a.batch, a.heads, a.seqK, a.headDim]), t([a.batch, a.heads, a.seqK, a.valueDim])];
  return oneNode('attention', a, maskShape ? [...ins, t(maskShape)] : ins);
}

describe('wasm attention family', () => {
  it('dense, ragged head and value dims (d % 4 != 0), 1 x 1 and batched', () => {
    for (const a of [denseAttn(1, 1, 5, 7, 6, 3), denseAttn(2, 3, 9, 9, 8, 8), denseAttn(1, 2, 17, 40, 16, 37)]) checkFamily(graphOf(a), attentionFamily);
  });
  it('causal, with the weights output, more queries than keys', () => {
    for (const a of [denseAttn(1, 2, 6, 6, 4, 4, { causal: true, weights: true }), denseAttn(2, 1, 11, 5, 5, 6, { causal: true, weights: true }), denseAttn(1, 1, 33, 33, 8, 12, { causal: true })]) {
      checkFamily(graphOf(a), attentionFamily);
    }
  });
  it('head-split layout: Q, K, V slices of one packed QKV projection, merged-heads output', () => {
    const [n, h, d] = [13, 4, 8];
    const row = 3 * h * d;
    const acc = (o: number) => ({ offset: o, strides: [n * row, d, row, 1] });
    const a: Attn = { ...denseAttn(1, h, n, n, d, d), q: acc(0), k: acc(h * d), v: acc(2 * h * d), out: { offset: 0, strides: [n * h * d, d, h * d, 1], shape: [1, n, h * d] } };
    const t = tensorType('f32', [1, n, row]);
    checkFamily(oneNode('attention', a, [t, t, t]), attentionFamily);
  });
  it('an additive mask through its access (broadcast over heads), fully masked rows give NaN, weights too', () => {
    const a = denseAttn(2, 2, 7, 9, 4, 5, { weights: true, mask: { offset: 0, strides: [63, 0, 9, 1] } });
    const g = graphOf(a, [2, 7, 9]);
    const inputs = randomInputs(g, 4);
    const m = Float32Array.from({ length: 126 }, (_, e) => ((e * 7) % 5 === 0 ? -Infinity : ((e % 9) - 4) / 3));
    m.fill(-Infinity, 9, 18); // batch 0, query 1: every key masked
    inputs.x3 = f32([2, 7, 9], m);
    checkFamily(g, attentionFamily, inputs);
  });
  it('declines layouts whose last dim is strided', () => {
    const a = denseAttn(1, 1, 4, 4, 4, 4);
    const bad = { ...a, k: { offset: 0, strides: [16, 16, 1, 4] } };
    const t = tensorType('f32', [1, 1, 4, 4]);
    expect(attentionFamily.accepts({ node: { op: 'attention', attrs: bad } as never, inputs: [t, t, t], outputs: [t], staticInputs: [false, false, false], simd: 'plain' })).toBe(false);
    expect(numel(t.shape)).toBe(16);
  });
});
