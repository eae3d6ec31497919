// Cases sized to cross kernel tile and workgroup edges: sizes that are not multiples of a tile
// (primes, one past a power of two), k = 1, k spanning several tiles, broadcast batches, and rows
// longer than a workgroup. Expected values come from the plain loops below, in doubles over the
// f32-rounded inputs. Contraction inputs are small integers, so every sum is exact in f32.
import { f32, tensor } from '../../../src/ir/tensor.ts';
import { cases } from '../case.ts';

/** Small distinct integers in [-5, 5]. */
const ints = (n: number, k: number): number[] => Array.from({ length: n }, (_, i) => ((i * k) % 11) - 5);
/** Smooth f32 values in [-3 + shift, 3 + shift]. */
const wave = (n: number, k: number, shift = 0): number[] => Array.from({ length: n }, (_, i) => Math.fround(3 * Math.sin(i * k + 0.5) + shift));

/** out[p, i, j] = sum_q a(p, i, q) * b(p, q, j), flattened in that order. */
function naiveMatmul(batches: number, m: number, n: number, k: number, a: (p: number, i: number, q: number) => number, b: (p: number, q: number, j: number) => number): number[] {
  const out: number[] = [];
  for (let p = 0; p < batches; p++)
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let q = 0; q < k; q++) s += a(p, i, q) * b(p, q, j);
        out.push(s);
      }
  return out;
}

/** Applies `f` to each of the `rows` rows of `len` elements at base(r) + j * stride. */
function perRow(x: readonly number[], rows: number, len: number, base: (r: number) => number, stride: number, f: (row: number[]) => number[]): number[] {
  const out = [...x];
  for (let r = 0; r < rows; r++) {
    const row = Array.from({ length: len }, (_, j) => x[base(r) + j * stride]!);
    f(row).forEach((v, j) => (out[base(r) + j * stride] = v));
  }
  return out;
}

const softmaxRow = (row: number[]): number[] => {
  const mx = Math.max(...row);
  const sum = row.reduce((s, v) => s + Math.exp(v - mx), 0);
  return row.map((v) => Math.exp(v - mx) / sum);
};
const logSoftmaxRow = (row: number[]): number[] => {
  const mx = Math.max(...row);
  const lse = mx + Math.log(row.reduce((s, v) => s + Math.exp(v - mx), 0));
  return row.map((v) => v - lse);
};
const layerNormRow = (scale: readonly number[], bias: readonly number[], eps: number) => (row: number[]): number[] => {
  const mean = row.reduce((s, v) => s + v, 0) / row.length;
  const v = row.reduce((s, x) => s + (x - mean) ** 2, 0) / row.length;
  return row.map((x, j) => ((x - mean) / Math.sqrt(v + eps)) * scale[j]! + bias[j]!);
};
const sumRows = (x: readonly number[], rows: number, len: number): number[] =>
  Array.from({ length: rows }, (_, r) => x.slice(r * len, (r + 1) * len).reduce((s, v) => s + v, 0));

// matmul [2,1,19,33]^T (transA) @ [3,70,19]^T (transB) -> [2,3,33,70], plus a [70] row epilogue.
const TA = ints(2 * 19 * 33, 7);
const TB = ints(3 * 70 * 19, 5);
const ROW = ints(70, 3);
const TAB = naiveMatmul(6, 33, 70, 19, (p, i, q) => TA[Math.floor(p / 3) * 627 + q * 33 + i]!, (p, q, j) => TB[(p % 3) * 1330 + j * 19 + q]!).map((v, e) => v + ROW[e % 70]!);
// gemm: A [17,33] (transA), B [65,17] (transB), C [65], alpha 0.5, beta 2, then relu.
const GA = ints(17 * 33, 4);
const GB = ints(65 * 17, 9);
const GC = ints(65, 2);
const GEMM = naiveMatmul(1, 33, 65, 17, (_, i, q) => GA[q * 33 + i]!, (_, q, j) => GB[j * 17 + q]!).map((v, e) => Math.max(0.5 * v + 2 * GC[e % 65]!, 0));
// Long rows.
const S = wave(3 * 300, 0.37);
const SCOL = wave(100 * 3, 0.61);
const LS = wave(2 * 129, 1.3, 2);
const LN = wave(3 * 257, 0.23, 1);
const LN_SCALE = wave(257, 0.7);
const LN_BIAS = wave(257, 1.1);
const R = ints(2 * 1000, 3);
const RI = ints(3 * 700, 6);
const R3 = ints(40 * 3 * 5, 8);
const RMAX = [...wave(500, 0.3), ...wave(500, 0.9, -10), ...wave(500, 0.05, 4)];
const RALL = ints(7 * 11 * 13, 4);

export const tileCases = cases([
  // ── contractions ──
  {
    name: 'tiles: k = 1 outer product, prime M and N past a tile',
    op: 'matmul', attrs: { transA: false, transB: false },
    inputs: [f32([37, 1], ints(37, 3)), f32([1, 70], ints(70, 2))],
    expect: [f32([37, 70], naiveMatmul(1, 37, 70, 1, (_, i) => ints(37, 3)[i]!, (_, __, j) => ints(70, 2)[j]!))],
  },
  {
    name: 'tiles: k over several k steps with a ragged tail',
    op: 'matmul', attrs: { transA: false, transB: false },
    inputs: [f32([5, 130], ints(650, 7)), f32([130, 3], ints(390, 4))],
    expect: [f32([5, 3], naiveMatmul(1, 5, 3, 130, (_, i, q) => ints(650, 7)[i * 130 + q]!, (_, q, j) => ints(390, 4)[q * 3 + j]!))],
  },
  {
    name: 'tiles: transA, transB, batches broadcast both ways and a row epilogue',
    op: 'matmul', attrs: { transA: true, transB: true, epilogue: { inputs: 2, steps: [{ op: 'add', attrs: {}, args: [0, 1] }] } },
    inputs: [f32([2, 1, 19, 33], TA), f32([3, 70, 19], TB), f32([70], ROW)],
    expect: [f32([2, 3, 33, 70], TAB)],
  },
  {
    name: 'tiles: i32 one past the big tile',
    op: 'matmul', attrs: { transA: false, transB: false },
    inputs: [tensor('i32', [65, 3], ints(195, 2)), tensor('i32', [3, 66], ints(198, 5))],
    expect: [tensor('i32', [65, 66], naiveMatmul(1, 65, 66, 3, (_, i, q) => ints(195, 2)[i * 3 + q]!, (_, q, j) => ints(198, 5)[q * 66 + j]!))],
  },
  {
    name: 'tiles: gemm transA, transB, alpha, beta, bias and relu at ragged edges',
    op: 'gemm', attrs: { transA: true, transB: true, alpha: 0.5, beta: 2, epilogue: { inputs: 1, steps: [{ op: 'relu', attrs: {}, args: [0] }] } },
    inputs: [f32([17, 33], GA), f32([65, 17], GB), f32([65], GC)],
    expect: [f32([33, 65], GEMM)],
  },
  {
    name: 'tiles: a dot product of 3000, K split across a workgroup',
    op: 'matmul', attrs: { transA: false, transB: false },
    inputs: [f32([3000], ints(3000, 3)), f32([3000], ints(3000, 7))],
    expect: [f32([], naiveMatmul(1, 1, 1, 3000, (_, __, q) => ints(3000, 3)[q]!, (_, q) => ints(3000, 7)[q]!))],
  },
  {
    name: 'tiles: i32, six outputs over K = 1000, B broadcast over the batch',
    op: 'matmul', attrs: { transA: false, transB: false },
    inputs: [tensor('i32', [2, 1, 1000], ints(2000, 4)), tensor('i32', [1000, 3], ints(3000, 9))],
    expect: [tensor('i32', [2, 1, 3], naiveMatmul(2, 1, 3, 1000, (p, _, q) => ints(2000, 4)[p * 1000 + q]!, (_, q, j) => ints(3000, 9)[q * 3 + j]!))],
  },
  {
    name: 'tiles: gemm with six outputs over K = 500, transB, alpha and bias',
    op: 'gemm', attrs: { transA: false, transB: true, alpha: 0.5, beta: 1 },
    inputs: [f32([2, 500], ints(1000, 6)), f32([3, 500], ints(1500, 2)), f32([3], [1, 2, 3])],
    expect: [f32([2, 3], naiveMatmul(1, 2, 3, 500, (_, i, q) => ints(1000, 6)[i * 500 + q]!, (_, q, j) => ints(1500, 2)[j * 500 + q]!).map((v, e) => 0.5 * v + [1, 2, 3][e % 3]!))],
  },
  // ── rows longer than a workgroup ──
  { name: 'tiles: rows of 300', op: 'softmax', attrs: { axis: -1 }, inputs: [f32([3, 300], S)], expect: [f32([3, 300], perRow(S, 3, 300, (r) => r * 300, 1, softmaxRow))] },
  { name: 'tiles: a strided axis of 100', op: 'softmax', attrs: { axis: 0 }, inputs: [f32([100, 3], SCOL)], expect: [f32([100, 3], perRow(SCOL, 3, 100, (r) => r, 3, softmaxRow))] },
  { name: 'tiles: rows of 129', op: 'logSoftmax', attrs: { axis: -1 }, inputs: [f32([2, 129], LS)], expect: [f32([2, 129], perRow(LS, 2, 129, (r) => r * 129, 1, logSoftmaxRow))] },
  {
    name: 'tiles: rows of 257 with scale and bias',
    op: 'layerNorm', attrs: { axis: -1, epsilon: 1e-5 },
    inputs: [f32([3, 257], LN), f32([257], LN_SCALE), f32([257], LN_BIAS)],
    expect: [f32([3, 257], perRow(LN, 3, 257, (r) => r * 257, 1, layerNormRow(LN_SCALE, LN_BIAS, 1e-5)))],
  },
  { name: 'tiles: rows of 1000', op: 'reduceSum', attrs: { axes: [1], keepDims: false }, inputs: [f32([2, 1000], R)], expect: [f32([2], sumRows(R, 2, 1000))] },
  { name: 'tiles: i32 rows of 700', op: 'reduceSum', attrs: { axes: [-1], keepDims: true }, inputs: [tensor('i32', [3, 700], RI)], expect: [tensor('i32', [3, 1], sumRows(RI, 3, 700))] },
  { name: 'tiles: all 1001 elements of a 3-D tensor', op: 'reduceSum', attrs: { axes: [], keepDims: false }, inputs: [f32([7, 11, 13], RALL)], expect: [f32([], sumRows(RALL, 1, 1001))] },
  {
    name: 'tiles: axes 0 and 2, 200 each',
    op: 'reduceMean', attrs: { axes: [0, 2], keepDims: false },
    inputs: [f32([40, 3, 5], R3)],
    expect: [f32([3], [0, 1, 2].map((j) => R3.filter((_, e) => Math.floor(e / 5) % 3 === j).reduce((s, v) => s + v, 0) / 200))],
  },
  { name: 'tiles: rows of 500, one all negative', op: 'reduceMax', attrs: { axes: [1], keepDims: false }, inputs: [f32([3, 500], RMAX)], expect: [f32([3], [0, 1, 2].map((r) => Math.max(...RMAX.slice(r * 500, (r + 1) * 500))))] },
]);
