// Elementwise unary ops: shape rule (output has the input's shape and dtype, cast excepted)
// and reference semantics, built by one family factory. Results are computed in doubles
// and stored by the rule of fromNumberArray (f32 rounds, integers wrap).
import { type DType, DTYPES, tensorType } from '../ir/types.ts';
import type { OpAttrs } from './attrs.ts';
import type { OpDef, OpDefs } from './def.ts';
import { ANY, BOOL, FLOAT, NUMERIC, expectDType } from './dtypes.ts';
import { map1 } from './elementwise.ts';
import { erf } from './erf.ts';
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
  /** Output dtype; the input's when absent. */
  readonly out?: (input: DType, attrs: OpAttrs[K]) => DType;
  /** Attribute checks, run by the shape rule. */
  readonly check?: (attrs: OpAttrs[K]) => void;
}

function unary<K extends UnaryKind>(kind: K, spec: UnarySpec<K>): OpDef<K> {
  return {
    kind,
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
  };
}

/** Logistic function, without overflow: exp is only taken of non-positive arguments. */
function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/**
 * GELU: x * Phi(x) through erf (`none`), or PyTorch's tanh approximation (`tanh`). Both are
 * the literal PyTorch formulas, so far in the negative tail 1 + erf(...) cancels to 0.
 */
function gelu(x: number, { approximate }: OpAttrs['gelu']): number {
  if (approximate === 'tanh') return 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x)));
  return 0.5 * x * (1 + erf(x / Math.SQRT2));
}

/**
 * The unary ops. neg and abs of the most negative integer wrap to itself (two's
 * complement); relu and the float functions propagate NaN. cast converts by the
 * fromNumberArray rule: float → int truncates toward zero (NaN and ±Inf → 0, out-of-range
 * values wrap), anything → bool is `x != 0` (NaN → true), bool → number is 0 or 1.
 */
export const unaryOps: OpDefs<UnaryKind> = {
  identity: unary('identity', { dtypes: ANY, fn: (x) => x }),
  neg: unary('neg', { dtypes: NUMERIC, fn: (x) => -x }),
  abs: unary('abs', { dtypes: NUMERIC, fn: Math.abs }),
  relu: unary('relu', { dtypes: NUMERIC, fn: (x) => Math.max(x, 0) }),
  exp: unary('exp', { dtypes: FLOAT, fn: Math.exp }),
  log: unary('log', { dtypes: FLOAT, fn: Math.log }),
  sqrt: unary('sqrt', { dtypes: FLOAT, fn: Math.sqrt }),
  reciprocal: unary('reciprocal', { dtypes: FLOAT, fn: (x) => 1 / x }),
  tanh: unary('tanh', { dtypes: FLOAT, fn: Math.tanh }),
  sigmoid: unary('sigmoid', { dtypes: FLOAT, fn: sigmoid }),
  erf: unary('erf', { dtypes: FLOAT, fn: erf }),
  gelu: unary('gelu', {
    dtypes: FLOAT,
    fn: gelu,
    check: ({ approximate }) => {
      if (approximate !== 'none' && approximate !== 'tanh') {
        fail(`gelu approximate must be 'none' or 'tanh', got ${JSON.stringify(approximate)}`);
      }
    },
  }),
  not: unary('not', { dtypes: BOOL, fn: (x) => (x === 0 ? 1 : 0) }),
  cast: unary('cast', {
    dtypes: ANY,
    fn: (x) => x,
    out: (_, { to }) => to,
    check: ({ to }) => {
      if (!DTYPES.includes(to)) fail(`cast to unknown dtype ${JSON.stringify(to)}`);
    },
  }),
};
