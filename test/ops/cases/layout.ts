// Cases for reshape, transpose, squeeze, unsqueeze, expand. Expected tensors are written out by hand.
import { f32, tensor } from '../../../src/ir/tensor.ts';
import { tensorType } from '../../../src/ir/types.ts';
import { cases } from '../case.ts';

/** 0, 1, ..., n-1. */
const iota = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** Layout op cases: values first, then shape-rule errors per op. */
export const layoutCases = cases([
  // ── reshape ──
  {
    name: 'attention head split [1,3,6] -> [1,3,2,3] keeps row-major order',
    op: 'reshape', attrs: { shape: [1, 3, 2, 3] },
    inputs: [f32([1, 3, 6], iota(18))],
    expect: [f32([1, 3, 2, 3], iota(18))],
  },
  {
    name: 'reshape infers -1 (i32)',
    op: 'reshape', attrs: { shape: [3, -1] },
    inputs: [tensor('i32', [2, 3], [1, 2, 3, 4, 5, 6])],
    expect: [tensor('i32', [3, 2], [1, 2, 3, 4, 5, 6])],
  },
  {
    name: 'reshape bool to a scalar',
    op: 'reshape', attrs: { shape: [] },
    inputs: [tensor('bool', [1, 1], [1])],
    expect: [tensor('bool', [], [1])],
  },
  {
    name: 'reshape zero-size: 0 is a literal dim',
    op: 'reshape', attrs: { shape: [0, 5] },
    inputs: [f32([2, 0], [])],
    expect: [f32([0, 5], [])],
  },
  {
    name: 'reshape i64 with -1 first',
    op: 'reshape', attrs: { shape: [-1] },
    inputs: [tensor('i64', [2, 2], [7, -8, 9, 10])],
    expect: [tensor('i64', [4], [7, -8, 9, 10])],
  },
  { name: 'reshape count mismatch names both shapes', op: 'reshape', attrs: { shape: [4, 2] },
    inputs: [tensorType('f32', [2, 3])], error: /\[2,3\] \(6 elements\) to \[4,2\] \(8 elements\)/ },
  { name: 'reshape two -1', op: 'reshape', attrs: { shape: [-1, -1] },
    inputs: [tensorType('f32', [2, 3])], error: /more than one -1/ },
  { name: 'reshape -1 not divisible', op: 'reshape', attrs: { shape: [4, -1] },
    inputs: [tensorType('f32', [2, 3])], error: /\[2,3\].*\[4,-1\].*-1 is not determined/ },
  { name: 'reshape -1 beside a zero dim', op: 'reshape', attrs: { shape: [0, -1] },
    inputs: [tensorType('f32', [0, 3])], error: /-1 is not determined/ },
  { name: 'reshape negative entry', op: 'reshape', attrs: { shape: [-2, -3] },
    inputs: [tensorType('f32', [2, 3])], error: /invalid entry -2/ },
  { name: 'reshape fractional entry', op: 'reshape', attrs: { shape: [1.5, 4] },
    inputs: [tensorType('f32', [2, 3])], error: /invalid entry 1.5/ },
  // ── transpose ──
  {
    name: 'attention heads [1,3,2,3] perm [0,2,1,3]',
    op: 'transpose', attrs: { perm: [0, 2, 1, 3] },
    inputs: [f32([1, 3, 2, 3], iota(18))],
    expect: [f32([1, 2, 3, 3], [0, 1, 2, 6, 7, 8, 12, 13, 14, 3, 4, 5, 9, 10, 11, 15, 16, 17])],
  },
  {
    name: 'transpose 3-D perm [2,0,1]',
    op: 'transpose', attrs: { perm: [2, 0, 1] },
    inputs: [f32([2, 3, 4], iota(24))],
    // out[i,j,k] = x[j,k,i] = 12j + 4k + i
    expect: [f32([4, 2, 3], [
      0, 4, 8, 12, 16, 20,
      1, 5, 9, 13, 17, 21,
      2, 6, 10, 14, 18, 22,
      3, 7, 11, 15, 19, 23,
    ])],
  },
  {
    name: 'transpose i64 matrix',
    op: 'transpose', attrs: { perm: [1, 0] },
    inputs: [tensor('i64', [2, 3], [1, 2, 3, 4, 5, 6])],
    expect: [tensor('i64', [3, 2], [1, 4, 2, 5, 3, 6])],
  },
  {
    name: 'transpose bool, scalar with empty perm',
    op: 'transpose', attrs: { perm: [] },
    inputs: [tensor('bool', [], [1])],
    expect: [tensor('bool', [], [1])],
  },
  { name: 'transpose perm too short', op: 'transpose', attrs: { perm: [1, 0] },
    inputs: [tensorType('f32', [2, 3, 4])], error: /perm \[1,0\] is not a permutation of 0\.\.2/ },
  { name: 'transpose perm repeats', op: 'transpose', attrs: { perm: [0, 0] },
    inputs: [tensorType('f32', [2, 3])], error: /not a permutation/ },
  { name: 'transpose negative perm entry', op: 'transpose', attrs: { perm: [-1, 0] },
    inputs: [tensorType('f32', [2, 3])], error: /not a permutation/ },
  { name: 'transpose perm entry out of range', op: 'transpose', attrs: { perm: [0, 2] },
    inputs: [tensorType('f32', [2, 3])], error: /not a permutation/ },
  // ── squeeze ──
  {
    name: 'squeeze with empty axes drops every 1',
    op: 'squeeze', attrs: { axes: [] },
    inputs: [f32([1, 3, 1, 2], iota(6))],
    expect: [f32([3, 2], iota(6))],
  },
  {
    name: 'squeeze negative axis (i32)',
    op: 'squeeze', attrs: { axes: [-2] },
    inputs: [tensor('i32', [1, 3, 1, 2], [6, 5, 4, 3, 2, 1])],
    expect: [tensor('i32', [1, 3, 2], [6, 5, 4, 3, 2, 1])],
  },
  {
    name: 'squeeze bool to a scalar',
    op: 'squeeze', attrs: { axes: [0, 1] },
    inputs: [tensor('bool', [1, 1], [0])],
    expect: [tensor('bool', [], [0])],
  },
  { name: 'squeeze a dim that is not 1', op: 'squeeze', attrs: { axes: [1] },
    inputs: [tensorType('f32', [1, 3])], error: /squeeze axis 1 of \[1,3\]: size is 3/ },
  { name: 'squeeze axis out of range', op: 'squeeze', attrs: { axes: [2] },
    inputs: [tensorType('f32', [1, 1])], error: /axes 2 is out of range for rank 2/ },
  { name: 'squeeze repeated axis', op: 'squeeze', attrs: { axes: [0, -2] },
    inputs: [tensorType('f32', [1, 1])], error: /repeat an axis/ },
  // ── unsqueeze ──
  {
    name: 'unsqueeze axes index the output rank',
    op: 'unsqueeze', attrs: { axes: [0, -1] },
    inputs: [tensor('i32', [2, 3], [1, 2, 3, 4, 5, 6])],
    expect: [tensor('i32', [1, 2, 3, 1], [1, 2, 3, 4, 5, 6])],
  },
  {
    name: 'unsqueeze interleaved axes',
    op: 'unsqueeze', attrs: { axes: [3, 1] },
    inputs: [f32([2, 3], iota(6))],
    expect: [f32([2, 1, 3, 1], iota(6))],
  },
  {
    name: 'unsqueeze bool scalar',
    op: 'unsqueeze', attrs: { axes: [0] },
    inputs: [tensor('bool', [], [1])],
    expect: [tensor('bool', [1], [1])],
  },
  { name: 'unsqueeze duplicate axes', op: 'unsqueeze', attrs: { axes: [0, -4] },
    inputs: [tensorType('f32', [2, 3])], error: /repeat an axis/ },
  { name: 'unsqueeze axis beyond output rank', op: 'unsqueeze', attrs: { axes: [2] },
    inputs: [tensorType('f32', [3])], error: /axes 2 is out of range for rank 2/ },
  // ── expand ──
  {
    name: 'expand [3,1] to [2,1,4]',
    op: 'expand', attrs: { shape: [2, 1, 4] },
    inputs: [f32([3, 1], [1, 2, 3])],
    expect: [f32([2, 3, 4], [
      1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3,
      1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3,
    ])],
  },
  {
    name: 'expand broadcasts both ways (i64)',
    op: 'expand', attrs: { shape: [2, 1] },
    inputs: [tensor('i64', [1, 3], [4, 5, 6])],
    expect: [tensor('i64', [2, 3], [4, 5, 6, 4, 5, 6])],
  },
  {
    name: 'expand to a lower-rank shape keeps the input',
    op: 'expand', attrs: { shape: [3] },
    inputs: [tensor('bool', [2, 3], [1, 0, 1, 0, 1, 0])],
    expect: [tensor('bool', [2, 3], [1, 0, 1, 0, 1, 0])],
  },
  { name: 'expand incompatible shapes', op: 'expand', attrs: { shape: [4] },
    inputs: [tensorType('f32', [2, 3])], error: /\[2,3\] and \[4\] do not broadcast/ },
  { name: 'expand negative dim', op: 'expand', attrs: { shape: [-1, 3] },
    inputs: [tensorType('f32', [2, 3])], error: /expand shape has an invalid dimension -1/ },
]);
