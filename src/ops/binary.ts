// Elementwise binary ops and where: numpy broadcasting, no dtype promotion (both operands
// must have one dtype), reference semantics on doubles stored by the fromNumberArray rule.
import { type DType, formatType, isIndex, tensorType } from '../ir/types.ts';
import type { OpDef, OpDefs, OpGroup } from './def.ts';
import { ANY, BOOL, NUMERIC, expectDType, expectSameDType } from './dtypes.ts';
import { map2, map3 } from './elementwise.ts';
import { broadcastAll, broadcastShapes, fail } from './util.ts';

/** The binary op kinds (where, with three operands, is defined beside them). */
export type BinaryKind =
  | 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'max' | 'min'
  | 'equal' | 'less' | 'greater' | 'and' | 'or';

type Scalar2 = (a: number, b: number) => number;

interface BinarySpec {
  /** Operand dtypes the op accepts (both operands have the same one). */
  readonly dtypes: readonly DType[];
  /** f(a, b) = f(b, a): puts the op in the 'commutative' group. */
  readonly commutative?: boolean;
  /** The result is bool (comparisons) instead of the operand dtype. */
  readonly predicate?: boolean;
  /** The scalar function on doubles. */
  readonly fn: Scalar2;
  /** Replaces `fn` for i32 and i64 operands, where integer semantics differ. */
  readonly int?: (a: number, b: number, dtype: DType) => number;
}

function binary<K extends BinaryKind>(kind: K, spec: BinarySpec): OpDef<K> {
  const groups: OpGroup[] = ['elementwise', 'binary'];
  if (spec.commutative) groups.push('commutative');
  return {
    kind,
    groups,
    arity: { min: 2, max: 2 },
    infer([a, b]) {
      expectSameDType(kind, a!, b!);
      expectDType(kind, a!, spec.dtypes);
      return [tensorType(spec.predicate ? 'bool' : a!.dtype, broadcastShapes(a!.shape, b!.shape))];
    },
    evaluate([a, b], _attrs, [out]) {
      const dtype = a!.dtype;
      const int = spec.int;
      const fn: Scalar2 = int && isIndex(dtype) ? (x, y) => int(x, y, dtype) : spec.fn;
      return [map2(a!, b!, out!, fn)];
    },
  };
}

const truth = (p: boolean): number => (p ? 1 : 0);

/** IEEE/C99 pow, as PyTorch computes it: unlike Math.pow, pow(1, y) = 1 and pow(-1, ±Inf) = 1. */
function floatPow(x: number, y: number): number {
  if (x === 1 || (x === -1 && Math.abs(y) === Infinity)) return 1;
  return Math.pow(x, y);
}

/**
 * Integer pow by repeated squaring (i32 products wrap exactly via Math.imul). A negative
 * exponent gives the truncated real result: ±1 for a base of ±1, otherwise 0 (a zero base
 * too, where the real result is infinite).
 */
function intPow(base: number, exp: number, dtype: DType): number {
  if (exp < 0) return base === 1 ? 1 : base === -1 ? (exp % 2 === 0 ? 1 : -1) : 0;
  const mul: Scalar2 = dtype === 'i32' ? Math.imul : (x, y) => x * y;
  let result = 1;
  let square = base;
  for (let e = exp; e > 0; e = Math.floor(e / 2)) {
    if (e % 2 === 1) result = mul(result, square);
    square = mul(square, square);
  }
  return result;
}

/** where(cond, x, y): x where cond is true, else y; cond is bool, x and y share a dtype, all three broadcast. */
const where: OpDef<'where'> = {
  kind: 'where',
  groups: ['elementwise'],
  arity: { min: 3, max: 3 },
  infer([cond, x, y]) {
    if (cond!.dtype !== 'bool') fail(`where expects a bool condition, got ${formatType(cond!)}`);
    expectSameDType('where', x!, y!);
    return [tensorType(x!.dtype, broadcastAll([cond!.shape, x!.shape, y!.shape]))];
  },
  evaluate([cond, x, y], _attrs, [out]) {
    return [map3(cond!, x!, y!, out!, (c, a, b) => (c !== 0 ? a : b))];
  },
};

/**
 * The binary ops and where. Integer results wrap (two's complement); integer div truncates
 * toward zero as ONNX does, and integer division by zero yields 0 (data-dependent, so it
 * cannot be a shape error; float division by zero gives ±Inf or NaN as IEEE says). max and
 * min propagate NaN, like torch.maximum. equal, less and greater accept any dtype (false <
 * true) and are false whenever an operand is NaN; and/or take bool only.
 */
export const binaryOps: OpDefs<BinaryKind | 'where'> = {
  add: binary('add', { dtypes: NUMERIC, commutative: true, fn: (a, b) => a + b }),
  sub: binary('sub', { dtypes: NUMERIC, fn: (a, b) => a - b }),
  mul: binary('mul', {
    dtypes: NUMERIC,
    commutative: true,
    fn: (a, b) => a * b,
    int: (a, b, dtype) => (dtype === 'i32' ? Math.imul(a, b) : a * b),
  }),
  div: binary('div', { dtypes: NUMERIC, fn: (a, b) => a / b, int: (a, b) => (b === 0 ? 0 : Math.trunc(a / b)) }),
  pow: binary('pow', { dtypes: NUMERIC, fn: floatPow, int: intPow }),
  max: binary('max', { dtypes: NUMERIC, commutative: true, fn: Math.max }),
  min: binary('min', { dtypes: NUMERIC, commutative: true, fn: Math.min }),
  equal: binary('equal', { dtypes: ANY, commutative: true, predicate: true, fn: (a, b) => truth(a === b) }),
  less: binary('less', { dtypes: ANY, predicate: true, fn: (a, b) => truth(a < b) }),
  greater: binary('greater', { dtypes: ANY, predicate: true, fn: (a, b) => truth(a > b) }),
  and: binary('and', { dtypes: BOOL, commutative: true, fn: (a, b) => truth(a !== 0 && b !== 0) }),
  or: binary('or', { dtypes: BOOL, commutative: true, fn: (a, b) => truth(a !== 0 || b !== 0) }),
  where,
};
