// Cases for roundBF16: the nearest bfloat16 (8 significant bits), ties to even, overflow to ±Inf.
import { f32 } from '../../../src/ir/tensor.ts';
import { tensorType } from '../../../src/ir/types.ts';
import { cases } from '../case.ts';

/** roundBF16 cases: values, then the shape-rule error. */
export const bfloat16Cases = cases([
  {
    name: 'roundBF16: exact values stay, ties go to the even neighbour, other values to the nearest',
    op: 'roundBF16', attrs: {},
    // 1 + 2^-8 ties between 1 and 1 + 2^-7 (even: 1); 1 + 3 * 2^-8 ties between 1 + 2^-7 and 1 + 2^-6 (even: 1 + 2^-6);
    // 1 + 2^-8 + 2^-12 is nearer 1 + 2^-7; -0.1 to the nearest bfloat16 below it in magnitude.
    inputs: [f32([6], [1, 1 + 2 ** -8, 1 + 3 * 2 ** -8, 1 + 2 ** -8 + 2 ** -12, -0.1, 65504])],
    expect: [f32([6], [1, 1, 1 + 2 ** -6, 1 + 2 ** -7, -0.10009765625, 65536])],
  },
  {
    name: 'roundBF16: the largest f32 overflows to Infinity, NaN and -0 pass',
    op: 'roundBF16', attrs: {},
    inputs: [f32([3], [3.4028234663852886e38, NaN, -0])],
    expect: [f32([3], [Infinity, NaN, -0])],
  },
  { name: 'roundBF16 of i32', op: 'roundBF16', attrs: {}, inputs: [tensorType('i32', [2])], error: /roundBF16 expects f32, got i32/ },
]);
