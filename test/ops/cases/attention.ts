// Cases for the fused attention op. Expected values come from a naive per-element computation
// written here (gather by strides, softmax row by row), independent of the op's code.
import { f32 } from '../../../src/ir/tensor.ts';
import { tensorType } from '../../../src/ir/types.ts';
import type { OpAttrs } from '../../../src/ops/attrs.ts';
import { cases } from '../case.ts';

type Attn = OpAttrs['attention'];
const seq = (n: number, k: number): number[] => Array.from({ length: n }, (_, i) => (((i * k) % 13) - 6) / 4);

/** softmax(scale * q.k + mask) v for every (b, h, i), reading and writing through the attrs' strides. */
function naive(a: Attn, q: number[], k: number[], v: number[], mask?: number[]): { out: number[]; weights: number[] } {
  const at = (acc: { offset: number; strides: readonly number[] }, ix: number[]): number => acc.offset + ix.reduce((s, x, d) => s + x * acc.strides[d]!, 0);
  const out = new Array<number>(a.batch * a.heads * a.seqQ * a.valueDim).fill(0);
  const weights: number[] = [];
  for (let b = 0; b < a.batch; b++) for (let h = 0; h < a.heads; h++) for (let i = 0; i < a.seqQ; i++) {
    const s = Array.from({ length: a.seqK }, (_, j) => {
      if (a.causal && j > i) return -Infinity;
      let dot = 0;
      for (let e = 0; e < a.headDim; e++) dot += q[at(a.q, [b, h, i, e])]! * k[at(a.k, [b, h, j, e])]!;
      return dot * a.scale + (mask && a.mask ? mask[at(a.mask, [b, h, i, j])]! : 0);
    });
    const max = Math.max(...s);
    const ex = s.map((x) => Math.exp(x - max));
    const sum = ex.reduce((x, y) => x + y, 0);
    const p = ex.map((x) => x / sum);
    weights.push(...p);
    for (let e = 0; e < a.valueDim; e++) out[at(a.out, [b, h, i, e])] = p.reduce((acc, pj, j) => acc + pj * v[at(a.v, [b, h, j, e])]!, 0);
  }
  return { out, weights };
}

const dense = (s: number[]) => ({ offset: 0, strides: s });
/** Two heads of size 2 over 3 tokens, dense [1,2,3,2] operands. */
const base: Attn = {
  batch: 1, heads: 2, seqQ: 3, seqK: 3, headDim: 2, valueDim: 2, scale: 0.7, causal: false, weights: false,
  q: dense([12, 6, 2, 1]), k: dense([12, 6, 2, 1]), v: dense([12, 6, 2, 1]), out: { ...dense([12, 6, 2, 1]), shape: [1, 2, 3, 2] },
};
const [Q, K, V] = [seq(12, 5), seq(12, 7), seq(12, 3)];
/** The head-split layout: q, k, v live in one [1,3,12] QKV projection; the output is merged heads [1,3,4]. */
const packed: Attn = {
  ...base,
  q: { offset: 0, strides: [36, 2, 12, 1] }, k: { offset: 4, strides: [36, 2, 12, 1] }, v: { offset: 8, strides: [36, 2, 12, 1] },
  out: { offset: 0, strides: [12, 2, 4, 1], shape: [1, 3, 4] },
};
const QKV = seq(36, 5);
const causal: Attn = { ...base, causal: true, weights: true };
const masked: Attn = { ...base, mask: { offset: 0, strides: [0, 0, 3, 1] } };
const M = [0, -1, -Infinity, 0.5, 0, -2, -Infinity, -Infinity, 0];
const t = tensorType;
/** Past the WGSL kernel's blocks: 70 queries (two query blocks), 37 keys (ragged key tiles). */
const long: Attn = {
  batch: 2, heads: 2, seqQ: 70, seqK: 37, headDim: 5, valueDim: 3, scale: 0.45, causal: true, weights: true,
  q: dense([700, 350, 5, 1]), k: dense([370, 185, 5, 1]), v: dense([222, 111, 3, 1]), out: { ...dense([420, 210, 3, 1]), shape: [2, 2, 70, 3] },
  mask: { offset: 0, strides: [2590, 0, 37, 1] },
};
const [LQ, LK, LV] = [seq(1400, 5), seq(740, 7), seq(444, 3)];
// Key 0 is never masked here (the fully masked rows have their own case below).
const LM = seq(5180, 11).map((x, e) => (x < -1.4 && e % 37 !== 0 ? -Infinity : x));
/** Rows of 2049 + 1 elements: too wide to stage in workgroup memory. */
const wide: Attn = {
  ...base, heads: 1, seqQ: 2, headDim: 2049, valueDim: 1, scale: 0.01,
  q: dense([4098, 4098, 2049, 1]), k: dense([6147, 6147, 2049, 1]), v: dense([3, 3, 1, 1]), out: { ...dense([2, 2, 1, 1]), shape: [1, 1, 2, 1] },
};
const [WQ, WK, WV] = [seq(4098, 5), seq(6147, 7), seq(3, 3)];
// Fully masked rows: softmax over keys that are all -Infinity is NaN (PyTorch 1.13's softmax and
// MultiheadAttention give NaN weights and NaN @ V = NaN outputs), on every backend. Each case also
// holds finite rows, which are what WGSL's numeric contract compares.
/** Row 1 masked everywhere, row 0 partly; the weights are an output. */
const maskedRow: Attn = { ...masked, weights: true };
const MR = [0, -Infinity, -1, -Infinity, -Infinity, -Infinity, 0.5, 0, -Infinity];
/** Causal with row 0's only visible key masked: the causal tail of that row is NaN too, not 0. */
const causalMasked: Attn = { ...causal, mask: masked.mask };
const CM = [-Infinity, 0, 0, 0, -Infinity, 0, -1, -Infinity, 0];
/** Long rows over several key tiles: every 9th query row of batch 1 fully masked. */
const LMF = LM.map((x, e) => (e >= 2590 && Math.floor(e / 37) % 9 === 4 ? -Infinity : x));

export const attentionCases = cases([
  { name: 'dense heads', op: 'attention', attrs: base, inputs: [f32([1, 2, 3, 2], Q), f32([1, 2, 3, 2], K), f32([1, 2, 3, 2], V)], expect: [f32([1, 2, 3, 2], naive(base, Q, K, V).out)] },
  {
    name: 'reads heads out of one QKV projection and writes merged heads',
    op: 'attention', attrs: packed,
    inputs: [f32([1, 3, 12], QKV), f32([1, 3, 12], QKV), f32([1, 3, 12], QKV)],
    expect: [f32([1, 3, 4], naive(packed, QKV, QKV, QKV).out)],
  },
  {
    name: 'causal, returning the weights',
    op: 'attention', attrs: causal,
    inputs: [f32([1, 2, 3, 2], Q), f32([1, 2, 3, 2], K), f32([1, 2, 3, 2], V)],
    expect: [f32([1, 2, 3, 2], naive(causal, Q, K, V).out), f32([1, 2, 3, 3], naive(causal, Q, K, V).weights)],
  },
  {
    name: 'additive mask broadcast over batch and heads',
    op: 'attention', attrs: masked,
    inputs: [f32([1, 2, 3, 2], Q), f32([1, 2, 3, 2], K), f32([1, 2, 3, 2], V), f32([3, 3], M)],
    expect: [f32([1, 2, 3, 2], naive(masked, Q, K, V, M).out)],
  },
  {
    name: 'tiles: 70 queries over 37 keys, causal, masked, with the weights',
    op: 'attention', attrs: long,
    inputs: [f32([2, 2, 70, 5], LQ), f32([2, 2, 37, 5], LK), f32([2, 2, 37, 3], LV), f32([2, 1, 70, 37], LM)],
    expect: [f32([2, 2, 70, 3], naive(long, LQ, LK, LV, LM).out), f32([2, 2, 70, 37], naive(long, LQ, LK, LV, LM).weights)],
  },
  {
    name: 'a fully masked row gives NaN outputs and weights',
    op: 'attention', attrs: maskedRow,
    inputs: [f32([1, 2, 3, 2], Q), f32([1, 2, 3, 2], K), f32([1, 2, 3, 2], V), f32([3, 3], MR)],
    expect: [f32([1, 2, 3, 2], naive(maskedRow, Q, K, V, MR).out), f32([1, 2, 3, 3], naive(maskedRow, Q, K, V, MR).weights)],
  },
  {
    name: 'causal with a fully masked row: NaN past the diagonal too',
    op: 'attention', attrs: causalMasked,
    inputs: [f32([1, 2, 3, 2], Q), f32([1, 2, 3, 2], K), f32([1, 2, 3, 2], V), f32([3, 3], CM)],
    expect: [f32([1, 2, 3, 2], naive(causalMasked, Q, K, V, CM).out), f32([1, 2, 3, 3], naive(causalMasked, Q, K, V, CM).weights)],
  },
  {
    name: 'tiles: fully masked rows across key tiles',
    op: 'attention', attrs: long,
    inputs: [f32([2, 2, 70, 5], LQ), f32([2, 2, 37, 5], LK), f32([2, 2, 37, 3], LV), f32([2, 1, 70, 37], LMF)],
    expect: [f32([2, 2, 70, 3], naive(long, LQ, LK, LV, LMF).out), f32([2, 2, 70, 37], naive(long, LQ, LK, LV, LMF).weights)],
  },
  {
    name: 'tiles: rows too wide to stage',
    op: 'attention', attrs: wide,
    inputs: [f32([1, 1, 2, 2049], WQ), f32([1, 1, 3, 2049], WK), f32([1, 1, 3, 1], WV)],
    expect: [f32([1, 1, 2, 1], naive(wide, WQ, WK, WV).out)],
    rtol: 1e-4, atol: 1e-5,
  },
  { name: 'a read outside its input', op: 'attention', attrs: { ...base, q: dense([12, 6, 2, 2]) }, inputs: [t('f32', [1, 2, 3, 2]), t('f32', [1, 2, 3, 2]), t('f32', [1, 2, 3, 2])], error: /q access .* reads outside f32\[1,2,3,2\]/ },
  { name: 'an output written twice', op: 'attention', attrs: { ...base, out: { offset: 0, strides: [12, 6, 2, 0], shape: [1, 2, 3, 2] } }, inputs: [t('f32', [1, 2, 3, 2]), t('f32', [1, 2, 3, 2]), t('f32', [1, 2, 3, 2])], error: /does not fill \[1,2,3,2\] one to one/ },
  { name: 'a mask input without a mask access', op: 'attention', attrs: base, inputs: [t('f32', [1, 2, 3, 2]), t('f32', [1, 2, 3, 2]), t('f32', [1, 2, 3, 2]), t('f32', [3, 3])], error: /mask access and mask input must come together/ },
  { name: 'integer operands', op: 'attention', attrs: base, inputs: [t('i32', [1, 2, 3, 2]), t('f32', [1, 2, 3, 2]), t('f32', [1, 2, 3, 2])], error: /needs f32 inputs/ },
]);
