// Fused scaled dot-product attention: softmax(scale * Q K^T + mask) V, per batch and head.
// Q, K, V (and the mask) are read through strided accesses into their inputs, and the result is
// written through one into the output, so head splits, head merges and QKV slices cost nothing.
import { type Tensor, f32 } from '../ir/tensor.ts';
import { type TensorType, formatType, numel, tensorType } from '../ir/types.ts';
import { type Access, accessInBounds, isBijective } from './access.ts';
import type { OpAttrs } from './attrs.ts';
import type { OpDef, OpDefs } from './def.ts';
import { expectAllF32 } from './dtypes.ts';
import { fail } from './util.ts';

type Attrs = OpAttrs['attention'];

/** Logical sizes of each operand: Q [b,h,nq,d], K [b,h,nk,d], V [b,h,nk,dv], mask [b,h,nq,nk], out [b,h,nq,dv]. */
export function attentionSizes(a: Attrs): Record<'q' | 'k' | 'v' | 'mask' | 'out', number[]> {
  const { batch: b, heads: h, seqQ: nq, seqK: nk, headDim: d, valueDim: dv } = a;
  return { q: [b, h, nq, d], k: [b, h, nk, d], v: [b, h, nk, dv], mask: [b, h, nq, nk], out: [b, h, nq, dv] };
}

function checkAccess(what: string, acc: Access, sizes: number[], input: TensorType | undefined): void {
  if (!input) fail(`attention has no input for ${what}`);
  if (!accessInBounds(acc, sizes, numel(input.shape))) {
    fail(`attention ${what} access (offset ${acc.offset}, strides [${acc.strides.join(',')}]) reads outside ${formatType(input)}`);
  }
}

/** Reads operand `what` as a dense logical [b,h,n,e] array of doubles. */
function gatherLogical(t: Tensor, acc: Access, sizes: number[]): Float64Array {
  const out = new Float64Array(numel(sizes));
  const [s0, s1, s2, s3] = acc.strides as [number, number, number, number];
  const src = t.data as Float32Array;
  let k = 0;
  for (let i0 = 0; i0 < sizes[0]!; i0++)
    for (let i1 = 0; i1 < sizes[1]!; i1++)
      for (let i2 = 0; i2 < sizes[2]!; i2++)
        for (let i3 = 0; i3 < sizes[3]!; i3++) out[k++] = src[acc.offset + i0 * s0 + i1 * s1 + i2 * s2 + i3 * s3]!;
  return out;
}

/** The attention probabilities of one query row, stable softmax over the keys (NaN when all are masked). */
function probabilities(scores: Float64Array): void {
  let max = -Infinity;
  for (const s of scores) max = Math.max(max, s);
  let sum = 0;
  for (let j = 0; j < scores.length; j++) sum += (scores[j] = Math.exp(scores[j]! - max));
  for (let j = 0; j < scores.length; j++) scores[j]! /= sum;
}

const attention: OpDef<'attention'> = {
  kind: 'attention',
  groups: ['contraction'],
  arity: { min: 3, max: 4 },
  grad: { none: 'attention is formed by fusion, which runs after differentiation: differentiate the unfused graph' },
  infer(inputs, a) {
    expectAllF32('attention', inputs);
    const sizes = attentionSizes(a);
    if (![a.batch, a.heads, a.seqQ, a.seqK, a.headDim, a.valueDim].every((n) => Number.isInteger(n) && n >= 0)) fail('attention sizes must be non-negative integers');
    checkAccess('q', a.q, sizes.q, inputs[0]);
    checkAccess('k', a.k, sizes.k, inputs[1]);
    checkAccess('v', a.v, sizes.v, inputs[2]);
    if ((a.mask === undefined) !== (inputs[3] === undefined)) fail('attention mask access and mask input must come together');
    if (a.mask) checkAccess('mask', a.mask, sizes.mask, inputs[3]);
    if (numel(a.out.shape) !== numel(sizes.out) || !isBijective(a.out, sizes.out)) {
      fail(`attention output access (strides [${a.out.strides.join(',')}]) does not fill [${a.out.shape.join(',')}] one to one`);
    }
    const outs = [tensorType('f32', a.out.shape)];
    if (a.weights) outs.push(tensorType('f32', sizes.mask));
    return outs;
  },
  evaluate([q, k, v, mask], a, outTypes) {
    const sz = attentionSizes(a);
    const [Q, K, V] = [gatherLogical(q!, a.q, sz.q), gatherLogical(k!, a.k, sz.k), gatherLogical(v!, a.v, sz.v)];
    const M = mask && a.mask ? gatherLogical(mask, a.mask, sz.mask) : undefined;
    const { seqQ: nq, seqK: nk, headDim: d, valueDim: dv } = a;
    const out = new Float32Array(numel(a.out.shape));
    const weights = a.weights ? new Float32Array(numel(sz.mask)) : undefined;
    const [o0, o1, o2, o3] = a.out.strides as [number, number, number, number];
    const scores = new Float64Array(nk);
    for (let bh = 0; bh < a.batch * a.heads; bh++) {
      const [b, h] = [Math.floor(bh / a.heads), bh % a.heads];
      for (let i = 0; i < nq; i++) {
        for (let j = 0; j < nk; j++) {
          let s = 0;
          for (let e = 0; e < d; e++) s += Q[(bh * nq + i) * d + e]! * K[(bh * nk + j) * d + e]!;
          scores[j] = a.causal && j > i ? -Infinity : s * a.scale + (M ? M[(bh * nq + i) * nk + j]! : 0);
        }
        probabilities(scores);
        weights?.set(scores, (bh * nq + i) * nk);
        for (let e = 0; e < dv; e++) {
          let acc = 0;
          for (let j = 0; j < nk; j++) acc += scores[j]! * V[(bh * nk + j) * dv + e]!;
          out[b * o0 + h * o1 + i * o2 + e * o3] = acc;
        }
      }
    }
    const result = [f32(outTypes[0]!.shape, out)];
    if (weights) result.push(f32(sz.mask, weights));
    return result;
  },
};

/** The fused attention op (made by the attention-fusion pass). */
export const attentionOps: OpDefs<'attention'> = { attention };
