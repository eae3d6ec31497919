// Cases for the elementwise unary ops. Expected values are hand-computed, Math.* in this
// file, or published constants (erf, and gelu through the normal CDF Phi: gelu(x) = x*Phi(x)).
import { f32, tensor } from '../../../src/ir/tensor.ts';
import { type DType, type Shape, tensorType } from '../../../src/ir/types.ts';
import { type OpCase, cases } from '../case.ts';

const i32 = (shape: Shape, data: number[]) => tensor('i32', shape, data);
const i64 = (shape: Shape, data: number[]) => tensor('i64', shape, data);
const bool = (shape: Shape, data: number[]) => tensor('bool', shape, data);
const t = tensorType;
const E = Math.E;
const Inf = Infinity;
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const geluTanh = (x: number) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
const none = {} as const;

/** Value and error cases of every unary op. */
export const unaryCases = cases([
  // ── identity ──
  { name: 'f32 with specials', op: 'identity', attrs: none, inputs: [f32([2, 2], [1, -2, NaN, Inf])], expect: [f32([2, 2], [1, -2, NaN, Inf])] },
  { name: 'i64', op: 'identity', attrs: none, inputs: [i64([3], [-5, 0, 2 ** 53 - 1])], expect: [i64([3], [-5, 0, 2 ** 53 - 1])] },
  { name: 'bool scalar', op: 'identity', attrs: none, inputs: [bool([], [1])], expect: [bool([], [1])] },
  { name: 'two inputs', op: 'identity', attrs: none, inputs: [t('f32', [2]), t('f32', [2])], error: /expects 1 inputs, got 2/ },
  // ── neg ──
  { name: 'f32', op: 'neg', attrs: none, inputs: [f32([5], [0, 1.5, -2, -Inf, NaN])], expect: [f32([5], [-0, -1.5, 2, Inf, NaN])] },
  { name: 'i32 wraps at the minimum', op: 'neg', attrs: none, inputs: [i32([3], [5, -7, -(2 ** 31)])], expect: [i32([3], [-5, 7, -(2 ** 31)])] },
  { name: 'i64', op: 'neg', attrs: none, inputs: [i64([2, 1], [3, -4])], expect: [i64([2, 1], [-3, 4])] },
  { name: 'bool', op: 'neg', attrs: none, inputs: [t('bool', [2])], error: /neg expects f32, i32 or i64, got bool/ },
  // ── abs ──
  { name: 'f32', op: 'abs', attrs: none, inputs: [f32([4], [-1.5, 2, -Inf, NaN])], expect: [f32([4], [1.5, 2, Inf, NaN])] },
  { name: 'i32 wraps at the minimum', op: 'abs', attrs: none, inputs: [i32([3], [-3, 4, -(2 ** 31)])], expect: [i32([3], [3, 4, -(2 ** 31)])] },
  { name: 'i64', op: 'abs', attrs: none, inputs: [i64([2], [-9, 9])], expect: [i64([2], [9, 9])] },
  { name: 'bool', op: 'abs', attrs: none, inputs: [t('bool', [1])], error: /abs expects f32, i32 or i64, got bool/ },
  // ── relu ──
  { name: 'f32', op: 'relu', attrs: none, inputs: [f32([2, 3], [-1, 0, 2.5, NaN, -Inf, Inf])], expect: [f32([2, 3], [0, 0, 2.5, NaN, 0, Inf])] },
  { name: 'i32', op: 'relu', attrs: none, inputs: [i32([3], [-3, 0, 4])], expect: [i32([3], [0, 0, 4])] },
  { name: 'i64', op: 'relu', attrs: none, inputs: [i64([2], [-8, 8])], expect: [i64([2], [0, 8])] },
  { name: 'bool', op: 'relu', attrs: none, inputs: [t('bool', [3])], error: /relu expects f32, i32 or i64, got bool/ },
  // ── exp ──
  {
    name: 'values, overflow to Inf in f32', op: 'exp', attrs: none,
    inputs: [f32([7], [0, 1, -1, Inf, -Inf, NaN, 100])],
    expect: [f32([7], [1, E, Math.exp(-1), Inf, 0, NaN, Inf])],
  },
  { name: 'i32', op: 'exp', attrs: none, inputs: [t('i32', [2])], error: /exp expects f32, got i32/ },
  // ── log ──
  {
    name: 'values and domain edges', op: 'log', attrs: none,
    inputs: [f32([6], [1, E, 0, -1, Inf, NaN])],
    expect: [f32([6], [0, 1, -Inf, NaN, Inf, NaN])],
  },
  { name: 'i64', op: 'log', attrs: none, inputs: [t('i64', [2])], error: /log expects f32, got i64/ },
  // ── sqrt ──
  { name: 'values and domain edges', op: 'sqrt', attrs: none, inputs: [f32([5], [4, 2, 0, -1, Inf])], expect: [f32([5], [2, Math.SQRT2, 0, NaN, Inf])] },
  { name: 'bool', op: 'sqrt', attrs: none, inputs: [t('bool', [2])], error: /sqrt expects f32, got bool/ },
  // ── reciprocal ──
  {
    name: 'signed zeros and Inf', op: 'reciprocal', attrs: none,
    inputs: [f32([5], [2, -4, 0, -0, Inf])],
    expect: [f32([5], [0.5, -0.25, Inf, -Inf, 0])],
  },
  { name: 'i32', op: 'reciprocal', attrs: none, inputs: [t('i32', [2])], error: /reciprocal expects f32, got i32/ },
  // ── tanh ──
  {
    name: 'values and saturation', op: 'tanh', attrs: none,
    inputs: [f32([6], [0, 0.5, -2, 20, -Inf, NaN])],
    expect: [f32([6], [0, Math.tanh(0.5), Math.tanh(-2), 1, -1, NaN])],
  },
  { name: 'i32', op: 'tanh', attrs: none, inputs: [t('i32', [1])], error: /tanh expects f32, got i32/ },
  // ── sigmoid ──
  { name: 'values', op: 'sigmoid', attrs: none, inputs: [f32([2, 2], [0, 2, -2, 0.25])], expect: [f32([2, 2], [0.5, sigmoid(2), sigmoid(-2), sigmoid(0.25)])] },
  {
    name: 'saturates without overflow', op: 'sigmoid', attrs: none, rtol: 1e-6, atol: 0,
    inputs: [f32([6], [1000, -1000, Inf, -Inf, -100, NaN])],
    expect: [f32([6], [1, 0, 1, 0, 1 / (1 + Math.exp(100)), NaN])],
  },
  { name: 'i64', op: 'sigmoid', attrs: none, inputs: [t('i64', [1])], error: /sigmoid expects f32, got i64/ },
  // ── erf ──
  {
    name: 'published values', op: 'erf', attrs: none,
    inputs: [f32([2, 4], [0, 0.5, 1, 2, -3, Inf, -Inf, NaN])],
    expect: [f32([2, 4], [0, 0.5204998778130465, 0.8427007929497149, 0.9953222650189527, -0.9999779095030014, 1, -1, NaN])],
  },
  { name: 'i32', op: 'erf', attrs: none, inputs: [t('i32', [1])], error: /erf expects f32, got i32/ },
  // ── roundF16 ──
  {
    // Ties to even at 1 (ulp 2^-10) and between subnormals (2^-24), 65519 down to the largest half,
    // 65520 up to Infinity, 0.1 to its nearest half; NaN, ±Inf and -0 pass.
    name: 'nearest float16, ties to even', op: 'roundF16', attrs: none,
    inputs: [f32([14], [1, 1 + 2 ** -11, 1 + 3 * 2 ** -11, 65504, 65519, 65520, -65520, 2 ** -24, 2 ** -25, 3 * 2 ** -25, 0.1, NaN, -Inf, -0])],
    expect: [f32([14], [1, 1, 1 + 2 ** -9, 65504, 65504, Inf, -Inf, 2 ** -24, 0, 2 ** -23, 0.0999755859375, NaN, -Inf, -0])],
    rtol: 1e-9, atol: 0, // exact: f32 resolution is 6e-8 relative (0 would make rtol * Inf NaN)
  },
  { name: 'i32', op: 'roundF16', attrs: none, inputs: [t('i32', [1])], error: /roundF16 expects f32, got i32/ },
  // ── gelu ──
  {
    name: 'exact form is x * Phi(x)', op: 'gelu', attrs: { approximate: 'none' },
    inputs: [f32([6], [0, 1, -1, 2, 3, Inf])],
    expect: [f32([6], [0, 0.8413447460685429, -0.15865525393145705, 1.9544997361036416, 2.99595030590511, Inf])],
  },
  {
    name: 'exact form, far tails', op: 'gelu', attrs: { approximate: 'none' },
    inputs: [f32([2], [-10, 10])],
    expect: [f32([2], [-7.619853024160526e-23, 10])],
  },
  {
    name: 'tanh approximation', op: 'gelu', attrs: { approximate: 'tanh' },
    inputs: [f32([6], [0, 1, -1, 2, -3, 10])],
    expect: [f32([6], [0, 1, -1, 2, -3, 10].map(geluTanh))],
  },
  { name: 'i32', op: 'gelu', attrs: { approximate: 'none' }, inputs: [t('i32', [2])], error: /gelu expects f32, got i32/ },
  {
    name: 'unknown approximation', op: 'gelu', attrs: { approximate: 'fast' as 'tanh' },
    inputs: [t('f32', [2])], error: /gelu approximate must be 'none' or 'tanh', got "fast"/,
  },
  // ── not ──
  { name: 'bool', op: 'not', attrs: none, inputs: [bool([2, 2], [1, 0, 0, 1])], expect: [bool([2, 2], [0, 1, 1, 0])] },
  { name: 'f32', op: 'not', attrs: none, inputs: [t('f32', [2])], error: /not expects bool, got f32/ },
  // ── cast ──
  {
    name: 'f32 to i32 truncates; NaN, Inf to 0; out of range wraps', op: 'cast', attrs: { to: 'i32' },
    inputs: [f32([7], [1.7, -1.7, 2.5, -0.5, NaN, -Inf, 3e9])],
    expect: [i32([7], [1, -1, 2, 0, 0, 0, 3e9 - 2 ** 32])],
  },
  { name: 'f32 to i64', op: 'cast', attrs: { to: 'i64' }, inputs: [f32([4], [-2.9, 1e10, NaN, Inf])], expect: [i64([4], [-2, 1e10, 0, 0])] },
  {
    name: 'f32 to bool is x != 0, NaN true', op: 'cast', attrs: { to: 'bool' },
    inputs: [f32([5], [0, -0, 0.5, NaN, -Inf])],
    expect: [bool([5], [0, 0, 1, 1, 1])],
  },
  { name: 'bool to f32', op: 'cast', attrs: { to: 'f32' }, inputs: [bool([2], [1, 0])], expect: [f32([2], [1, 0])] },
  { name: 'bool to i64', op: 'cast', attrs: { to: 'i64' }, inputs: [bool([2], [0, 1])], expect: [i64([2], [0, 1])] },
  { name: 'i32 to f32 rounds', op: 'cast', attrs: { to: 'f32' }, inputs: [i32([2], [16777217, -3])], expect: [f32([2], [16777216, -3])], rtol: 0, atol: 0 },
  { name: 'i64 to i32 wraps', op: 'cast', attrs: { to: 'i32' }, inputs: [i64([3], [2 ** 31, -5, 2 ** 32 + 7])], expect: [i32([3], [-(2 ** 31), -5, 7])] },
  { name: 'i32 to bool', op: 'cast', attrs: { to: 'bool' }, inputs: [i32([3], [0, -1, 2])], expect: [bool([3], [0, 1, 1])] },
  { name: 'to its own dtype', op: 'cast', attrs: { to: 'i64' }, inputs: [i64([2], [-7, 7])], expect: [i64([2], [-7, 7])] },
  { name: 'unknown dtype', op: 'cast', attrs: { to: 'f16' as DType }, inputs: [t('f32', [2])], error: /cast to unknown dtype "f16"/ },
  { name: 'no input', op: 'cast', attrs: { to: 'f32' }, inputs: [], error: /expects 1 inputs, got 0/ },
  // ── trigonometric and hyperbolic (Math.* as the oracle; domain edges give NaN or ±Inf) ──
  ...(['sin', 'cos', 'tan', 'atan', 'sinh', 'cosh', 'asinh'] as const).map((op) => ({
    name: 'values and NaN', op, attrs: none,
    inputs: [f32([6], [0, 0.5, -1.25, 2, -3, NaN])],
    expect: [f32([6], [0, 0.5, -1.25, 2, -3, NaN].map(Math[op]))],
  }) as OpCase),
  { name: 'values and domain edges', op: 'asin', attrs: none, inputs: [f32([5], [0, 0.5, -1, 1, 1.5])], expect: [f32([5], [0, Math.PI / 6, -Math.PI / 2, Math.PI / 2, NaN])] },
  { name: 'values and domain edges', op: 'acos', attrs: none, inputs: [f32([4], [1, 0.5, -1, -2])], expect: [f32([4], [0, Math.PI / 3, Math.PI, NaN])] },
  { name: 'values and domain edges', op: 'acosh', attrs: none, inputs: [f32([4], [1, 2, Inf, 0.5])], expect: [f32([4], [0, Math.log(2 + Math.sqrt(3)), Inf, NaN])] },
  { name: 'values and domain edges', op: 'atanh', attrs: none, inputs: [f32([5], [0, 0.5, 1, -1, 2])], expect: [f32([5], [0, 0.5 * Math.log(3), Inf, -Inf, NaN])] },
  { name: 'large |x| saturates', op: 'tanh', attrs: none, inputs: [f32([2], [50, -50])], expect: [f32([2], [1, -1])] },
  ...(['sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'sinh', 'cosh', 'asinh', 'acosh', 'atanh', 'floor', 'ceil', 'round'] as const).map((op) => ({
    name: 'i32', op, attrs: none, inputs: [t('i32', [2])], error: new RegExp(`${op} expects f32, got i32`),
  }) as OpCase),
  // ── rounding and sign ──
  { name: 'values and specials', op: 'floor', attrs: none, inputs: [f32([6], [1.5, -1.5, 2, -0, Inf, NaN])], expect: [f32([6], [1, -2, 2, -0, Inf, NaN])] },
  { name: 'values and specials', op: 'ceil', attrs: none, inputs: [f32([6], [1.5, -1.5, 2, -0.5, -Inf, NaN])], expect: [f32([6], [2, -1, 2, -0, -Inf, NaN])] },
  {
    name: 'half to even', op: 'round', attrs: none,
    inputs: [f32([10], [0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4, -2.6, Inf, NaN])],
    expect: [f32([10], [0, 2, 2, -0, -2, -2, 2, -3, Inf, NaN])],
  },
  { name: 'f32', op: 'sign', attrs: none, inputs: [f32([5], [-2.5, 0, 3, -Inf, NaN])], expect: [f32([5], [-1, 0, 1, -1, NaN])] },
  { name: 'i64', op: 'sign', attrs: none, inputs: [i64([3], [-7, 0, 9])], expect: [i64([3], [-1, 0, 1])] },
  { name: 'bool', op: 'sign', attrs: none, inputs: [t('bool', [2])], error: /sign expects f32, i32 or i64, got bool/ },
  // ── activations (hand-computed from the ONNX definitions) ──
  {
    name: 'log(1 + e^x), no overflow', op: 'softplus', attrs: none,
    inputs: [f32([5], [0, 1, -1, 100, -100])],
    expect: [f32([5], [Math.LN2, Math.log(1 + E), Math.log(1 + 1 / E), 100, Math.exp(-100)])],
  },
  { name: 'x / (1 + |x|)', op: 'softsign', attrs: none, inputs: [f32([4], [0, 1, -3, Inf])], expect: [f32([4], [0, 0.5, -0.75, 1])] },
  {
    name: 'x tanh(softplus(x))', op: 'mish', attrs: none,
    inputs: [f32([4], [0, 1, -2, 30])],
    expect: [f32([4], [0, Math.tanh(Math.log(1 + E)), -2 * Math.tanh(Math.log(1 + Math.exp(-2))), 30])],
  },
  { name: 'x relu6(x + 3) / 6', op: 'hardSwish', attrs: none, inputs: [f32([5], [-4, -3, 0, 1.5, 4])], expect: [f32([5], [0, 0, 0, 1.5 * 0.75, 4])] },
  { name: 'alpha 0.1', op: 'leakyRelu', attrs: { alpha: 0.1 }, inputs: [f32([4], [-2, 0, 3, NaN])], expect: [f32([4], [-0.2, 0, 3, NaN])] },
  { name: 'alpha 2', op: 'elu', attrs: { alpha: 2 }, inputs: [f32([4], [-1, 0, 3, -Inf])], expect: [f32([4], [2 * (1 / E - 1), 0, 3, -2])] },
  {
    name: 'alpha 2, gamma 3', op: 'selu', attrs: { alpha: 2, gamma: 3 },
    inputs: [f32([3], [-1, 0, 2])],
    expect: [f32([3], [6 * (1 / E - 1), 0, 6])],
  },
  { name: 'alpha 2', op: 'celu', attrs: { alpha: 2 }, inputs: [f32([3], [-2, 0, 1.5])], expect: [f32([3], [2 * (1 / E - 1), 0, 1.5])] },
  { name: 'alpha 0', op: 'celu', attrs: { alpha: 0 }, inputs: [t('f32', [2])], error: /celu alpha must not be 0/ },
  {
    name: 'alpha 0.5, beta 0.6, clamped', op: 'hardSigmoid', attrs: { alpha: 0.5, beta: 0.6 },
    inputs: [f32([4], [-2, 0, 0.5, 1])],
    expect: [f32([4], [0, 0.6, 0.85, 1])],
  },
  { name: 'alpha 2', op: 'thresholdedRelu', attrs: { alpha: 2 }, inputs: [f32([4], [1, 2, 2.5, -3])], expect: [f32([4], [0, 0, 2.5, 0])] },
  {
    name: 'lambd 1.5, bias 1', op: 'shrink', attrs: { lambd: 1.5, bias: 1 },
    inputs: [f32([5], [-2, -1.5, 0, 1.5, 3])],
    expect: [f32([5], [-1, 0, 0, 0, 2])],
  },
  ...(['softplus', 'softsign', 'mish', 'hardSwish', 'isNaN'] as const).map((op) => ({
    name: 'i64', op, attrs: none, inputs: [t('i64', [2])], error: new RegExp(`${op} expects f32, got i64`),
  }) as OpCase),
  { name: 'i32', op: 'leakyRelu', attrs: { alpha: 0.1 }, inputs: [t('i32', [2])], error: /leakyRelu expects f32, got i32/ },
  { name: 'NaN alpha', op: 'elu', attrs: { alpha: NaN }, inputs: [t('f32', [2])], error: /elu alpha must be a finite number, got NaN/ },
  { name: 'infinite gamma', op: 'selu', attrs: { alpha: 1, gamma: Inf }, inputs: [t('f32', [2])], error: /selu gamma must be a finite number, got Infinity/ },
  { name: 'NaN beta', op: 'hardSigmoid', attrs: { alpha: 1, beta: NaN }, inputs: [t('f32', [2])], error: /hardSigmoid beta must be a finite number/ },
  { name: 'NaN alpha', op: 'thresholdedRelu', attrs: { alpha: NaN }, inputs: [t('f32', [2])], error: /thresholdedRelu alpha must be a finite number/ },
  { name: 'infinite lambd', op: 'shrink', attrs: { lambd: -Inf, bias: 0 }, inputs: [t('f32', [2])], error: /shrink lambd must be a finite number/ },
  // ── predicates ──
  { name: 'only NaN', op: 'isNaN', attrs: none, inputs: [f32([5], [NaN, 0, Inf, -Inf, 1])], expect: [bool([5], [1, 0, 0, 0, 0])] },
  {
    name: 'both signs', op: 'isInf', attrs: { detectPositive: true, detectNegative: true },
    inputs: [f32([5], [Inf, -Inf, NaN, 0, 3.4e38])], expect: [bool([5], [1, 1, 0, 0, 0])],
  },
  {
    name: 'negative only', op: 'isInf', attrs: { detectPositive: false, detectNegative: true },
    inputs: [f32([3], [Inf, -Inf, 1])], expect: [bool([3], [0, 1, 0])],
  },
  { name: 'i32', op: 'isInf', attrs: { detectPositive: true, detectNegative: true }, inputs: [t('i32', [2])], error: /isInf expects f32, got i32/ },
]);
