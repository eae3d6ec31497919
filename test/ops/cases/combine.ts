// Cases for concat, split and slice (ONNX Slice clamping). Expected tensors are written out by hand.
import { f32, tensor } from '../../../src/ir/tensor.ts';
import { tensorType } from '../../../src/ir/types.ts';
import { cases } from '../case.ts';

/** 0, 1, ..., n-1. */
const iota = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** Combine op cases: values first, then shape-rule errors per op. */
export const combineCases = cases([
  // ── concat ──
  {
    name: 'concat three inputs on axis 1',
    op: 'concat', attrs: { axis: 1 },
    inputs: [f32([2, 1], [1, 2]), f32([2, 2], [3, 4, 5, 6]), f32([2, 3], [7, 8, 9, 10, 11, 12])],
    expect: [f32([2, 6], [1, 3, 4, 7, 8, 9, 2, 5, 6, 10, 11, 12])],
  },
  {
    name: 'concat on axis -3 (i64)',
    op: 'concat', attrs: { axis: -3 },
    inputs: [tensor('i64', [1, 2, 1], [1, 2]), tensor('i64', [2, 2, 1], [3, 4, 5, 6])],
    expect: [tensor('i64', [3, 2, 1], [1, 2, 3, 4, 5, 6])],
  },
  {
    name: 'concat a single input is a copy (bool)',
    op: 'concat', attrs: { axis: 0 },
    inputs: [tensor('bool', [3], [1, 0, 1])],
    expect: [tensor('bool', [3], [1, 0, 1])],
  },
  {
    name: 'concat with a zero-size input (i32)',
    op: 'concat', attrs: { axis: 1 },
    inputs: [tensor('i32', [2, 0], []), tensor('i32', [2, 1], [8, 9])],
    expect: [tensor('i32', [2, 1], [8, 9])],
  },
  { name: 'concat dims differ off-axis', op: 'concat', attrs: { axis: 1 },
    inputs: [tensorType('f32', [2, 1]), tensorType('f32', [2, 2]), tensorType('f32', [3, 1])],
    error: /concat input 2 f32\[3,1\] does not match input 0 f32\[2,1\] outside axis 1/ },
  { name: 'concat ranks differ', op: 'concat', attrs: { axis: 0 },
    inputs: [tensorType('f32', [2, 1]), tensorType('f32', [2])], error: /input 1 f32\[2\] does not match input 0/ },
  { name: 'concat dtypes differ', op: 'concat', attrs: { axis: 0 },
    inputs: [tensorType('f32', [2]), tensorType('i32', [2])], error: /dtypes differ/ },
  { name: 'concat axis out of range', op: 'concat', attrs: { axis: 2 },
    inputs: [tensorType('f32', [2, 1])], error: /concat axis 2 is out of range for rank 2/ },
  { name: 'concat without inputs', op: 'concat', attrs: { axis: 0 },
    inputs: [], error: /expects at least 1 inputs, got 0/ },
  // ── split ──
  {
    name: 'split into unequal parts on axis 1',
    op: 'split', attrs: { axis: 1, sizes: [1, 3, 1] },
    inputs: [f32([2, 5], iota(10))],
    expect: [f32([2, 1], [0, 5]), f32([2, 3], [1, 2, 3, 6, 7, 8]), f32([2, 1], [4, 9])],
  },
  {
    name: 'split on axis -2 (i32)',
    op: 'split', attrs: { axis: -2, sizes: [3, 1] },
    inputs: [tensor('i32', [4, 2], [1, 2, 3, 4, 5, 6, 7, 8])],
    expect: [tensor('i32', [3, 2], [1, 2, 3, 4, 5, 6]), tensor('i32', [1, 2], [7, 8])],
  },
  {
    name: 'split with an empty part (bool)',
    op: 'split', attrs: { axis: 0, sizes: [0, 2] },
    inputs: [tensor('bool', [2], [0, 1])],
    expect: [tensor('bool', [0], []), tensor('bool', [2], [0, 1])],
  },
  { name: 'split sizes do not sum to the axis', op: 'split', attrs: { axis: 1, sizes: [2, 2] },
    inputs: [tensorType('f32', [2, 5])], error: /sum to 4, but axis 1 has length 5/ },
  { name: 'split negative size', op: 'split', attrs: { axis: 0, sizes: [-1, 3] },
    inputs: [tensorType('f32', [2])], error: /must be non-negative integers/ },
  { name: 'split no sizes', op: 'split', attrs: { axis: 0, sizes: [] },
    inputs: [tensorType('f32', [0])], error: /at least one size/ },
  { name: 'split axis out of range', op: 'split', attrs: { axis: -3, sizes: [2] },
    inputs: [tensorType('f32', [2, 5])], error: /split axis -3 is out of range for rank 2/ },
  // ── slice ──
  {
    name: 'slice reversal with step -1 and end -Infinity',
    op: 'slice', attrs: { starts: [-1], ends: [-Infinity], axes: [0], steps: [-1] },
    inputs: [f32([5], iota(5))],
    expect: [f32([5], [4, 3, 2, 1, 0])],
  },
  {
    name: 'slice step -3 with an end far below the dim',
    op: 'slice', attrs: { starts: [6], ends: [-100], axes: [0], steps: [-3] },
    inputs: [f32([7], iota(7))],
    expect: [f32([3], [6, 3, 0])],
  },
  {
    name: 'slice negative step clamps a start below -dim to 0 (ONNX spec; numpy would give [])',
    op: 'slice', attrs: { starts: [-10], ends: [-Infinity], axes: [0], steps: [-1] },
    inputs: [f32([3], [5, 6, 7])],
    expect: [f32([1], [5])],
  },
  {
    name: 'slice two axes, step 2, huge end clamped',
    op: 'slice', attrs: { starts: [0, 1], ends: [2, 1000], axes: [0, 1], steps: [1, 2] },
    inputs: [f32([3, 4], iota(12))],
    expect: [f32([2, 2], [1, 3, 5, 7])],
  },
  {
    name: 'slice reverses both axes of a matrix (i32)',
    op: 'slice', attrs: { starts: [-1, 2], ends: [-Infinity, -4], axes: [1, 0], steps: [-1, -1] },
    inputs: [tensor('i32', [3, 2], [0, 1, 2, 3, 4, 5])],
    expect: [tensor('i32', [3, 2], [5, 4, 3, 2, 1, 0])],
  },
  {
    name: 'slice negative axis, end +Infinity (i64)',
    op: 'slice', attrs: { starts: [1], ends: [Infinity], axes: [-1], steps: [1] },
    inputs: [tensor('i64', [2, 3], [0, 1, 2, 3, 4, 5])],
    expect: [tensor('i64', [2, 2], [1, 2, 4, 5])],
  },
  {
    name: 'slice with start past end is empty (bool)',
    op: 'slice', attrs: { starts: [3], ends: [1], axes: [0], steps: [1] },
    inputs: [tensor('bool', [4], [1, 0, 1, 0])],
    expect: [tensor('bool', [0], [])],
  },
  {
    name: 'slice negative step on a zero-length axis is empty',
    op: 'slice', attrs: { starts: [-1], ends: [-Infinity], axes: [1], steps: [-1] },
    inputs: [f32([2, 0], [])],
    expect: [f32([2, 0], [])],
  },
  { name: 'slice list lengths differ', op: 'slice', attrs: { starts: [0, 0], ends: [1], axes: [0], steps: [1] },
    inputs: [tensorType('f32', [2, 2])], error: /differ in length \(2, 1, 1, 1\)/ },
  { name: 'slice zero step', op: 'slice', attrs: { starts: [0], ends: [1], axes: [0], steps: [0] },
    inputs: [tensorType('f32', [2])], error: /steps \[0\] must be non-zero/ },
  { name: 'slice repeated axis', op: 'slice', attrs: { starts: [0, 0], ends: [1, 1], axes: [0, -2], steps: [1, 1] },
    inputs: [tensorType('f32', [2, 2])], error: /slice axes \[0,-2\] repeat an axis/ },
  { name: 'slice axis out of range', op: 'slice', attrs: { starts: [0], ends: [1], axes: [2], steps: [1] },
    inputs: [tensorType('f32', [2, 2])], error: /slice axes 2 is out of range for rank 2/ },
  { name: 'slice NaN start', op: 'slice', attrs: { starts: [NaN], ends: [1], axes: [0], steps: [1] },
    inputs: [tensorType('f32', [2])], error: /must be integers/ },
]);
