// Cases for reduceSum, reduceMean, reduceMax and reduceProd, worked by hand. X is [[1,2,3],[4,5,6]];
// Y is [2,2,2] holding 1..8, so Y[i,j,k] = 4i + 2j + k + 1.
import { f32, tensor } from '../../../src/ir/tensor.ts';
import { type DType, type Shape, tensorType } from '../../../src/ir/types.ts';
import { cases } from '../case.ts';

const t = (dtype: DType, shape: Shape) => tensorType(dtype, shape);
const r = (axes: readonly number[], keepDims = false) => ({ axes, keepDims });
const X = f32([2, 3], [1, 2, 3, 4, 5, 6]);
const Y = f32([2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8]);
const EMPTY = f32([2, 0], []);
const inf = Infinity;

export const reduceCases = cases([
  // ── reduceSum values ──
  { name: 'all axes', op: 'reduceSum', attrs: r([]), inputs: [X], expect: [f32([], [21])] },
  { name: 'all axes, keepDims', op: 'reduceSum', attrs: r([], true), inputs: [X], expect: [f32([1, 1], [21])] },
  { name: 'axis 0', op: 'reduceSum', attrs: r([0]), inputs: [X], expect: [f32([3], [5, 7, 9])] },
  { name: 'axis -1, keepDims', op: 'reduceSum', attrs: r([-1], true), inputs: [X], expect: [f32([2, 1], [6, 15])] },
  { name: 'axes 0 and 2', op: 'reduceSum', attrs: r([0, 2]), inputs: [Y], expect: [f32([2], [14, 22])] },
  { name: 'axes -1 and 0, keepDims', op: 'reduceSum', attrs: r([-1, 0], true), inputs: [Y], expect: [f32([1, 2, 1], [14, 22])] },
  { name: 'axes 1 and 2', op: 'reduceSum', attrs: r([1, 2]), inputs: [Y], expect: [f32([2], [10, 26])] },
  { name: 'i32', op: 'reduceSum', attrs: r([1]), inputs: [tensor('i32', [2, 3], [1, 2, 3, 4, 5, -6])], expect: [tensor('i32', [2], [6, 3])] },
  { name: 'i64 beyond 2^32', op: 'reduceSum', attrs: r([]), inputs: [tensor('i64', [3], [2 ** 40, 2 ** 40, 1])], expect: [tensor('i64', [], [2 ** 41 + 1])] },
  { name: 'empty axis sums to 0', op: 'reduceSum', attrs: r([1]), inputs: [EMPTY], expect: [f32([2], [0, 0])] },
  { name: 'reducing beside an empty axis', op: 'reduceSum', attrs: r([0]), inputs: [EMPTY], expect: [f32([0], [])] },
  { name: 'scalar input', op: 'reduceSum', attrs: r([]), inputs: [f32([], [7])], expect: [f32([], [7])] },
  // ── reduceSum errors ──
  { name: 'repeated axis', op: 'reduceSum', attrs: r([0, -2]), inputs: [t('f32', [2, 3])], error: /repeat an axis/ },
  { name: 'axis out of range', op: 'reduceSum', attrs: r([2]), inputs: [t('f32', [2, 3])], error: /axes 2 is out of range for rank 2/ },
  { name: 'bool input', op: 'reduceSum', attrs: r([]), inputs: [t('bool', [2])], error: /reduceSum needs f32 or i32 or i64, got bool\[2\]/ },
  { name: 'two inputs', op: 'reduceSum', attrs: r([]), inputs: [t('f32', [2]), t('f32', [2])], error: /expects 1 inputs, got 2/ },
  // ── reduceMean values ──
  { name: 'all axes', op: 'reduceMean', attrs: r([]), inputs: [X], expect: [f32([], [3.5])] },
  { name: 'axis 1', op: 'reduceMean', attrs: r([1]), inputs: [X], expect: [f32([2], [2, 5])] },
  { name: 'axes 0 and 2, keepDims', op: 'reduceMean', attrs: r([0, 2], true), inputs: [Y], expect: [f32([1, 2, 1], [3.5, 5.5])] },
  { name: 'empty axis is NaN', op: 'reduceMean', attrs: r([-1]), inputs: [EMPTY], expect: [f32([2], [NaN, NaN])] },
  // ── reduceMean errors ──
  { name: 'i32 input', op: 'reduceMean', attrs: r([]), inputs: [t('i32', [2])], error: /reduceMean needs f32, got i32\[2\]/ },
  { name: 'negative axis out of range', op: 'reduceMean', attrs: r([-3]), inputs: [t('f32', [2, 3])], error: /axes -3 is out of range/ },
  // ── reduceMax values ──
  { name: 'axis 0', op: 'reduceMax', attrs: r([0]), inputs: [f32([2, 3], [1, 5, 3, 4, 2, 6])], expect: [f32([3], [4, 5, 6])] },
  { name: 'axis 1, keepDims', op: 'reduceMax', attrs: r([1], true), inputs: [f32([2, 3], [1, 5, 3, 4, 2, 6])], expect: [f32([2, 1], [5, 6])] },
  { name: 'all negative', op: 'reduceMax', attrs: r([]), inputs: [f32([3], [-3, -1, -2])], expect: [f32([], [-1])] },
  { name: 'axes 0 and 2', op: 'reduceMax', attrs: r([0, 2]), inputs: [Y], expect: [f32([2], [6, 8])] },
  { name: 'i32', op: 'reduceMax', attrs: r([0, 1]), inputs: [tensor('i32', [2, 2], [-7, 3, 9, -1])], expect: [tensor('i32', [], [9])] },
  { name: 'NaN propagates', op: 'reduceMax', attrs: r([]), inputs: [f32([3], [1, NaN, 3])], expect: [f32([], [NaN])] },
  { name: 'all -Infinity', op: 'reduceMax', attrs: r([]), inputs: [f32([2], [-inf, -inf])], expect: [f32([], [-inf])] },
  { name: 'empty axis is -Infinity', op: 'reduceMax', attrs: r([1]), inputs: [EMPTY], expect: [f32([2], [-inf, -inf])] },
  { name: 'empty i32 axis is the i32 minimum', op: 'reduceMax', attrs: r([1]), inputs: [tensor('i32', [2, 0], [])], expect: [tensor('i32', [2], [-2147483648, -2147483648])] },
  // ── reduceMax errors ──
  { name: 'bool input', op: 'reduceMax', attrs: r([]), inputs: [t('bool', [2])], error: /reduceMax needs f32 or i32 or i64/ },
  { name: 'repeated axis', op: 'reduceMax', attrs: r([1, 1]), inputs: [t('f32', [2, 3])], error: /repeat an axis/ },
  // ── reduceProd values and errors ──
  { name: 'product along axis 1', op: 'reduceProd', attrs: r([1]), inputs: [f32([2, 3], [1, 2, 3, 4, 5, 6])], expect: [f32([2], [6, 120])] },
  { name: 'product of everything, keepDims', op: 'reduceProd', attrs: r([], true), inputs: [f32([2, 2], [-1, 2, 3, 0.5])], expect: [f32([1, 1], [-3])] },
  { name: 'empty product is 1', op: 'reduceProd', attrs: r([0]), inputs: [f32([0, 2], [])], expect: [f32([2], [1, 1])] },
  { name: 'reduceProd of i32', op: 'reduceProd', attrs: r([]), inputs: [t('i32', [2])], error: /reduceProd needs f32, got i32\[2\]/ },
]);
