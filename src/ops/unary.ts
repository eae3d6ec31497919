// Elementwise unary ops: shape rule (output has the input's shape and dtype, cast excepted)
// and reference semantics, built by one family factory. Results are computed in doubles
// and stored by the rule of fromNumberArray (f32 rounds, integers wrap).
import { type DType, DTYPES, tensorType } from '../ir/types.ts';
import type { OpAttrs } from './attrs.ts';
import type { OpDef, OpDefs } from './def.ts';
import { ANY, BOOL, FLOAT, NUMERIC, expectDType } from './dtypes.ts';
import { map1 } from './elementwise.ts';
import { convert, zero } from './wgsl.ts';
import { erf, gelu, geluTanh, sigmoid } from './scalar.ts';
import { fail } from './util.ts';

/** The unary op kinds. */
export type UnaryKind =
  | 'identity' | 'neg' | 'abs' | 'exp' | 'log' | 'sqrt' | 'reciprocal' | 'tanh'
  | 'sigmoid' | 'relu' | 'erf' | 'gelu' | 'not' | 'cast';

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
  };
}

/**
 * The unary ops. neg and abs of the most negative integer wrap to itself (two's
 * complement); relu and the float functions propagate NaN. cast converts by the
 * fromNumberArray rule: float → int truncates toward zero (NaN and ±Inf → 0, out-of-range
 * values wrap), anything → bool is `x != 0` (NaN → true), bool → number is 0 or 1.
 */
export const unaryOps: OpDefs<UnaryKind> = {
  identity: unary('identity', { dtypes: ANY, fn: (x) => x, ts: (x) => x, wgsl: (x) => x }),
  neg: unary('neg', { dtypes: NUMERIC, fn: (x) => -x, ts: (x) => `-${x}`, wgsl: (x) => `-(${x})` }),
  abs: unary('abs', { dtypes: NUMERIC, fn: Math.abs, ts: (x) => `Math.abs(${x})`, wgsl: (x) => `abs(${x})` }),
  relu: unary('relu', { dtypes: NUMERIC, fn: (x) => Math.max(x, 0), ts: (x) => `Math.max(${x}, 0)`, wgsl: (x, _a, d) => `max(${x}, ${zero(d)})` }),
  exp: unary('exp', { dtypes: FLOAT, fn: Math.exp, ts: (x) => `Math.exp(${x})`, wgsl: (x) => `exp(${x})` }),
  log: unary('log', { dtypes: FLOAT, fn: Math.log, ts: (x) => `Math.log(${x})`, wgsl: (x) => `log(${x})` }),
  sqrt: unary('sqrt', { dtypes: FLOAT, fn: Math.sqrt, ts: (x) => `Math.sqrt(${x})`, wgsl: (x) => `sqrt(${x})` }),
  reciprocal: unary('reciprocal', { dtypes: FLOAT, fn: (x) => 1 / x, ts: (x) => `1 / ${x}`, wgsl: (x) => `(1.0 / ${x})` }),
  tanh: unary('tanh', { dtypes: FLOAT, fn: Math.tanh, ts: (x) => `Math.tanh(${x})`, wgsl: (x) => `tanh(${x})` }),
  sigmoid: unary('sigmoid', { dtypes: FLOAT, fn: sigmoid, ts: (x) => `sigmoid(${x})`, wgsl: (x) => `sigmoid_f(${x})` }),
  erf: unary('erf', { dtypes: FLOAT, fn: erf, ts: (x) => `erf(${x})`, wgsl: (x) => `erf_f(${x})` }),
  gelu: unary('gelu', {
    dtypes: FLOAT,
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
  cast: unary('cast', {
    dtypes: ANY,
    fn: (x) => x,
    ts: (x) => x,
    wgsl: (x, { to }, from) => convert(x, from, to),
    out: (_, { to }) => to,
    check: ({ to }) => {
      if (!DTYPES.includes(to)) fail(`cast to unknown dtype ${JSON.stringify(to)}`);
    },
  }),
};
