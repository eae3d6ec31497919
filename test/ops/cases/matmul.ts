// Cases for the contraction ops (matmul, gemm). Expected values are worked by hand, except one
// batched case checked against the naive index loop below.
import { f32, tensor } from '../../../src/ir/tensor.ts';
import { type DType, type Shape, tensorType } from '../../../src/ir/types.ts';
import { cases } from '../case.ts';

const t = (dtype: DType, shape: Shape) => tensorType(dtype, shape);
const NN = { transA: false, transB: false } as const;
const gemmAttrs = (over: Partial<{ transA: boolean; transB: boolean; alpha: number; beta: number }> = {}) => ({
  transA: false, transB: false, alpha: 1, beta: 1, ...over,
});

// A [2,3] = [[1,2,3],[4,5,6]], B [3,2] = [[7,8],[9,10],[11,12]]: A @ B = [[58,64],[139,154]].
const A = [1, 2, 3, 4, 5, 6];
const AT = [1, 4, 2, 5, 3, 6];
const B = [7, 8, 9, 10, 11, 12];
const BT = [7, 9, 11, 8, 10, 12];
const AB = [58, 64, 139, 154];
// Linear weight W [2,3] (out, in) and bias; x = A gives [[8,23],[8,27.5]].
const W = [1, 0, -1, 0.5, 0.5, 0.5];
const WT = [1, 0.5, 0, 0.5, -1, 0.5];
const I2 = [1, 0, 0, 1];

/** Distinct, exactly representable values for a tensor of n elements. */
const ramp = (n: number, k: number) => Array.from({ length: n }, (_, i) => ((i * k) % 11) - 5);

/**
 * Naive reference for A [2,1,3,4] @ B[3,2,4]^T (transB) -> [2,3,3,2]: batch dims broadcast
 * (A's 1 against B's 3, B's missing dim against A's 2).
 */
function naiveBatchedTransB(a: number[], b: number[]): number[] {
  const out: number[] = [];
  for (let p = 0; p < 2; p++)
    for (let q = 0; q < 3; q++)
      for (let i = 0; i < 3; i++)
        for (let j = 0; j < 2; j++) {
          let s = 0;
          for (let k = 0; k < 4; k++) s += a[p * 12 + i * 4 + k]! * b[q * 8 + j * 4 + k]!;
          out.push(s);
        }
  return out;
}
const BA = ramp(24, 7);
const BB = ramp(24, 5);

export const matmulCases = cases([
  // ── matmul values ──
  { name: '2-D', op: 'matmul', attrs: NN, inputs: [f32([2, 3], A), f32([3, 2], B)], expect: [f32([2, 2], AB)] },
  { name: 'transA', op: 'matmul', attrs: { transA: true, transB: false }, inputs: [f32([3, 2], AT), f32([3, 2], B)], expect: [f32([2, 2], AB)] },
  { name: 'transB', op: 'matmul', attrs: { transA: false, transB: true }, inputs: [f32([2, 3], A), f32([2, 3], BT)], expect: [f32([2, 2], AB)] },
  { name: 'transA and transB', op: 'matmul', attrs: { transA: true, transB: true }, inputs: [f32([3, 2], AT), f32([2, 3], BT)], expect: [f32([2, 2], AB)] },
  { name: '1-D @ 2-D drops M', op: 'matmul', attrs: NN, inputs: [f32([3], [1, 2, 3]), f32([3, 2], B)], expect: [f32([2], [58, 64])] },
  { name: '2-D @ 1-D drops N', op: 'matmul', attrs: NN, inputs: [f32([2, 3], A), f32([3], [1, 2, 0])], expect: [f32([2], [5, 14])] },
  { name: '1-D @ 1-D is a dot product', op: 'matmul', attrs: NN, inputs: [f32([3], [1, 2, 3]), f32([3], [4, 5, 6])], expect: [f32([], [32])] },
  {
    name: 'batched A, 2-D B broadcast',
    op: 'matmul', attrs: NN,
    inputs: [f32([2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8]), f32([2, 2], [0, 1, 1, 0])],
    expect: [f32([2, 2, 2], [2, 1, 4, 3, 6, 5, 8, 7])],
  },
  {
    name: 'batch dims broadcast both ways',
    op: 'matmul', attrs: NN,
    inputs: [f32([2, 1, 1, 2], [1, 2, 3, 4]), f32([3, 2, 1], [1, 1, 1, -1, 2, 0])],
    expect: [f32([2, 3, 1, 1], [3, -1, 2, 7, -1, 6])],
  },
  {
    name: '1-D A against batched B',
    op: 'matmul', attrs: NN,
    inputs: [f32([2], [1, 1]), f32([3, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 1, -1])],
    expect: [f32([3, 2], [4, 6, 12, 14, 1, -1])],
  },
  {
    name: 'batched transB (attention scores)',
    op: 'matmul', attrs: { transA: false, transB: true },
    inputs: [f32([2, 2, 3], [1, 0, 0, 0, 1, 0, 1, 1, 1, 0, 0, 1]), f32([2, 2, 3], [1, 2, 3, 4, 5, 6, 1, 2, 3, 0, 1, 0])],
    expect: [f32([2, 2, 2], [1, 4, 2, 5, 6, 1, 3, 0])],
  },
  {
    name: 'batched broadcast transB against a naive loop',
    op: 'matmul', attrs: { transA: false, transB: true },
    inputs: [f32([2, 1, 3, 4], BA), f32([3, 2, 4], BB)],
    expect: [f32([2, 3, 3, 2], naiveBatchedTransB(BA, BB))],
  },
  { name: 'i32', op: 'matmul', attrs: NN, inputs: [tensor('i32', [2, 2], [1, 2, 3, 4]), tensor('i32', [2, 2], [5, 6, 7, 8])], expect: [tensor('i32', [2, 2], [19, 22, 43, 50])] },
  {
    name: 'i64 beyond 2^32',
    op: 'matmul', attrs: NN,
    inputs: [tensor('i64', [3], [1e6, 2, 3]), tensor('i64', [3], [1e6, 1, 1])],
    expect: [tensor('i64', [], [1000000000005])],
  },
  { name: 'empty inner dim gives zeros', op: 'matmul', attrs: NN, inputs: [f32([2, 0], []), f32([0, 3], [])], expect: [f32([2, 3], [0, 0, 0, 0, 0, 0])] },
  // ── matmul errors ──
  { name: 'inner mismatch', op: 'matmul', attrs: NN, inputs: [t('f32', [2, 3]), t('f32', [4, 5])], error: /inner dimensions differ \(3 vs 4\)/ },
  { name: 'inner mismatch after transB', op: 'matmul', attrs: { transA: false, transB: true }, inputs: [t('f32', [2, 3]), t('f32', [3, 4])], error: /inner dimensions differ \(3 vs 4\)/ },
  { name: 'batch dims do not broadcast', op: 'matmul', attrs: NN, inputs: [t('f32', [2, 2, 3]), t('f32', [3, 3, 2])], error: /batch dimensions do not broadcast.*2 vs 3/ },
  { name: 'dtype mismatch', op: 'matmul', attrs: NN, inputs: [t('f32', [2, 2]), t('i32', [2, 2])], error: /dtypes differ/ },
  { name: 'bool', op: 'matmul', attrs: NN, inputs: [t('bool', [2, 2]), t('bool', [2, 2])], error: /numeric/ },
  { name: 'transA on 1-D', op: 'matmul', attrs: { transA: true, transB: false }, inputs: [t('f32', [3]), t('f32', [3, 2])], error: /transA needs A of rank >= 2/ },
  { name: 'transB on 1-D', op: 'matmul', attrs: { transA: false, transB: true }, inputs: [t('f32', [2, 3]), t('f32', [3])], error: /transB needs B of rank >= 2/ },
  { name: 'scalar operand', op: 'matmul', attrs: NN, inputs: [t('f32', []), t('f32', [3])], error: /rank >= 1/ },
  { name: 'one input', op: 'matmul', attrs: NN, inputs: [t('f32', [2, 2])], error: /expects (at least )?2 inputs, got 1/ },
  // ── gemm values ──
  { name: 'nn.Linear (transB, bias)', op: 'gemm', attrs: gemmAttrs({ transB: true }), inputs: [f32([2, 3], A), f32([2, 3], W), f32([2], [10, 20])], expect: [f32([2, 2], [8, 23, 8, 27.5])] },
  { name: 'Keras Dense (kernel [in,out], no C)', op: 'gemm', attrs: gemmAttrs(), inputs: [f32([2, 3], A), f32([3, 2], WT)], expect: [f32([2, 2], [-2, 3, -2, 7.5])] },
  {
    name: '3-D input with bias',
    op: 'gemm', attrs: gemmAttrs({ transB: true }),
    inputs: [f32([2, 2, 3], [1, 2, 3, 4, 5, 6, -1, -2, -3, 0, 0, 1]), f32([2, 3], W), f32([2], [10, 20])],
    expect: [f32([2, 2, 2], [8, 23, 8, 27.5, 12, 17, 9, 20.5])],
  },
  { name: '1-D input', op: 'gemm', attrs: gemmAttrs({ transB: true }), inputs: [f32([3], [1, 2, 3]), f32([2, 3], W), f32([2], [10, 20])], expect: [f32([2], [8, 23])] },
  { name: 'alpha and beta', op: 'gemm', attrs: gemmAttrs({ alpha: 2, beta: 0.5 }), inputs: [f32([2, 2], [1, 2, 3, 4]), f32([2, 2], I2), f32([2, 2], [1, 1, 1, 1])], expect: [f32([2, 2], [2.5, 4.5, 6.5, 8.5])] },
  { name: 'transA', op: 'gemm', attrs: gemmAttrs({ transA: true }), inputs: [f32([3, 2], AT), f32([3, 2], WT)], expect: [f32([2, 2], [-2, 3, -2, 7.5])] },
  { name: 'transA and transB', op: 'gemm', attrs: gemmAttrs({ transA: true, transB: true }), inputs: [f32([3, 2], AT), f32([2, 3], W)], expect: [f32([2, 2], [-2, 3, -2, 7.5])] },
  { name: 'C as a column', op: 'gemm', attrs: gemmAttrs(), inputs: [f32([2, 2], [1, 2, 3, 4]), f32([2, 2], I2), f32([2, 1], [100, 200])], expect: [f32([2, 2], [101, 102, 203, 204])] },
  { name: 'C as a scalar', op: 'gemm', attrs: gemmAttrs({ beta: 2 }), inputs: [f32([2, 2], [1, 2, 3, 4]), f32([2, 2], I2), f32([], [5])], expect: [f32([2, 2], [11, 12, 13, 14])] },
  { name: 'beta 0 ignores C (even NaN)', op: 'gemm', attrs: gemmAttrs({ beta: 0 }), inputs: [f32([2, 2], [1, 2, 3, 4]), f32([2, 2], I2), f32([2], [NaN, Infinity])], expect: [f32([2, 2], [1, 2, 3, 4])] },
  // ── gemm errors ──
  { name: 'B of rank 3', op: 'gemm', attrs: gemmAttrs(), inputs: [t('f32', [2, 3]), t('f32', [1, 3, 2])], error: /gemm needs B of rank 2, got rank 3/ },
  { name: 'transA with 3-D A', op: 'gemm', attrs: gemmAttrs({ transA: true }), inputs: [t('f32', [2, 3, 2]), t('f32', [3, 2])], error: /transA needs A of rank 2/ },
  { name: 'scalar A', op: 'gemm', attrs: gemmAttrs(), inputs: [t('f32', []), t('f32', [3, 2])], error: /rank >= 1/ },
  { name: 'gemm inner mismatch', op: 'gemm', attrs: gemmAttrs({ transB: true }), inputs: [t('f32', [2, 3]), t('f32', [2, 4])], error: /inner dimensions differ \(3 vs 4\)/ },
  { name: 'C does not broadcast', op: 'gemm', attrs: gemmAttrs(), inputs: [t('f32', [2, 3]), t('f32', [3, 2]), t('f32', [3])], error: /C \[3\] does not broadcast to the result \[2,2\]/ },
  { name: 'C of higher rank', op: 'gemm', attrs: gemmAttrs(), inputs: [t('f32', [2, 3]), t('f32', [3, 2]), t('f32', [1, 2, 2])], error: /C \[1,2,2\] does not broadcast/ },
  { name: 'i32 inputs', op: 'gemm', attrs: gemmAttrs(), inputs: [t('i32', [2, 3]), t('i32', [3, 2])], error: /gemm needs f32 inputs/ },
  { name: 'four inputs', op: 'gemm', attrs: gemmAttrs(), inputs: [t('f32', [2, 2]), t('f32', [2, 2]), t('f32', [2]), t('f32', [2])], error: /expects 2 to 3 inputs, got 4/ },
  // ── epilogues (made by fusion) ──
  {
    name: 'matmul with a scale epilogue (the attention 1/sqrt(d))',
    op: 'matmul', attrs: { ...NN, epilogue: { inputs: 2, steps: [{ op: 'mul', attrs: {}, args: [0, 1] }] } },
    inputs: [f32([2, 3], A), f32([3, 2], B), f32([], [0.5])], expect: [f32([2, 2], [29, 32, 69.5, 77])],
  },
  {
    name: 'gemm with bias then a relu epilogue',
    op: 'gemm', attrs: { ...gemmAttrs({ transB: true }), epilogue: { inputs: 1, steps: [{ op: 'relu', attrs: {}, args: [0] }] } },
    inputs: [f32([2, 3], A), f32([2, 3], W.map((w) => -w)), f32([2], [10, 20])], expect: [f32([2, 2], [12, 17, 12, 12.5])],
  },
  {
    name: 'an epilogue that would broadcast the result',
    op: 'matmul', attrs: { ...NN, epilogue: { inputs: 2, steps: [{ op: 'add', attrs: {}, args: [0, 1] }] } },
    inputs: [t('f32', [2, 3]), t('f32', [3, 2]), t('f32', [4, 2, 2])], error: /epilogue turns f32\[2,2\] into f32\[4,2,2\]/,
  },
]);
