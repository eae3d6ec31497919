// The wasm attention family against the interpreter: dense, head-split (packed QKV, merged
// output), causal with weights, additive masks with fully masked rows, long sequences over
// several key tiles (ragged last tile, causal tiles skipped past the diagonal), query counts
// that leave a ragged last block of rows, head and value dims off whole vectors; full unit
// range and split into 2 and 3 shares (each with its own scratch), at both SIMD levels.
import { describe, expect, it } from 'vitest';
import { attentionFamily } from '../../src/codegen/wasm/kernels/attention.ts';
import { MR, TILE, attnPlan } from '../../src/codegen/wasm/kernels/attention-plan.ts';
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
  it('units are blocks of MR query rows per (batch, head); long sequences go by key tiles', () => {
    expect(attentionFamily.units({ node: { op: 'attention', attrs: denseAttn(1, 1, 10, 10, 8, 8) } } as never)).toBe(Math.ceil(10 / MR));
    expect(attentionFamily.units({ node: { op: 'attention', attrs: denseAttn(2, 3, 8, 5, 8, 8) } } as never)).toBe(2 * 3 * (8 / MR));
    expect(attnPlan(denseAttn(1, 1, 4, 1000, 8, 8)).multi).toBe(true);
    expect(attnPlan(denseAttn(1, 1, 4, 1000, 8, 8)).tile).toBe(TILE);
    expect(attnPlan(denseAttn(1, 1, 4, 200, 8, 8)).multi).toBe(false);
    // The weights output keeps every key in one tile.
    expect(attnPlan(denseAttn(1, 1, 4, 1000, 8, 8, { weights: true })).multi).toBe(false);
  });
  it('1 x 1 splits into query blocks; ragged query counts (seqQ % MR != 0)', () => {
    for (const nq of [1, 2, 3, 5, 6, 7, 13]) checkFamily(graphOf(denseAttn(1, 1, nq, 9, 8, 8)), attentionFamily);
  });
  it('long sequences: several key tiles with a ragged last tile (seqK 300, 1000), online softmax', () => {
    for (const a of [denseAttn(1, 2, 6, 300, 16, 12), denseAttn(1, 1, 9, 1000, 8, 5), denseAttn(1, 1, 5, 2 * TILE + 1, 7, 8)]) checkFamily(graphOf(a), attentionFamily);
  });
  it('causal with seqQ != seqK: tiles past a block\'s diagonal skipped, the diagonal tile masked lane by lane', () => {
    for (const a of [denseAttn(1, 2, 300, 300, 8, 8, { causal: true }), denseAttn(1, 1, 37, 290, 6, 7, { causal: true }), denseAttn(2, 1, 290, 37, 5, 9, { causal: true }), denseAttn(1, 1, 7, 3, 4, 4, { causal: true })]) {
      checkFamily(graphOf(a), attentionFamily);
    }
  });
  it('head and value dims off whole vectors (1, 2, 3, 5, 9, 13 floats)', () => {
    for (const [d, dv] of [[1, 2], [2, 3], [3, 1], [5, 9], [13, 13], [9, 6]] as const) checkFamily(graphOf(denseAttn(2, 1, 6, 11, d, dv)), attentionFamily);
  });
  it('masks broadcast over batch and heads, over queries, and strided along keys, across key tiles', () => {
    const [b, h, nq, nk] = [2, 2, 5, 300];
    const cases: [number[], number[]][] = [
      [[nk], [0, 0, 0, 1]], // one key mask for every batch, head and query
      [[b, 1, 1, nk], [nk, 0, 0, 1]], // per batch (padding masks)
      [[nq, nk], [0, 0, nk, 1]], // per query, shared by batches and heads
      [[b, h, nq, 2 * nk], [h * nq * 2 * nk, nq * 2 * nk, 2 * nk, 2]], // every other element along keys
      [[b, h, nq, 1], [h * nq, nq, 1, 0]], // one value per row (stride 0 along keys)
    ];
    for (const [shape, st] of cases) {
      const a = denseAttn(b, h, nq, nk, 8, 8, { mask: { offset: 0, strides: st } });
      const g = graphOf(a, shape);
      const inputs = randomInputs(g, 5);
      const m = inputs.x3!.data as Float32Array;
      for (let e = 0; e < m.length; e++) if (e % 7 === 3) m[e] = -Infinity;
      checkFamily(g, attentionFamily, inputs);
    }
  });
  it('a row masked in some key tiles only, and rows masked in every tile (NaN), causal, over several tiles', () => {
    const [nq, nk] = [6, 400];
    const a = denseAttn(1, 1, nq, nk, 4, 4, { causal: true, mask: { offset: 0, strides: [0, 0, nk, 1] } });
    const g = graphOf(a, [nq, nk]);
    const inputs = randomInputs(g, 6);
    const m = inputs.x3!.data as Float32Array;
    m.fill(-Infinity, 0, nk); // query 0: every key masked -> NaN
    m.fill(-Infinity, nk + 0, nk + 1); // query 1: keys 0 masked, key 1 visible
    checkFamily(g, attentionFamily, inputs);
    const b = denseAttn(1, 1, 4, nk, 4, 4, { mask: { offset: 0, strides: [0, 0, nk, 1] } });
    const g2 = graphOf(b, [4, nk]);
    const in2 = randomInputs(g2, 7);
    const m2 = in2.x3!.data as Float32Array;
    m2.fill(-Infinity, 0, 2 * TILE); // query 0: only the last tile has visible keys
    m2.fill(-Infinity, nk + TILE, 2 * nk); // query 1: only the first tile has visible keys
    checkFamily(g2, attentionFamily, in2);
  });
  it('weights output over a long sequence (one tile of every key), causal, ragged', () => {
    checkFamily(graphOf(denseAttn(1, 2, 7, 301, 6, 5, { weights: true, causal: true })), attentionFamily);
  });
  it('large and infinite scores: +Infinity and NaN inputs give NaN rows as the interpreter', () => {
    const a = denseAttn(1, 1, 5, 300, 4, 4);
    const g = graphOf(a);
    const inputs = randomInputs(g, 8, -40, 40);
    (inputs.x1!.data as Float32Array)[4 * 150] = Infinity; // key 150: +-Inf scores in every row
    (inputs.x0!.data as Float32Array)[4 * 3 + 1] = NaN; // query 3: NaN
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
