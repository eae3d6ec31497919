// Cases for cacheWrite: appending rows of a KV cache at a runtime position, on the middle axis and
// the last one, at the start and the end of the cache; then the shape rule's refusals.
import { f32, tensor } from '../../../src/ir/tensor.ts';
import { tensorType } from '../../../src/ir/types.ts';
import { cases } from '../case.ts';

const pos = (p: number) => tensor('i32', [], [p]);

/** cacheWrite cases: values first, then shape-rule errors. */
export const cacheCases = cases([
  {
    name: 'two rows into a [2,4,2] cache at position 1 (axis 1)',
    op: 'cacheWrite', attrs: { axis: 1 },
    inputs: [f32([2, 4, 2], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]), f32([2, 2, 2], [-1, -2, -3, -4, -5, -6, -7, -8]), pos(1)],
    expect: [f32([2, 4, 2], [0, 1, -1, -2, -3, -4, 6, 7, 8, 9, -5, -6, -7, -8, 14, 15])],
  },
  {
    name: 'one column at the last position (axis -1)',
    op: 'cacheWrite', attrs: { axis: -1 },
    inputs: [f32([2, 3], [1, 2, 3, 4, 5, 6]), f32([2, 1], [9, 8]), pos(2)],
    expect: [f32([2, 3], [1, 2, 9, 4, 5, 8])],
  },
  {
    name: 'an empty update leaves the cache as it is',
    op: 'cacheWrite', attrs: { axis: 0 },
    inputs: [f32([2, 2], [1, 2, 3, 4]), f32([0, 2], []), pos(2)],
    expect: [f32([2, 2], [1, 2, 3, 4])],
  },
  { name: 'cacheWrite with an i64 position', op: 'cacheWrite', attrs: { axis: 1 },
    inputs: [tensorType('f32', [1, 4, 2]), tensorType('f32', [1, 1, 2]), tensorType('i64', [])], error: /position must be an i32 scalar, got i64\[\]/ },
  { name: 'cacheWrite with a position of shape [1]', op: 'cacheWrite', attrs: { axis: 1 },
    inputs: [tensorType('f32', [1, 4, 2]), tensorType('f32', [1, 1, 2]), tensorType('i32', [1])], error: /position must be an i32 scalar/ },
  { name: 'cacheWrite of more rows than the cache holds', op: 'cacheWrite', attrs: { axis: 1 },
    inputs: [tensorType('f32', [1, 4, 2]), tensorType('f32', [1, 5, 2]), tensorType('i32', [])], error: /does not fit cache f32\[1,4,2\] along axis 1/ },
  { name: 'cacheWrite of rows of another width', op: 'cacheWrite', attrs: { axis: 1 },
    inputs: [tensorType('f32', [1, 4, 2]), tensorType('f32', [1, 1, 3]), tensorType('i32', [])], error: /does not fit/ },
  { name: 'cacheWrite into an i32 cache', op: 'cacheWrite', attrs: { axis: 0 },
    inputs: [tensorType('i32', [4]), tensorType('i32', [1]), tensorType('i32', [])], error: /takes an f32 cache and update/ },
]);
