// Cases for scatterElements and scatterND: replacement (the last of repeated indices wins),
// every reduction, negative indices, i64 data copied exactly; then the shape-rule errors.
import { f32, tensor } from '../../../src/ir/tensor.ts';
import { tensorType } from '../../../src/ir/types.ts';
import { cases } from '../case.ts';

const zeros33 = f32([3, 3], Array(9).fill(0));

/** Scatter cases: values first, then shape-rule errors. */
export const scatterCases = cases([
  {
    name: 'scatterElements on axis 0: out[idx[i][j]][j] = upd[i][j]',
    op: 'scatterElements', attrs: { axis: 0, reduction: 'none' },
    inputs: [zeros33, tensor('i64', [2, 3], [1, 0, 2, 0, 2, 1]), f32([2, 3], [1, 2, 3, 4, 5, 6])],
    expect: [f32([3, 3], [4, 2, 0, 1, 0, 6, 0, 5, 3])],
  },
  {
    name: 'scatterElements on axis 1 with a negative index and a repeated one (the last wins)',
    op: 'scatterElements', attrs: { axis: 1, reduction: 'none' },
    inputs: [f32([1, 4], [1, 2, 3, 4]), tensor('i32', [1, 3], [-1, 0, 0]), f32([1, 3], [7, 8, 9])],
    expect: [f32([1, 4], [9, 2, 3, 7])],
  },
  {
    name: 'scatterElements add accumulates repeated indices (updates smaller than the data off the axis)',
    op: 'scatterElements', attrs: { axis: 1, reduction: 'add' },
    inputs: [f32([2, 3], [1, 1, 1, 1, 1, 1]), tensor('i64', [1, 2], [2, 2]), f32([1, 2], [5, 6])],
    expect: [f32([2, 3], [1, 1, 12, 1, 1, 1])],
  },
  {
    name: 'scatterElements mul, max, min on i32',
    op: 'scatterElements', attrs: { axis: 0, reduction: 'mul' },
    inputs: [tensor('i32', [3], [2, 3, 4]), tensor('i32', [2], [0, 0]), tensor('i32', [2], [5, -1])],
    expect: [tensor('i32', [3], [-10, 3, 4])],
  },
  {
    name: 'scatterElements max',
    op: 'scatterElements', attrs: { axis: 0, reduction: 'max' },
    inputs: [f32([3], [2, 3, 4]), tensor('i32', [3], [0, 1, 1]), f32([3], [5, -1, 9])],
    expect: [f32([3], [5, 9, 4])],
  },
  {
    name: 'scatterElements min',
    op: 'scatterElements', attrs: { axis: 0, reduction: 'min' },
    inputs: [f32([3], [2, 3, 4]), tensor('i32', [2], [2, 2]), f32([2], [5, 1])],
    expect: [f32([3], [2, 3, 1])],
  },
  {
    name: 'scatterND of element tuples (k = rank), the last of repeated tuples wins',
    op: 'scatterND', attrs: { reduction: 'none' },
    inputs: [zeros33, tensor('i64', [3, 2], [0, 1, 2, -1, 0, 1]), f32([3], [5, 6, 7])],
    expect: [f32([3, 3], [0, 7, 0, 0, 0, 0, 0, 0, 6])],
  },
  {
    name: 'scatterND of rows (k = 1) with add',
    op: 'scatterND', attrs: { reduction: 'add' },
    inputs: [f32([3, 2], [1, 1, 1, 1, 1, 1]), tensor('i32', [2, 1], [2, 2]), f32([2, 2], [1, 2, 3, 4])],
    expect: [f32([3, 2], [1, 1, 1, 1, 5, 7])],
  },
  {
    name: 'scatterND mul on a batch of tuples [2,1,1]',
    op: 'scatterND', attrs: { reduction: 'mul' },
    inputs: [f32([2, 2], [1, 2, 3, 4]), tensor('i64', [2, 1, 1], [0, 1]), f32([2, 1, 2], [2, 2, 10, 10])],
    expect: [f32([2, 2], [2, 4, 30, 40])],
  },
  {
    name: 'scatterND of i64 data copies exactly (2^60)',
    op: 'scatterND', attrs: { reduction: 'none' },
    inputs: [tensor('i64', [2], BigInt64Array.of(1n, 2n)), tensor('i64', [1, 1], [1]), tensor('i64', [1], BigInt64Array.of(2n ** 60n + 1n))],
    expect: [tensor('i64', [2], BigInt64Array.of(1n, 2n ** 60n + 1n))],
  },
  {
    name: 'scatterND max and min on whole slices',
    op: 'scatterND', attrs: { reduction: 'max' },
    inputs: [f32([2, 2], [1, 5, 3, 4]), tensor('i64', [1, 1], [0]), f32([1, 2], [2, 2])],
    expect: [f32([2, 2], [2, 5, 3, 4])],
  },
  {
    name: 'scatterND min',
    op: 'scatterND', attrs: { reduction: 'min' },
    inputs: [f32([2, 2], [1, 5, 3, 4]), tensor('i64', [1, 1], [-1]), f32([1, 2], [2, 2])],
    expect: [f32([2, 2], [1, 5, 2, 2])],
  },
  { name: 'scatterElements float indices', op: 'scatterElements', attrs: { axis: 0, reduction: 'none' }, inputs: [tensorType('f32', [3]), tensorType('f32', [2]), tensorType('f32', [2])], error: /scatterElements indices must be i32 or i64, got f32\[2\]/ },
  { name: 'scatterElements updates of another dtype', op: 'scatterElements', attrs: { axis: 0, reduction: 'none' }, inputs: [tensorType('f32', [3]), tensorType('i32', [2]), tensorType('i32', [2])], error: /updates must have the data's dtype/ },
  { name: 'scatterElements indices wider than the data off the axis', op: 'scatterElements', attrs: { axis: 0, reduction: 'none' }, inputs: [tensorType('f32', [3, 2]), tensorType('i32', [1, 3]), tensorType('f32', [1, 3])], error: /scatterElements needs indices and updates of one shape/ },
  { name: 'scatterElements add on bool', op: 'scatterElements', attrs: { axis: 0, reduction: 'add' }, inputs: [tensorType('bool', [3]), tensorType('i32', [2]), tensorType('bool', [2])], error: /reduction add needs numeric data/ },
  { name: 'scatterND tuples longer than the rank', op: 'scatterND', attrs: { reduction: 'none' }, inputs: [tensorType('f32', [3]), tensorType('i64', [1, 2]), tensorType('f32', [1])], error: /last dim of at most the data's rank/ },
  { name: 'scatterND updates of the wrong shape', op: 'scatterND', attrs: { reduction: 'none' }, inputs: [tensorType('f32', [3, 2]), tensorType('i64', [2, 1]), tensorType('f32', [2, 3])], error: /scatterND updates must have shape \[2,2\], got f32\[2,3\]/ },
]);
