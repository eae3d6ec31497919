// Elementwise unary ops: shape rule (output has the input's shape and dtype, cast excepted)
// and reference semantics, built by one family factory. Results are computed in doubles
// and stored by the rule of fromNumberArray (f32 rounds, integers wrap).
import { type DType, DTYPES, tensorType } from '../ir/types.ts';
import type { OpAttrs } from './attrs.ts';
import type { OpDef, OpDefs } from './def.ts';
import { ANY, BOOL, FLOAT, NUMERIC, expectDType } from './dtypes.ts';
import { map1 } from './elementwise.ts';
import { convert, f32Lit, zero } from './wgsl.ts';
import { erf, gelu, geluTanh, roundEven, roundF16, sigmoid, softplus, softsign } from './scalar.ts';
import { numberLiteral as tsLit } from './literal.ts';
import { fail } from './util.ts';
import { type GradEmitter, NOT_DIFFERENTIABLE, gradWith } from './gradient.ts';
import type { ValueId } from '../ir/graph.ts';

/** The unary op kinds. */
export type UnaryKind =
  | 'identity' | 'neg' | 'abs' | 'exp' | 'log' | 'sqrt' | 'reciprocal' | 'tanh'
  | 'sigmoid' | 'relu' | 'erf' | 'roundF16' | 'gelu' | 'not' | 'cast'
  | 'sin' | 'cos' | 'tan' | 'asin' | 'acos' | 'atan' | 'sinh' | 'cosh' | 'asinh' | 'acosh' | 'atanh'
  | 'floor' | 'ceil' | 'round' | 'sign'
  | 'softplus' | 'softsign' | 'mish' | 'hardSwish' | 'leakyRelu' | 'elu' | 'selu' | 'celu' | 'hardSigmoid'
  | 'thresholdedRelu' | 'shrink' | 'isNaN' | 'isInf';

interface UnarySpec<K extends UnaryKind> {
  /** Input dtypes the op accepts. */
  readonly dtypes: readonly DType[];
  /** The scalar function, on doubles. */
  readonly fn: (x: number, attrs: OpAttrs[K]) => number;
  /** The same function as a TypeScript expression of `x` (for generated kernels). */
  readonly ts: (x: string, attrs: OpAttrs[K]) => string;
  /** The same function as a WGSL expression of `x` (see ScalarEmit.wgsl). */
  readonly wgsl: (x: string, attrs: OpAttrs[K], dtype: DType) => string;
  /** Output dtype; the input's when absent. */
  readonly out?: (input: DType, attrs: OpAttrs[K]) => DType;
  /** Attribute checks, run by the shape rule. */
  readonly check?: (attrs: OpAttrs[K]) => void;
  /** The input's gradient from x, the result y and the result's gradient g; absent: not differentiable. */
  readonly grad?: (d: GradEmitter, x: ValueId, y: ValueId, g: ValueId, attrs: OpAttrs[K]) => ValueId | undefined;
}

function unary<K extends UnaryKind>(kind: K, spec: UnarySpec<K>): OpDef<K> {
  return {
    kind,
    ...(kind === 'identity' ? { view: true } : {}),
    groups: ['elementwise', 'unary'],
    arity: { min: 1, max: 1 },
    infer([x], attrs) {
      expectDType(kind, x!, spec.dtypes);
      spec.check?.(attrs);
      return [tensorType(spec.out?.(x!.dtype, attrs) ?? x!.dtype, x!.shape)];
    },
    evaluate([x], attrs, [out]) {
      return [map1(x!, out!, (a) => spec.fn(a, attrs))];
    },
    scalar: { ts: ([x], attrs) => spec.ts(x!, attrs), wgsl: ([x], attrs, dtype) => spec.wgsl(x!, attrs, dtype) },
    grad: spec.grad ? gradWith<K>((d, g, c) => [spec.grad!(d, c.inputs[0]!, c.outputs[0]!, g, c.attrs)]) : NOT_DIFFERENTIABLE,
  };
}

/**
 * The unary ops. neg and abs of the most negative integer wrap to itself (two's
 * complement); relu and the float functions propagate NaN. cast converts by the
 * fromNumberArray rule: float → int truncates toward zero (NaN and ±Inf → 0, out-of-range
 * values wrap), anything → bool is `x != 0` (NaN → true), bool → number is 0 or 1.
 */
export const unaryOps: OpDefs<UnaryKind> = {
  identity: unary('identity', { grad: (_d, _x, _y, g) => g, dtypes: ANY, fn: (x) => x, ts: (x) => x, wgsl: (x) => x }),
  neg: unary('neg', { grad: (d, _x, _y, g) => d.neg(g), dtypes: NUMERIC, fn: (x) => -x, ts: (x) => `-${x}`, wgsl: (x) => `-(${x})` }),
  abs: unary('abs', { grad: (d, x, _y, g) => d.where(d.op('greater', {}, [x, d.scalar(0)]), g, d.where(d.op('less', {}, [x, d.scalar(0)]), d.neg(g), d.scalar(0))), dtypes: NUMERIC, fn: Math.abs, ts: (x) => `Math.abs(${x})`, wgsl: (x) => `abs(${x})` }),
  relu: unary('relu', { grad: (d, x, _y, g) => d.where(d.op('greater', {}, [x, d.scalar(0)]), g, d.scalar(0)), dtypes: NUMERIC, fn: (x) => Math.max(x, 0), ts: (x) => `Math.max(${x}, 0)`, wgsl: (x, _a, d) => `max(${x}, ${zero(d)})` }),
  exp: unary('exp', { grad: (d, _x, y, g) => d.mul(g, y), dtypes: FLOAT, fn: Math.exp, ts: (x) => `Math.exp(${x})`, wgsl: (x) => `exp(${x})` }),
  log: unary('log', { grad: (d, x, _y, g) => d.div(g, x), dtypes: FLOAT, fn: Math.log, ts: (x) => `Math.log(${x})`, wgsl: (x) => `log(${x})` }),
  sqrt: unary('sqrt', { grad: (d, _x, y, g) => d.div(g, d.scale(y, 2)), dtypes: FLOAT, fn: Math.sqrt, ts: (x) => `Math.sqrt(${x})`, wgsl: (x) => `sqrt(${x})` }),
  reciprocal: unary('reciprocal', { grad: (d, _x, y, g) => d.neg(d.mul(g, d.mul(y, y))), dtypes: FLOAT, fn: (x) => 1 / x, ts: (x) => `1 / ${x}`, wgsl: (x) => `(1.0 / ${x})` }),
  tanh: unary('tanh', { grad: (d, _x, y, g) => d.mul(g, d.sub(d.scalar(1), d.mul(y, y))), dtypes: FLOAT, fn: Math.tanh, ts: (x) => `Math.tanh(${x})`, wgsl: (x) => `tanh_f(${x})` }),
  sigmoid: unary('sigmoid', { grad: (d, _x, y, g) => d.mul(g, d.mul(y, d.sub(d.scalar(1), y))), dtypes: FLOAT, fn: sigmoid, ts: (x) => `sigmoid(${x})`, wgsl: (x) => `sigmoid_f(${x})` }),
  erf: unary('erf', { grad: (d, x, _y, g) => d.mul(g, d.scale(d.op('exp', {}, [d.neg(d.mul(x, x))]), 2 / Math.sqrt(Math.PI))), dtypes: FLOAT, fn: erf, ts: (x) => `erf(${x})`, wgsl: (x) => `erf_f(${x})` }),
  // Piecewise constant: not differentiable (training an imported float16 model is refused at its casts).
  roundF16: unary('roundF16', { dtypes: FLOAT, fn: roundF16, ts: (x) => `roundF16(${x})`, wgsl: (x) => `round_f16_f(${x})` }),
  gelu: unary('gelu', {
    dtypes: FLOAT,
    grad: (d, x, _y, g, { approximate }) => d.mul(g, approximate === 'tanh' ? geluTanhSlope(d, x) : geluSlope(d, x)),
    fn: (x, { approximate }) => (approximate === 'tanh' ? geluTanh(x) : gelu(x)),
    ts: (x, { approximate }) => (approximate === 'tanh' ? `geluTanh(${x})` : `gelu(${x})`),
    wgsl: (x, { approximate }) => (approximate === 'tanh' ? `gelu_tanh_f(${x})` : `gelu_f(${x})`),
    check: ({ approximate }) => {
      if (approximate !== 'none' && approximate !== 'tanh') {
        fail(`gelu approximate must be 'none' or 'tanh', got ${JSON.stringify(approximate)}`);
      }
    },
  }),
  not: unary('not', { dtypes: BOOL, fn: (x) => (x === 0 ? 1 : 0), ts: (x) => `(${x} === 0 ? 1 : 0)`, wgsl: (x) => `(1u - ${x})` }),
  // ── trigonometric and hyperbolic (WGSL builtins, in f32) ──
  sin: unary('sin', { grad: (d, x, _y, g) => d.mul(g, d.op('cos', {}, [x])), dtypes: FLOAT, fn: Math.sin, ts: (x) => `Math.sin(${x})`, wgsl: (x) => `sin(${x})` }),
  cos: unary('cos', { grad: (d, x, _y, g) => d.neg(d.mul(g, d.op('sin', {}, [x]))), dtypes: FLOAT, fn: Math.cos, ts: (x) => `Math.cos(${x})`, wgsl: (x) => `cos(${x})` }),
  tan: unary('tan', { grad: (d, _x, y, g) => d.mul(g, d.add(d.scalar(1), d.mul(y, y))), dtypes: FLOAT, fn: Math.tan, ts: (x) => `Math.tan(${x})`, wgsl: (x) => `tan(${x})` }),
  asin: unary('asin', { dtypes: FLOAT, fn: Math.asin, ts: (x) => `Math.asin(${x})`, wgsl: (x) => `asin(${x})` }),
  acos: unary('acos', { dtypes: FLOAT, fn: Math.acos, ts: (x) => `Math.acos(${x})`, wgsl: (x) => `acos(${x})` }),
  atan: unary('atan', { grad: (d, x, _y, g) => d.div(g, d.add(d.scalar(1), d.mul(x, x))), dtypes: FLOAT, fn: Math.atan, ts: (x) => `Math.atan(${x})`, wgsl: (x) => `atan(${x})` }),
  sinh: unary('sinh', { grad: (d, x, _y, g) => d.mul(g, d.op('cosh', {}, [x])), dtypes: FLOAT, fn: Math.sinh, ts: (x) => `Math.sinh(${x})`, wgsl: (x) => `sinh(${x})` }),
  cosh: unary('cosh', { grad: (d, x, _y, g) => d.mul(g, d.op('sinh', {}, [x])), dtypes: FLOAT, fn: Math.cosh, ts: (x) => `Math.cosh(${x})`, wgsl: (x) => `cosh(${x})` }),
  asinh: unary('asinh', { dtypes: FLOAT, fn: Math.asinh, ts: (x) => `Math.asinh(${x})`, wgsl: (x) => `asinh(${x})` }),
  acosh: unary('acosh', { dtypes: FLOAT, fn: Math.acosh, ts: (x) => `Math.acosh(${x})`, wgsl: (x) => `acosh(${x})` }),
  atanh: unary('atanh', { dtypes: FLOAT, fn: Math.atanh, ts: (x) => `Math.atanh(${x})`, wgsl: (x) => `atanh(${x})` }),
  // ── rounding and sign (piecewise constant: no gradient) ──
  floor: unary('floor', { dtypes: FLOAT, fn: Math.floor, ts: (x) => `Math.floor(${x})`, wgsl: (x) => `floor(${x})` }),
  ceil: unary('ceil', { dtypes: FLOAT, fn: Math.ceil, ts: (x) => `Math.ceil(${x})`, wgsl: (x) => `ceil(${x})` }),
  round: unary('round', { dtypes: FLOAT, fn: roundEven, ts: (x) => `roundEven(${x})`, wgsl: (x) => `round(${x})` }),
  sign: unary('sign', { dtypes: NUMERIC, fn: Math.sign, ts: (x) => `Math.sign(${x})`, wgsl: (x) => `sign(${x})` }),
  // ── activations ──
  softplus: unary('softplus', { grad: (d, x, _y, g) => d.mul(g, d.op('sigmoid', {}, [x])), dtypes: FLOAT, fn: softplus, ts: (x) => `softplus(${x})`, wgsl: (x) => `softplus_f(${x})` }),
  softsign: unary('softsign', { dtypes: FLOAT, fn: softsign, ts: (x) => `softsign(${x})`, wgsl: (x) => `softsign_f(${x})` }),
  mish: unary('mish', { dtypes: FLOAT, fn: (x) => x * Math.tanh(softplus(x)), ts: (x) => `${x} * Math.tanh(softplus(${x}))`, wgsl: (x) => `(${x} * tanh_f(softplus_f(${x})))` }),
  hardSwish: unary('hardSwish', {
    dtypes: FLOAT,
    fn: (x) => x * Math.max(0, Math.min(1, x / 6 + 0.5)),
    ts: (x) => `${x} * Math.max(0, Math.min(1, ${x} / 6 + 0.5))`,
    wgsl: (x) => `(${x} * clamp(${x} / 6.0 + 0.5, 0.0, 1.0))`,
  }),
  leakyRelu: unary('leakyRelu', {
    grad: (d, x, _y, g, { alpha }) => d.where(d.op('less', {}, [x, d.scalar(0)]), d.scale(g, alpha), g),
    dtypes: FLOAT,
    check: ({ alpha }) => finite('leakyRelu', { alpha }),
    fn: (x, { alpha }) => (x < 0 ? alpha * x : x),
    ts: (x, { alpha }) => `(${x} < 0 ? ${tsLit(alpha)} * ${x} : ${x})`,
    wgsl: (x, { alpha }) => `select(${x}, ${f32Lit(alpha)} * ${x}, ${x} < 0.0)`,
  }),
  elu: unary('elu', {
    dtypes: FLOAT,
    check: ({ alpha }) => finite('elu', { alpha }),
    fn: (x, { alpha }) => (x > 0 ? x : alpha * Math.expm1(x)),
    ts: (x, { alpha }) => `(${x} > 0 ? ${x} : ${tsLit(alpha)} * Math.expm1(${x}))`,
    wgsl: (x, { alpha }) => `select(${f32Lit(alpha)} * (exp(${x}) - 1.0), ${x}, ${x} > 0.0)`,
  }),
  selu: unary('selu', {
    dtypes: FLOAT,
    check: ({ alpha, gamma }) => finite('selu', { alpha, gamma }),
    fn: (x, { alpha, gamma }) => gamma * (x > 0 ? x : alpha * Math.expm1(x)),
    ts: (x, { alpha, gamma }) => `${tsLit(gamma)} * (${x} > 0 ? ${x} : ${tsLit(alpha)} * Math.expm1(${x}))`,
    wgsl: (x, { alpha, gamma }) => `(${f32Lit(gamma)} * select(${f32Lit(alpha)} * (exp(${x}) - 1.0), ${x}, ${x} > 0.0))`,
  }),
  celu: unary('celu', {
    dtypes: FLOAT,
    check: ({ alpha }) => {
      finite('celu', { alpha });
      if (alpha === 0) fail('celu alpha must not be 0');
    },
    fn: (x, { alpha }) => Math.max(0, x) + Math.min(0, alpha * Math.expm1(x / alpha)),
    ts: (x, { alpha }) => `Math.max(0, ${x}) + Math.min(0, ${tsLit(alpha)} * Math.expm1(${x} / ${tsLit(alpha)}))`,
    wgsl: (x, { alpha }) => `(max(0.0, ${x}) + min(0.0, ${f32Lit(alpha)} * (exp(${x} / ${f32Lit(alpha)}) - 1.0)))`,
  }),
  hardSigmoid: unary('hardSigmoid', {
    dtypes: FLOAT,
    check: ({ alpha, beta }) => finite('hardSigmoid', { alpha, beta }),
    fn: (x, { alpha, beta }) => Math.max(0, Math.min(1, alpha * x + beta)),
    ts: (x, { alpha, beta }) => `Math.max(0, Math.min(1, ${tsLit(alpha)} * ${x} + ${tsLit(beta)}))`,
    wgsl: (x, { alpha, beta }) => `clamp(${f32Lit(alpha)} * ${x} + ${f32Lit(beta)}, 0.0, 1.0)`,
  }),
  thresholdedRelu: unary('thresholdedRelu', {
    dtypes: FLOAT,
    check: ({ alpha }) => finite('thresholdedRelu', { alpha }),
    fn: (x, { alpha }) => (x > alpha ? x : 0),
    ts: (x, { alpha }) => `(${x} > ${tsLit(alpha)} ? ${x} : 0)`,
    wgsl: (x, { alpha }) => `select(0.0, ${x}, ${x} > ${f32Lit(alpha)})`,
  }),
  shrink: unary('shrink', {
    dtypes: FLOAT,
    check: ({ lambd, bias }) => finite('shrink', { lambd, bias }),
    fn: (x, { lambd, bias }) => (x < -lambd ? x + bias : x > lambd ? x - bias : 0),
    ts: (x, { lambd, bias }) => `(${x} < -${tsLit(lambd)} ? ${x} + ${tsLit(bias)} : ${x} > ${tsLit(lambd)} ? ${x} - ${tsLit(bias)} : 0)`,
    wgsl: (x, { lambd, bias }) => `select(select(0.0, ${x} - ${f32Lit(bias)}, ${x} > ${f32Lit(lambd)}), ${x} + ${f32Lit(bias)}, ${x} < -${f32Lit(lambd)})`,
  }),
  // ── predicates: read from the bits in WGSL, where x != x may be folded away ──
  isNaN: unary('isNaN', {
    dtypes: FLOAT,
    out: () => 'bool',
    fn: (x) => (Number.isNaN(x) ? 1 : 0),
    ts: (x) => `(${x} !== ${x} ? 1 : 0)`,
    wgsl: (x) => `select(0u, 1u, (bitcast<u32>(${x}) & 0x7fffffffu) > 0x7f800000u)`,
  }),
  isInf: unary('isInf', {
    dtypes: FLOAT,
    out: () => 'bool',
    fn: (x, { detectPositive, detectNegative }) => ((x === Infinity && detectPositive) || (x === -Infinity && detectNegative) ? 1 : 0),
    ts: (x, { detectPositive, detectNegative }) => `((${x} === Infinity && ${detectPositive}) || (${x} === -Infinity && ${detectNegative}) ? 1 : 0)`,
    wgsl: (x, { detectPositive, detectNegative }) => {
      const bits = [detectPositive ? '0x7f800000u' : '', detectNegative ? '0xff800000u' : ''].filter((b) => b);
      return bits.length === 0 ? '0u' : `select(0u, 1u, ${bits.map((b) => `bitcast<u32>(${x}) == ${b}`).join(' || ')})`;
    },
  }),
  cast: unary('cast', {
    dtypes: ANY,
    // Only an f32 -> f32 cast passes a gradient; conversions to or from integers cut it.
    grad: (d, x, _y, g, { to }) => (d.type(x).dtype === 'f32' && to === 'f32' ? g : undefined),
    fn: (x) => x,
    ts: (x) => x,
    wgsl: (x, { to }, from) => convert(x, from, to),
    out: (_, { to }) => to,
    check: ({ to }) => {
      if (!DTYPES.includes(to)) fail(`cast to unknown dtype ${JSON.stringify(to)}`);
    },
  }),
};

/** Fails unless every named attribute value is a finite number: `elu alpha must be a finite number, got NaN`. */
function finite(op: string, values: Readonly<Record<string, number>>): void {
  for (const [name, v] of Object.entries(values)) {
    if (typeof v !== 'number' || !Number.isFinite(v)) fail(`${op} ${name} must be a finite number, got ${String(v)}`);
  }
}

/** d/dx gelu(x) = Phi(x) + x phi(x), with Phi the normal CDF and phi its density. */
function geluSlope(d: GradEmitter, x: ValueId): ValueId {
  const cdf = d.scale(d.add(d.scalar(1), d.op('erf', {}, [d.scale(x, Math.SQRT1_2)])), 0.5);
  const pdf = d.scale(d.op('exp', {}, [d.scale(d.mul(x, x), -0.5)]), 1 / Math.sqrt(2 * Math.PI));
  return d.add(cdf, d.mul(x, pdf));
}

/** d/dx of the tanh approximation: 0.5 (1 + t) + 0.5 x (1 - t^2) k (1 + 3c x^2), t = tanh(k (x + c x^3)). */
function geluTanhSlope(d: GradEmitter, x: ValueId): ValueId {
  const [k, c] = [Math.sqrt(2 / Math.PI), 0.044715];
  const x2 = d.mul(x, x);
  const t = d.op('tanh', {}, [d.scale(d.add(x, d.scale(d.mul(x2, x), c)), k)]);
  const left = d.scale(d.add(d.scalar(1), t), 0.5);
  const dt = d.sub(d.scalar(1), d.mul(t, t));
  const inner = d.scale(d.add(d.scalar(1), d.scale(x2, 3 * c)), k);
  return d.add(left, d.mul(d.scale(x, 0.5), d.mul(dt, inner)));
}
