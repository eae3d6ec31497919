// Elementwise ONNX ops: one IR op each (numpy broadcasting is the IR's), plus Cast and Pow's
// mixed operand types, GreaterOrEqual/LessOrEqual (NaN-exact), Clip as max/min, CastLike as Cast,
// Mod (floored or fmod), PRelu as a where, the parametric activations.
import type { OpKind } from '../../../ops/attrs.ts';
import type { NodeContext, Val } from '../context.ts';
import { dtypeOf } from '../tensor.ts';
import { type NarrowStep, narrowSteps } from '../narrow.ts';
import type { Lowering, Lowerings } from './lowering.ts';

type Unary =
  | 'neg' | 'abs' | 'exp' | 'log' | 'sqrt' | 'reciprocal' | 'tanh' | 'sigmoid' | 'relu' | 'erf' | 'not'
  | 'sin' | 'cos' | 'tan' | 'asin' | 'acos' | 'atan' | 'sinh' | 'cosh' | 'asinh' | 'acosh' | 'atanh'
  | 'floor' | 'ceil' | 'round' | 'sign' | 'softplus' | 'softsign' | 'mish' | 'hardSwish' | 'isNaN';
type Binary = 'add' | 'sub' | 'mul' | 'div' | 'equal' | 'less' | 'greater' | 'and' | 'or';

const unary = (kind: Unary): Lowering => (c) => [c.op1(kind, {}, [c.input(0)])];

/** Binary ops need equal operand dtypes in ONNX, as in the IR. */
const binary = (kind: Binary): Lowering => (c) => [c.op1(kind, {}, [c.input(0), c.input(1)])];

/** Max/Min/Sum: variadic, folded left. */
const variadic = (kind: Extract<OpKind, 'max' | 'min' | 'add'>): Lowering => (c) => {
  let acc: Val = c.input(0);
  for (let i = 1; i < c.inputCount; i++) acc = c.op1(kind, {}, [acc, c.input(i)]);
  return [acc];
};

/** Pow: the exponent may have another numeric type; it is converted to the base's. */
function pow(c: NodeContext): Val[] {
  const [x, y] = [c.input(0), c.input(1)];
  const e = y.type.dtype === x.type.dtype ? y : c.op1('cast', { to: x.type.dtype }, [y]);
  return [c.op1('pow', {}, [x, e])];
}

function cast(c: NodeContext): Val[] {
  const elem = c.int('to', 0);
  const to = dtypeOf(elem, `${c.where} attribute to`);
  const x = c.input(0);
  const y = x.type.dtype === to ? x : c.op1('cast', { to }, [x]);
  // Types held wider (FLOAT16, float8 in f32; INT4, UINT8 in i32 ...): rounding or wrapping into them is a step of its own.
  // The result carries its declared element type, for readers that take their type from it (CastLike, QuantizeLinear's zero point).
  return [{ ...narrowTo(c, y, narrowSteps(elem, to, c.int('saturate', 1) !== 0)), elem }];
}

/** `v` after the narrowing steps. */
function narrowTo(c: NodeContext, v: Val, steps: readonly NarrowStep[]): Val {
  return steps.reduce((acc, step) => c.op1(step.op, step.attrs as never, step.operand ? [acc, c.em.constant(step.operand)] : [acc]), v);
}

/**
 * GreaterOrEqual/LessOrEqual. On integers and bools, not(a < b) is exact; on floats a NaN
 * compares false both ways, so the lowering is (a > b) or (a == b), which one fused kernel runs.
 */
const orEqual = (strict: 'greater' | 'less'): Lowering => (c) => {
  const [a, b] = [c.input(0), c.input(1)];
  if (a.type.dtype !== 'f32') return [c.op1('not', {}, [c.op1(strict === 'greater' ? 'less' : 'greater', {}, [a, b])])];
  return [c.op1('or', {}, [c.op1(strict, {}, [a, b]), c.op1('equal', {}, [a, b])])];
};

/**
 * Clip: min(max(x, lo), hi), bounds from inputs 1 and 2 (opset 11 on; one-element tensors, read as
 * scalars) or the min/max attributes before. min > max gives max everywhere, as ONNX specifies;
 * a NaN stays NaN (the IR's max/min propagate it).
 */
function clip(c: NodeContext): Val[] {
  const x = c.input(0);
  const bound = (i: number, attr: string): Val | undefined => {
    if (c.opset < 11) return c.has(attr) ? c.scalar(c.float(attr, 0), x.type.dtype) : undefined;
    const v = c.maybe(i);
    if (!v) return undefined;
    if (c.numel(v) !== 1) c.fail(`${attr} must hold one element, got ${c.fmt(v)}`);
    return v.type.shape.length === 0 ? v : c.op1('reshape', { shape: [] }, [v]);
  };
  const [lo, hi] = [bound(1, 'min'), bound(2, 'max')];
  let y = lo ? c.op1('max', {}, [x, lo]) : x;
  if (hi) y = c.op1('min', {}, [y, hi]);
  return [y];
}

/** CastLike: Cast to the second input's element type. */
function castLike(c: NodeContext): Val[] {
  const [x, like] = [c.input(0), c.input(1)];
  const y = x.type.dtype === like.type.dtype ? x : c.op1('cast', { to: like.type.dtype }, [x]);
  // A target of a declared type held wider (a graph input or initializer) rounds or wraps as Cast does.
  return [narrowTo(c, y, like.elem === undefined ? [] : narrowSteps(like.elem, like.type.dtype, c.int('saturate', 1) !== 0))];
}

/**
 * Mod: fmod = 0 is the floored integer remainder (ONNX allows it on integers only), fmod = 1 the
 * truncated one (C fmod) on any numeric type.
 */
function mod(c: NodeContext): Val[] {
  const fmod = c.int('fmod', 0);
  if (fmod !== 0 && fmod !== 1) c.fail(`fmod must be 0 or 1, got ${fmod}`);
  const [a, b] = [c.input(0), c.input(1)];
  if (fmod === 0 && a.type.dtype === 'f32') c.fail('fmod must be 1 for floating-point inputs (the ONNX spec leaves fmod = 0 undefined on floats)');
  return [c.op1(fmod === 1 ? 'fmod' : 'mod', {}, [a, b])];
}

/** PRelu: x where x >= 0, slope * x below; the slope broadcasts to x (unidirectionally, as ONNX says). */
function prelu(c: NodeContext): Val[] {
  const [x, slope] = [c.input(0), c.input(1)];
  const neg = c.op1('less', {}, [x, c.scalar(0, x.type.dtype)]);
  return [c.op1('where', {}, [neg, c.op1('mul', {}, [x, slope]), x])];
}

/** x * sigmoid(alpha x), alpha from the attribute (default 1). */
function swish(c: NodeContext, x: Val): Val {
  const alpha = c.float('alpha', 1);
  return c.op1('mul', {}, [x, c.op1('sigmoid', {}, [alpha === 1 ? x : c.op1('mul', {}, [x, c.scalar(alpha)])])]);
}

/** The activations with float attributes (ONNX defaults). */
const activations: Lowerings = {
  LeakyRelu: (c) => [c.op1('leakyRelu', { alpha: c.float('alpha', 0.01) }, [c.input(0)])],
  Elu: (c) => [c.op1('elu', { alpha: c.float('alpha', 1) }, [c.input(0)])],
  Selu: (c) => [c.op1('selu', { alpha: c.float('alpha', 1.67326319217681884765625), gamma: c.float('gamma', 1.05070102214813232421875) }, [c.input(0)])],
  Celu: (c) => [c.op1('celu', { alpha: c.float('alpha', 1) }, [c.input(0)])],
  HardSigmoid: (c) => [c.op1('hardSigmoid', { alpha: c.float('alpha', 0.2), beta: c.float('beta', 0.5) }, [c.input(0)])],
  ThresholdedRelu: (c) => [c.op1('thresholdedRelu', { alpha: c.float('alpha', 1) }, [c.input(0)])],
  Shrink: (c) => [c.op1('shrink', { lambd: c.float('lambd', 0.5), bias: c.float('bias', 0) }, [c.input(0)])],
  // Swish (opset 24): x * sigmoid(alpha x). SwiGLU (opset 28): Swish_alpha(A) * B, A and B of one shape.
  Swish: (c) => [swish(c, c.input(0))],
  SwiGLU: (c) => {
    const [a, b] = [c.input(0), c.input(1)];
    if (a.type.shape.join() !== b.type.shape.join()) c.fail(`A and B must have one shape (SwiGLU does not broadcast), got ${c.fmt(a)} and ${c.fmt(b)}`);
    return [c.op1('mul', {}, [swish(c, a), b])];
  },
  IsInf: (c) => [c.op1('isInf', { detectPositive: c.int('detect_positive', 1) !== 0, detectNegative: c.int('detect_negative', 1) !== 0 }, [c.input(0)])],
  PRelu: prelu,
  Mod: mod,
};

function gelu(c: NodeContext): Val[] {
  const approximate = c.string('approximate', 'none');
  if (approximate !== 'none' && approximate !== 'tanh') c.fail(`approximate must be none or tanh, got ${JSON.stringify(approximate)}`);
  return [c.op1('gelu', { approximate }, [c.input(0)])];
}

/** The elementwise lowerings. */
export const elementwiseLowerings: Lowerings = {
  Neg: unary('neg'), Abs: unary('abs'), Exp: unary('exp'), Log: unary('log'), Sqrt: unary('sqrt'),
  Reciprocal: unary('reciprocal'), Tanh: unary('tanh'), Sigmoid: unary('sigmoid'), Relu: unary('relu'),
  Erf: unary('erf'), Not: unary('not'),
  Sin: unary('sin'), Cos: unary('cos'), Tan: unary('tan'), Asin: unary('asin'), Acos: unary('acos'), Atan: unary('atan'),
  Sinh: unary('sinh'), Cosh: unary('cosh'), Asinh: unary('asinh'), Acosh: unary('acosh'), Atanh: unary('atanh'),
  Floor: unary('floor'), Ceil: unary('ceil'), Round: unary('round'), Sign: unary('sign'),
  Softplus: unary('softplus'), Softsign: unary('softsign'), Mish: unary('mish'), HardSwish: unary('hardSwish'), IsNaN: unary('isNaN'),
  ...activations,
  Add: binary('add'), Sub: binary('sub'), Mul: binary('mul'), Div: binary('div'),
  Equal: binary('equal'), Less: binary('less'), Greater: binary('greater'), And: binary('and'), Or: binary('or'),
  Max: variadic('max'), Min: variadic('min'), Sum: variadic('add'),
  Mean: (c) => [c.op1('div', {}, [variadic('add')(c)[0]!, c.scalar(c.inputCount, c.input(0).type.dtype)])],
  Pow: pow,
  Cast: cast,
  CastLike: castLike,
  GreaterOrEqual: orEqual('greater'),
  LessOrEqual: orEqual('less'),
  Clip: clip,
  Gelu: gelu,
  Where: (c) => [c.op1('where', {}, [c.input(0), c.input(1), c.input(2)])],
  // Identity passes sequences and optionals on as they are.
  Identity: (c) => [c.value(0)],
};
