// Cases for the bitwise ops: two's complement on i32 and i64 (negative values, words above 2^32),
// broadcasting, shifts by amounts out of range, bitcast between f32 and i32; then the shape-rule errors.
import { f32, tensor } from '../../../src/ir/tensor.ts';
import { tensorType } from '../../../src/ir/types.ts';
import { cases } from '../case.ts';

const none = {} as const;
const a32 = tensor('i32', [4], [12, -1, 0x7fffffff, -8]);
const b32 = tensor('i32', [4], [10, 5, -2, 3]);
/** i64 values past 32 bits (exact in doubles): 2^40 + 12, -2^35, 5 * 2^32 + 1. */
const a64 = tensor('i64', [3], [2 ** 40 + 12, -(2 ** 35), 5 * 2 ** 32 + 1]);
const b64 = tensor('i64', [3], [2 ** 40 + 10, -1, 3 * 2 ** 32 + 3]);

/** Bitwise cases: values first, then shape-rule errors. */
export const bitwiseCases = cases([
  { name: 'bitAnd i32', op: 'bitAnd', attrs: none, inputs: [a32, b32], expect: [tensor('i32', [4], [8, 5, 0x7ffffffe, 0])] },
  { name: 'bitOr i32', op: 'bitOr', attrs: none, inputs: [a32, b32], expect: [tensor('i32', [4], [14, -1, -1, -5])] },
  { name: 'bitXor i32', op: 'bitXor', attrs: none, inputs: [a32, b32], expect: [tensor('i32', [4], [6, -6, -0x7fffffff, -5])] },
  { name: 'bitNot i32', op: 'bitNot', attrs: none, inputs: [a32], expect: [tensor('i32', [4], [-13, 0, -0x80000000, 7])] },
  { name: 'bitAnd i64 above 32 bits', op: 'bitAnd', attrs: none, inputs: [a64, b64], expect: [tensor('i64', [3], [2 ** 40 + 8, -(2 ** 35), 2 ** 32 + 1])] },
  { name: 'bitOr i64 above 32 bits', op: 'bitOr', attrs: none, inputs: [a64, b64], expect: [tensor('i64', [3], [2 ** 40 + 14, -1, 7 * 2 ** 32 + 3])] },
  { name: 'bitXor i64 above 32 bits', op: 'bitXor', attrs: none, inputs: [a64, b64], expect: [tensor('i64', [3], [6, 2 ** 35 - 1, 6 * 2 ** 32 + 2])] },
  { name: 'bitNot i64', op: 'bitNot', attrs: none, inputs: [a64], expect: [tensor('i64', [3], [-(2 ** 40) - 13, 2 ** 35 - 1, -5 * 2 ** 32 - 2])] },
  {
    name: 'bitAnd broadcasts a row against a column',
    op: 'bitAnd', attrs: none,
    inputs: [tensor('i32', [2, 1], [3, 6]), tensor('i32', [3], [1, 2, 4])],
    expect: [tensor('i32', [2, 3], [1, 2, 0, 0, 2, 4])],
  },
  {
    name: 'shiftLeft i32 wraps; amounts outside [0, 32) give 0',
    op: 'shiftLeft', attrs: none,
    inputs: [tensor('i32', [4], [1, 3, 5, 1]), tensor('i32', [4], [4, 31, 32, -1])],
    expect: [tensor('i32', [4], [16, -0x80000000, 0, 0])],
  },
  {
    name: 'shiftRight i32 is arithmetic; out-of-range amounts give 0 or -1',
    op: 'shiftRight', attrs: none,
    inputs: [tensor('i32', [4], [16, -16, 7, -7]), tensor('i32', [4], [2, 2, 40, 40])],
    expect: [tensor('i32', [4], [4, -4, 0, -1])],
  },
  {
    name: 'shiftLeft and shiftRight on i64 past 32 bits',
    op: 'shiftLeft', attrs: none,
    inputs: [tensor('i64', [3], [3, -1, 1]), tensor('i64', [3], [40, 33, 64])],
    expect: [tensor('i64', [3], [3 * 2 ** 40, -(2 ** 33), 0])],
  },
  {
    name: 'shiftRight i64',
    op: 'shiftRight', attrs: none,
    inputs: [tensor('i64', [3], [3 * 2 ** 40, -(2 ** 33) - 1, -5]), tensor('i64', [3], [38, 32, 70])],
    expect: [tensor('i64', [3], [12, -3, -1])],
  },
  { name: 'bitcast f32 to i32', op: 'bitcast', attrs: { to: 'i32' }, inputs: [f32([4], [1, -0, -2.5, Infinity])], expect: [tensor('i32', [4], [0x3f800000, -0x80000000, -0x3fe00000, 0x7f800000])] },
  { name: 'bitcast i32 to f32', op: 'bitcast', attrs: { to: 'f32' }, inputs: [tensor('i32', [3], [0x40490fdb, 1, -0x40800000])], expect: [f32([3], [3.1415927410125732, 2 ** -149, -1])] },
  { name: 'bitcast to i32 of an i32', op: 'bitcast', attrs: { to: 'i32' }, inputs: [tensorType('i32', [2])], error: /bitcast to i32 expects f32, got i32/ },
  { name: 'bitcast to f32 of an i64', op: 'bitcast', attrs: { to: 'f32' }, inputs: [tensorType('i64', [2])], error: /bitcast to f32 expects i32, got i64/ },
  { name: 'bitAnd on f32', op: 'bitAnd', attrs: none, inputs: [tensorType('f32', [2]), tensorType('f32', [2])], error: /bitAnd expects i32 or i64, got f32/ },
  { name: 'bitOr mixed dtypes', op: 'bitOr', attrs: none, inputs: [tensorType('i32', [2]), tensorType('i64', [2])], error: /bitOr expects matching dtypes/ },
  { name: 'bitXor shapes that do not broadcast', op: 'bitXor', attrs: none, inputs: [tensorType('i32', [2]), tensorType('i32', [3])], error: /broadcast/ },
  { name: 'bitNot on bool', op: 'bitNot', attrs: none, inputs: [tensorType('bool', [2])], error: /bitNot expects i32 or i64, got bool/ },
  { name: 'shiftLeft on f32', op: 'shiftLeft', attrs: none, inputs: [tensorType('f32', [2]), tensorType('f32', [2])], error: /shiftLeft expects i32 or i64/ },
  { name: 'shiftRight on bool', op: 'shiftRight', attrs: none, inputs: [tensorType('bool', [2]), tensorType('bool', [2])], error: /shiftRight expects i32 or i64/ },
]);
