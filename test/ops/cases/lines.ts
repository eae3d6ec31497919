// Cases for the ops that walk lines along one axis: argMax, argMin (ties, selectLast, NaN, keepDims),
// cumSum and cumProd (exclusive, reverse, axes, integer wrap), topK (ties, NaN, axes).
import { f32, tensor } from '../../../src/ir/tensor.ts';
import { tensorType } from '../../../src/ir/types.ts';
import { cases } from '../case.ts';

/** [[3, 1, 3], [0, 5, 5]]: ties in both rows. */
const ties = f32([2, 3], [3, 1, 3, 0, 5, 5]);

/** Line-op cases: values first, then shape-rule errors. */
export const lineCases = cases([
  {
    name: 'argMax along the last axis, ties to the first, axis dropped',
    op: 'argMax', attrs: { axis: 1, keepDims: false, selectLast: false },
    inputs: [ties], expect: [tensor('i64', [2], [0, 1])],
  },
  {
    name: 'argMax selectLast takes the last tie, axis kept',
    op: 'argMax', attrs: { axis: -1, keepDims: true, selectLast: true },
    inputs: [ties], expect: [tensor('i64', [2, 1], [2, 2])],
  },
  {
    name: 'argMax along axis 0 (lines across rows)',
    op: 'argMax', attrs: { axis: 0, keepDims: true, selectLast: false },
    inputs: [ties], expect: [tensor('i64', [1, 3], [0, 1, 1])],
  },
  {
    name: 'argMax: a NaN beats every number; with selectLast the last NaN',
    op: 'argMax', attrs: { axis: 1, keepDims: false, selectLast: false },
    inputs: [f32([2, 4], [1, NaN, 9, NaN, -Infinity, -Infinity, -Infinity, -Infinity])], expect: [tensor('i64', [2], [1, 0])],
  },
  {
    name: 'argMax selectLast with NaNs',
    op: 'argMax', attrs: { axis: 1, keepDims: false, selectLast: true },
    inputs: [f32([2, 4], [1, NaN, 9, NaN, -Infinity, -Infinity, -Infinity, -Infinity])], expect: [tensor('i64', [2], [3, 3])],
  },
  {
    name: 'argMin on i32, ties to the first',
    op: 'argMin', attrs: { axis: 1, keepDims: false, selectLast: false },
    inputs: [tensor('i32', [2, 3], [4, -2, -2, 7, 7, 8])], expect: [tensor('i64', [2], [1, 0])],
  },
  {
    name: 'argMin on i64 of a 3-D input along the middle axis, selectLast',
    op: 'argMin', attrs: { axis: 1, keepDims: true, selectLast: true },
    inputs: [tensor('i64', [2, 2, 2], [5, 1, 5, 0, -3, 2, -3, 2])], expect: [tensor('i64', [2, 1, 2], [1, 1, 1, 1])],
  },
  {
    name: 'argMin: a NaN wins here too (numpy)',
    op: 'argMin', attrs: { axis: 0, keepDims: false, selectLast: false },
    inputs: [f32([3], [2, -1, NaN])], expect: [tensor('i64', [], [2])],
  },
  {
    name: 'cumSum along the last axis',
    op: 'cumSum', attrs: { axis: 1, exclusive: false, reverse: false },
    inputs: [f32([2, 3], [1, 2, 3, 4, 5, 6])], expect: [f32([2, 3], [1, 3, 6, 4, 9, 15])],
  },
  {
    name: 'cumSum along axis 0, exclusive',
    op: 'cumSum', attrs: { axis: 0, exclusive: true, reverse: false },
    inputs: [f32([2, 3], [1, 2, 3, 4, 5, 6])], expect: [f32([2, 3], [0, 0, 0, 1, 2, 3])],
  },
  {
    name: 'cumSum reverse exclusive on i64 (axis -1)',
    op: 'cumSum', attrs: { axis: -1, exclusive: true, reverse: true },
    inputs: [tensor('i64', [4], [1, 2, 3, 4])], expect: [tensor('i64', [4], [9, 7, 4, 0])],
  },
  {
    name: 'cumSum of i32 wraps past 2^31',
    op: 'cumSum', attrs: { axis: 0, exclusive: false, reverse: false },
    inputs: [tensor('i32', [2], [2147483647, 1])], expect: [tensor('i32', [2], [2147483647, -2147483648])],
  },
  {
    name: 'cumProd reverse on a 3-D input along the middle axis',
    op: 'cumProd', attrs: { axis: 1, exclusive: false, reverse: true },
    inputs: [f32([1, 3, 2], [1, 2, 3, 4, 5, 6])], expect: [f32([1, 3, 2], [15, 48, 15, 24, 5, 6])],
  },
  {
    name: 'cumProd exclusive starts at 1',
    op: 'cumProd', attrs: { axis: 0, exclusive: true, reverse: false },
    inputs: [tensor('i32', [4], [2, -3, 4, 5])], expect: [tensor('i32', [4], [1, 2, -6, -24])],
  },
  {
    name: 'cumProd of i32 wraps at every step (65536 * 65536 * 3)',
    op: 'cumProd', attrs: { axis: 0, exclusive: false, reverse: false },
    inputs: [tensor('i32', [3], [65536, 65536, 3])], expect: [tensor('i32', [3], [65536, 0, 0])],
  },
  { name: 'cumSum of bool', op: 'cumSum', attrs: { axis: 0, exclusive: false, reverse: false }, inputs: [tensorType('bool', [3])], error: /cumSum needs f32, i32 or i64, got bool\[3\]/ },
  { name: 'cumProd axis out of range', op: 'cumProd', attrs: { axis: -3, exclusive: false, reverse: false }, inputs: [tensorType('f32', [3, 2])], error: /cumProd axis -3 is out of range for rank 2/ },
  {
    name: 'topK largest 2 along the last axis, ties by lower index',
    op: 'topK', attrs: { axis: -1, k: 2, largest: true },
    inputs: [f32([2, 4], [1, 5, 5, 2, 0, -1, 3, 3])],
    expect: [f32([2, 2], [5, 5, 3, 3]), tensor('i64', [2, 2], [1, 2, 2, 3])],
  },
  {
    name: 'topK smallest 2 along axis 0 of a 3-D input',
    op: 'topK', attrs: { axis: 0, k: 2, largest: false },
    inputs: [tensor('i32', [3, 1, 2], [4, 1, 2, 1, 3, 0])],
    expect: [tensor('i32', [2, 1, 2], [2, 0, 3, 1]), tensor('i64', [2, 1, 2], [1, 2, 2, 0])],
  },
  {
    name: 'topK: a NaN leads the largest and trails the smallest',
    op: 'topK', attrs: { axis: 0, k: 3, largest: true },
    inputs: [f32([3], [1, NaN, 2])],
    expect: [f32([3], [NaN, 2, 1]), tensor('i64', [3], [1, 2, 0])],
  },
  {
    name: 'topK smallest with a NaN',
    op: 'topK', attrs: { axis: 0, k: 3, largest: false },
    inputs: [f32([3], [1, NaN, -2])],
    expect: [f32([3], [-2, 1, NaN]), tensor('i64', [3], [2, 0, 1])],
  },
  {
    name: 'topK k = 0 gives empty results',
    op: 'topK', attrs: { axis: 1, k: 0, largest: true },
    inputs: [f32([2, 3], [1, 2, 3, 4, 5, 6])],
    expect: [f32([2, 0], []), tensor('i64', [2, 0], [])],
  },
  { name: 'topK k above the axis length', op: 'topK', attrs: { axis: 1, k: 4, largest: true }, inputs: [tensorType('f32', [2, 3])], error: /topK k = 4 must be in \[0, 3\]/ },
  { name: 'topK of bool', op: 'topK', attrs: { axis: 0, k: 1, largest: true }, inputs: [tensorType('bool', [3])], error: /topK needs f32, i32 or i64, got bool\[3\]/ },
  { name: 'argMax of bool', op: 'argMax', attrs: { axis: 0, keepDims: false, selectLast: false }, inputs: [tensorType('bool', [3])], error: /argMax needs f32, i32 or i64, got bool\[3\]/ },
  { name: 'argMax axis out of range', op: 'argMax', attrs: { axis: 2, keepDims: false, selectLast: false }, inputs: [tensorType('f32', [3, 2])], error: /argMax axis 2 is out of range/ },
  { name: 'argMin over an empty axis', op: 'argMin', attrs: { axis: 1, keepDims: false, selectLast: false }, inputs: [tensorType('f32', [3, 0])], error: /argMin over axis 1 of length 0/ },
]);
