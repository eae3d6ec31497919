// Cases for the elementwise binary ops and where; expected values are hand-computed.
import { f32, tensor } from '../../../src/ir/tensor.ts';
import { type Shape, tensorType } from '../../../src/ir/types.ts';
import { cases } from '../case.ts';

const i32 = (shape: Shape, data: number[]) => tensor('i32', shape, data);
const i64 = (shape: Shape, data: number[]) => tensor('i64', shape, data);
const bool = (shape: Shape, data: number[]) => tensor('bool', shape, data);
const t = tensorType;
const Inf = Infinity;
const none = {} as const;
const I32_MIN = -(2 ** 31);
const I32_MAX = 2 ** 31 - 1;

/** Value and error cases of every binary op and of where. */
export const binaryCases = cases([
  // ── add ──
  {
    name: 'f32 broadcast row', op: 'add', attrs: none,
    inputs: [f32([2, 3], [1, 2, 3, 4, 5, 6]), f32([3], [10, -20, 0.5])],
    expect: [f32([2, 3], [11, -18, 3.5, 14, -15, 6.5])],
  },
  {
    name: 'broadcast both ways', op: 'add', attrs: none,
    inputs: [f32([2, 1], [1, 2]), f32([1, 3], [10, 20, 30])],
    expect: [f32([2, 3], [11, 21, 31, 12, 22, 32])],
  },
  { name: 'f32 specials', op: 'add', attrs: none, inputs: [f32([4], [Inf, Inf, NaN, -0]), f32([4], [-Inf, 1, 1, -0])], expect: [f32([4], [NaN, Inf, NaN, -0])] },
  { name: 'i32 wraps', op: 'add', attrs: none, inputs: [i32([2], [I32_MAX, I32_MIN]), i32([2], [1, -1])], expect: [i32([2], [I32_MIN, I32_MAX])] },
  { name: 'i64 plus scalar', op: 'add', attrs: none, inputs: [i64([3], [1, -2, 2 ** 40]), i64([], [5])], expect: [i64([3], [6, 3, 2 ** 40 + 5])] },
  { name: 'mismatched dtypes', op: 'add', attrs: none, inputs: [t('f32', [2]), t('i32', [2])], error: /add expects matching dtypes, got f32\[2\] and i32\[2\]/ },
  { name: 'bool', op: 'add', attrs: none, inputs: [t('bool', [2]), t('bool', [2])], error: /add expects f32, i32 or i64, got bool/ },
  { name: 'shapes do not broadcast', op: 'add', attrs: none, inputs: [t('f32', [2, 3]), t('f32', [2])], error: /\[2,3\] and \[2\] do not broadcast/ },
  { name: 'one input', op: 'add', attrs: none, inputs: [t('f32', [2])], error: /expects 2 inputs, got 1/ },
  // ── sub ──
  { name: 'f32 broadcast column', op: 'sub', attrs: none, inputs: [f32([2, 2], [5, 3, 1, -1]), f32([2, 1], [1, -2])], expect: [f32([2, 2], [4, 2, 3, 1])] },
  { name: 'Inf minus Inf', op: 'sub', attrs: none, inputs: [f32([2], [Inf, -Inf]), f32([2], [Inf, Inf])], expect: [f32([2], [NaN, -Inf])] },
  { name: 'i32 wraps', op: 'sub', attrs: none, inputs: [i32([1], [I32_MIN]), i32([1], [1])], expect: [i32([1], [I32_MAX])] },
  { name: 'i64', op: 'sub', attrs: none, inputs: [i64([2], [10, -10]), i64([2], [20, -20])], expect: [i64([2], [-10, 10])] },
  { name: 'mismatched dtypes', op: 'sub', attrs: none, inputs: [t('i32', [2]), t('i64', [2])], error: /sub expects matching dtypes, got i32\[2\] and i64\[2\]/ },
  { name: 'bool', op: 'sub', attrs: none, inputs: [t('bool', [1]), t('bool', [1])], error: /sub expects f32, i32 or i64, got bool/ },
  // ── mul ──
  { name: 'f32 times scalar', op: 'mul', attrs: none, inputs: [f32([3], [1.5, -2, 0]), f32([], [-4])], expect: [f32([3], [-6, 8, -0])] },
  { name: 'f32 specials', op: 'mul', attrs: none, inputs: [f32([3], [Inf, 0, NaN]), f32([3], [0, -Inf, 2])], expect: [f32([3], [NaN, NaN, NaN])] },
  {
    name: 'i32 wraps exactly (low 32 bits of the product)', op: 'mul', attrs: none,
    inputs: [i32([3], [65536, I32_MAX, -3]), i32([3], [65536, I32_MAX, 7])],
    expect: [i32([3], [0, 1, -21])],
  },
  { name: 'i64', op: 'mul', attrs: none, inputs: [i64([2], [2 ** 26, -3]), i64([2], [2 ** 26, 5])], expect: [i64([2], [2 ** 52, -15])] },
  { name: 'mismatched dtypes', op: 'mul', attrs: none, inputs: [t('f32', [3]), t('i64', [3])], error: /mul expects matching dtypes, got f32\[3\] and i64\[3\]/ },
  { name: 'shapes do not broadcast', op: 'mul', attrs: none, inputs: [t('f32', [3]), t('f32', [4])], error: /do not broadcast/ },
  // ── mod (floored: the divisor's sign) ──
  {
    name: 'i32 signs follow the divisor, by zero gives 0', op: 'mod', attrs: none,
    inputs: [i32([6], [7, -7, 7, -7, 6, 5]), i32([6], [3, 3, -3, -3, 3, 0])],
    expect: [i32([6], [1, 2, -2, -1, 0, 0])],
  },
  { name: 'i64 broadcast', op: 'mod', attrs: none, inputs: [i64([2, 2], [10, -10, 2 ** 40 + 3, -1]), i64([2], [4, 7])], expect: [i64([2, 2], [2, 4, 3, 6])] },
  { name: 'f32 (fmod only)', op: 'mod', attrs: none, inputs: [t('f32', [2]), t('f32', [2])], error: /mod expects i32 or i64, got f32/ },
  // ── fmod (truncated: the dividend's sign) ──
  {
    name: 'f32 exact, by zero NaN', op: 'fmod', attrs: none,
    inputs: [f32([6], [5.5, -5.5, 5.5, -0, 1, Inf]), f32([6], [2, 2, -2, 3, 0, 2])],
    expect: [f32([6], [1.5, -1.5, 1.5, -0, NaN, NaN])],
  },
  {
    name: 'i32 signs follow the dividend, by zero gives 0', op: 'fmod', attrs: none,
    inputs: [i32([5], [7, -7, 7, -7, 9]), i32([5], [3, 3, -3, -3, 0])],
    expect: [i32([5], [1, -1, 1, -1, 0])],
  },
  { name: 'bool', op: 'fmod', attrs: none, inputs: [t('bool', [2]), t('bool', [2])], error: /fmod expects f32, i32 or i64, got bool/ },
  // ── div ──
  {
    name: 'f32 by zero is IEEE', op: 'div', attrs: none,
    inputs: [f32([6], [1, -1, 0, 1, 7, 1]), f32([6], [0, 0, 0, 3, -2, -0])],
    expect: [f32([6], [Inf, -Inf, NaN, 1 / 3, -3.5, -Inf])],
  },
  {
    name: 'i32 truncates toward zero, by zero gives 0', op: 'div', attrs: none,
    inputs: [i32([6], [7, -7, 7, -7, 5, I32_MIN]), i32([6], [2, 2, -2, -2, 0, -1])],
    expect: [i32([6], [3, -3, -3, 3, 0, I32_MIN])],
  },
  { name: 'i64 broadcast', op: 'div', attrs: none, inputs: [i64([3, 2], [9, -9, 100, 1, 5, 6]), i64([2], [4, -3])], expect: [i64([3, 2], [2, 3, 25, 0, 1, -2])] },
  { name: 'i64 by zero gives 0', op: 'div', attrs: none, inputs: [i64([2], [5, -5]), i64([], [0])], expect: [i64([2], [0, 0])] },
  { name: 'bool', op: 'div', attrs: none, inputs: [t('bool', [2]), t('bool', [2])], error: /div expects f32, i32 or i64, got bool/ },
  { name: 'mismatched dtypes', op: 'div', attrs: none, inputs: [t('i32', [1]), t('f32', [1])], error: /div expects matching dtypes/ },
  // ── pow ──
  {
    name: 'f32 with C99 special cases', op: 'pow', attrs: none,
    inputs: [f32([10], [2, 4, -2, 0, NaN, 1, -8, -1, 2, 0]), f32([10], [3, 0.5, 2, 0, 0, NaN, 1 / 3, Inf, -1, -1])],
    expect: [f32([10], [8, 2, 4, 1, 1, 1, NaN, 1, 0.5, Inf])],
  },
  { name: 'f32 broadcast', op: 'pow', attrs: none, inputs: [f32([2, 2], [1, 2, 3, 4]), f32([2], [2, 3])], expect: [f32([2, 2], [1, 8, 9, 64])] },
  {
    name: 'i32 exact, wrapping; negative exponents truncate', op: 'pow', attrs: none,
    inputs: [i32([10], [2, 3, -2, 5, 1, -1, -1, 0, 0, 3]), i32([10], [10, 0, 3, -1, -3, -3, -2, 0, -1, 21])],
    expect: [i32([10], [1024, 1, -8, 0, 1, -1, 1, 1, 0, 3 ** 21 - 2 * 2 ** 32])],
  },
  { name: 'i64', op: 'pow', attrs: none, inputs: [i64([3], [2, -3, 10]), i64([3], [40, 3, 15])], expect: [i64([3], [2 ** 40, -27, 1e15])] },
  { name: 'bool', op: 'pow', attrs: none, inputs: [t('bool', [2]), t('bool', [2])], error: /pow expects f32, i32 or i64, got bool/ },
  { name: 'mismatched dtypes', op: 'pow', attrs: none, inputs: [t('f32', [2]), t('i64', [])], error: /pow expects matching dtypes, got f32\[2\] and i64\[\]/ },
  // ── max ──
  { name: 'f32 propagates NaN', op: 'max', attrs: none, inputs: [f32([4], [1, NaN, -Inf, 3]), f32([4], [2, 1, 0, NaN])], expect: [f32([4], [2, NaN, 0, NaN])] },
  { name: 'i32 with scalar', op: 'max', attrs: none, inputs: [i32([2, 2], [-1, 5, 0, -7]), i32([], [0])], expect: [i32([2, 2], [0, 5, 0, 0])] },
  { name: 'i64', op: 'max', attrs: none, inputs: [i64([2], [-(2 ** 40), 3]), i64([2], [-1, -3])], expect: [i64([2], [-1, 3])] },
  { name: 'bool', op: 'max', attrs: none, inputs: [t('bool', [2]), t('bool', [2])], error: /max expects f32, i32 or i64, got bool/ },
  { name: 'shapes do not broadcast', op: 'max', attrs: none, inputs: [t('i32', [2, 2]), t('i32', [3, 2])], error: /do not broadcast/ },
  // ── min ──
  { name: 'f32 propagates NaN', op: 'min', attrs: none, inputs: [f32([4], [1, NaN, -Inf, 3]), f32([4], [2, 1, 0, NaN])], expect: [f32([4], [1, NaN, -Inf, NaN])] },
  { name: 'i32 broadcast', op: 'min', attrs: none, inputs: [i32([2, 1], [1, 4]), i32([3], [0, 2, 5])], expect: [i32([2, 3], [0, 1, 1, 0, 2, 4])] },
  { name: 'i64', op: 'min', attrs: none, inputs: [i64([2], [-(2 ** 40), 3]), i64([2], [-1, -3])], expect: [i64([2], [-(2 ** 40), -3])] },
  { name: 'bool', op: 'min', attrs: none, inputs: [t('bool', [2]), t('bool', [2])], error: /min expects f32, i32 or i64, got bool/ },
  { name: 'mismatched dtypes', op: 'min', attrs: none, inputs: [t('i32', [2]), t('i64', [2])], error: /min expects matching dtypes/ },
  // ── equal ──
  { name: 'f32: NaN unequal, zeros equal', op: 'equal', attrs: none, inputs: [f32([4], [1, NaN, 0, 2]), f32([4], [1, NaN, -0, 3])], expect: [bool([4], [1, 0, 1, 0])] },
  { name: 'i64 with scalar', op: 'equal', attrs: none, inputs: [i64([2, 2], [5, -3, 7, 5]), i64([], [5])], expect: [bool([2, 2], [1, 0, 0, 1])] },
  { name: 'i32', op: 'equal', attrs: none, inputs: [i32([2], [I32_MIN, 1]), i32([2], [I32_MIN, -1])], expect: [bool([2], [1, 0])] },
  { name: 'bool', op: 'equal', attrs: none, inputs: [bool([4], [1, 0, 1, 0]), bool([4], [1, 1, 0, 0])], expect: [bool([4], [1, 0, 0, 1])] },
  { name: 'mismatched dtypes', op: 'equal', attrs: none, inputs: [t('f32', [2]), t('bool', [2])], error: /equal expects matching dtypes, got f32\[2\] and bool\[2\]/ },
  { name: 'shapes do not broadcast', op: 'equal', attrs: none, inputs: [t('i64', [2]), t('i64', [3])], error: /do not broadcast/ },
  // ── less ──
  { name: 'f32 broadcast, NaN false', op: 'less', attrs: none, inputs: [f32([2, 1], [2, NaN]), f32([3], [1, 2, 3])], expect: [bool([2, 3], [0, 0, 1, 0, 0, 0])] },
  { name: 'i32', op: 'less', attrs: none, inputs: [i32([3], [-1, 0, 5]), i32([3], [0, 0, 0])], expect: [bool([3], [1, 0, 0])] },
  { name: 'i64', op: 'less', attrs: none, inputs: [i64([2], [-(2 ** 40), 2 ** 40]), i64([2], [0, 0])], expect: [bool([2], [1, 0])] },
  { name: 'bool: false < true', op: 'less', attrs: none, inputs: [bool([4], [0, 0, 1, 1]), bool([4], [0, 1, 0, 1])], expect: [bool([4], [0, 1, 0, 0])] },
  { name: 'mismatched dtypes', op: 'less', attrs: none, inputs: [t('i32', [2]), t('f32', [2])], error: /less expects matching dtypes, got i32\[2\] and f32\[2\]/ },
  { name: 'shapes do not broadcast', op: 'less', attrs: none, inputs: [t('f32', [4, 2]), t('f32', [4])], error: /do not broadcast/ },
  // ── greater ──
  { name: 'f32 specials', op: 'greater', attrs: none, inputs: [f32([4], [2, NaN, Inf, -0]), f32([4], [1, 1, Inf, 0])], expect: [bool([4], [1, 0, 0, 0])] },
  { name: 'i64 scalar against vector', op: 'greater', attrs: none, inputs: [i64([], [0]), i64([3], [-1, 0, 1])], expect: [bool([3], [1, 0, 0])] },
  { name: 'bool: true > false', op: 'greater', attrs: none, inputs: [bool([4], [0, 0, 1, 1]), bool([4], [0, 1, 0, 1])], expect: [bool([4], [0, 0, 1, 0])] },
  { name: 'mismatched dtypes', op: 'greater', attrs: none, inputs: [t('i64', [1]), t('i32', [1])], error: /greater expects matching dtypes/ },
  // ── and ──
  { name: 'truth table', op: 'and', attrs: none, inputs: [bool([4], [1, 1, 0, 0]), bool([4], [1, 0, 1, 0])], expect: [bool([4], [1, 0, 0, 0])] },
  { name: 'broadcast', op: 'and', attrs: none, inputs: [bool([2, 1], [1, 0]), bool([1, 2], [1, 0])], expect: [bool([2, 2], [1, 0, 0, 0])] },
  { name: 'f32', op: 'and', attrs: none, inputs: [t('f32', [2]), t('f32', [2])], error: /and expects bool, got f32/ },
  { name: 'mismatched dtypes', op: 'and', attrs: none, inputs: [t('bool', [2]), t('i32', [2])], error: /and expects matching dtypes, got bool\[2\] and i32\[2\]/ },
  // ── or ──
  { name: 'truth table', op: 'or', attrs: none, inputs: [bool([4], [1, 1, 0, 0]), bool([4], [1, 0, 1, 0])], expect: [bool([4], [1, 1, 1, 0])] },
  { name: 'scalar broadcast', op: 'or', attrs: none, inputs: [bool([], [0]), bool([3], [0, 1, 0])], expect: [bool([3], [0, 1, 0])] },
  { name: 'i32', op: 'or', attrs: none, inputs: [t('i32', [2]), t('i32', [2])], error: /or expects bool, got i32/ },
  { name: 'shapes do not broadcast', op: 'or', attrs: none, inputs: [t('bool', [2]), t('bool', [5])], error: /do not broadcast/ },
  // ── where ──
  {
    name: 'f32, all three broadcast', op: 'where', attrs: none,
    inputs: [bool([2, 1], [1, 0]), f32([3], [1, 2, 3]), f32([], [-1])],
    expect: [f32([2, 3], [1, 2, 3, -1, -1, -1])],
  },
  {
    name: 'NaN in the unselected branch is ignored', op: 'where', attrs: none,
    inputs: [bool([3], [0, 1, 1]), f32([3], [NaN, 1, Inf]), f32([3], [0, NaN, 5])],
    expect: [f32([3], [0, 1, Inf])],
  },
  {
    name: 'i32 to a larger shape than any input', op: 'where', attrs: none,
    inputs: [bool([2, 1, 1], [1, 0]), i32([3, 1], [1, 2, 3]), i32([1, 2], [10, 20])],
    expect: [i32([2, 3, 2], [1, 1, 2, 2, 3, 3, 10, 20, 10, 20, 10, 20])],
  },
  { name: 'i64 with scalar condition', op: 'where', attrs: none, inputs: [bool([], [1]), i64([2], [2 ** 40, -1]), i64([2], [0, 0])], expect: [i64([2], [2 ** 40, -1])] },
  {
    name: 'bool branches', op: 'where', attrs: none,
    inputs: [bool([2, 2], [1, 0, 0, 1]), bool([2, 2], [1, 1, 1, 1]), bool([2], [0, 1])],
    expect: [bool([2, 2], [1, 1, 0, 1])],
  },
  { name: 'f32 condition', op: 'where', attrs: none, inputs: [t('f32', [2]), t('f32', [2]), t('f32', [2])], error: /where expects a bool condition, got f32\[2\]/ },
  {
    name: 'x and y dtypes differ', op: 'where', attrs: none,
    inputs: [t('bool', [2]), t('f32', [2]), t('i32', [2])],
    error: /where expects matching dtypes, got f32\[2\] and i32\[2\]/,
  },
  { name: 'shapes do not broadcast', op: 'where', attrs: none, inputs: [t('bool', [3]), t('f32', [2]), t('f32', [2])], error: /do not broadcast/ },
  { name: 'two inputs', op: 'where', attrs: none, inputs: [t('bool', [2]), t('f32', [2])], error: /expects 3 inputs, got 2/ },
]);
