// Cases for gather: embedding lookup (axis 0), other axes, scalar indices, negative indices.
import { f32, tensor } from '../../../src/ir/tensor.ts';
import { tensorType } from '../../../src/ir/types.ts';
import { cases } from '../case.ts';

/** A 4x3 embedding table whose row r is [10r, 10r+1, 10r+2]. */
const table = f32([4, 3], [0, 1, 2, 10, 11, 12, 20, 21, 22, 30, 31, 32]);

/** Gather cases: values first, then shape-rule errors. */
export const gatherCases = cases([
  {
    name: 'embedding lookup with i64 indices of shape [2,3], -1 wraps',
    op: 'gather', attrs: { axis: 0 },
    inputs: [table, tensor('i64', [2, 3], [0, 3, 1, 2, 2, -1])],
    expect: [f32([2, 3, 3], [
      0, 1, 2, 30, 31, 32, 10, 11, 12,
      20, 21, 22, 20, 21, 22, 30, 31, 32,
    ])],
  },
  {
    name: 'gather on axis 1 with i32 indices',
    op: 'gather', attrs: { axis: 1 },
    inputs: [f32([2, 3], [0, 1, 2, 3, 4, 5]), tensor('i32', [2], [2, 0])],
    expect: [f32([2, 2], [2, 0, 5, 3])],
  },
  {
    name: 'gather on axis -1 with indices [2,1] in the middle of the shape',
    op: 'gather', attrs: { axis: -1 },
    inputs: [tensor('i32', [2, 3], [0, 1, 2, 3, 4, 5]), tensor('i64', [2, 1], [-3, 1])],
    expect: [tensor('i32', [2, 2, 1], [0, 1, 3, 4])],
  },
  {
    name: 'gather with a scalar index drops the axis',
    op: 'gather', attrs: { axis: 0 },
    inputs: [table, tensor('i32', [], [2])],
    expect: [f32([3], [20, 21, 22])],
  },
  {
    name: 'gather bool rows, repeated index',
    op: 'gather', attrs: { axis: 0 },
    inputs: [tensor('bool', [2, 2], [1, 0, 0, 1]), tensor('i32', [3], [1, 1, 0])],
    expect: [tensor('bool', [3, 2], [0, 1, 0, 1, 1, 0])],
  },
  {
    name: 'gather i64 data with empty indices',
    op: 'gather', attrs: { axis: 0 },
    inputs: [tensor('i64', [3], [7, 8, 9]), tensor('i64', [0], [])],
    expect: [tensor('i64', [0], [])],
  },
  { name: 'gather f32 indices', op: 'gather', attrs: { axis: 0 },
    inputs: [tensorType('f32', [4, 3]), tensorType('f32', [2])], error: /indices must be i32 or i64, got f32\[2\]/ },
  { name: 'gather bool indices', op: 'gather', attrs: { axis: 0 },
    inputs: [tensorType('f32', [4, 3]), tensorType('bool', [2])], error: /indices must be i32 or i64/ },
  { name: 'gather axis out of range', op: 'gather', attrs: { axis: 2 },
    inputs: [tensorType('f32', [4, 3]), tensorType('i32', [2])], error: /gather axis 2 is out of range for rank 2/ },
  { name: 'gather from a scalar', op: 'gather', attrs: { axis: 0 },
    inputs: [tensorType('f32', []), tensorType('i32', [])], error: /out of range for rank 0/ },
  { name: 'gather without indices', op: 'gather', attrs: { axis: 0 },
    inputs: [tensorType('f32', [4, 3])], error: /expects 2 inputs, got 1/ },
]);
