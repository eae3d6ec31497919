// Elementwise binary ops and where: numpy broadcasting, no dtype promotion (both operands
// must have one dtype), reference semantics on doubles stored by the fromNumberArray rule.
import { type DType, formatType, isIndex, tensorType } from '../ir/types.ts';
import type { OpDef, OpDefs, OpGroup } from './def.ts';
import { ANY, BOOL, INDEX, NUMERIC, expectDType, expectSameDType } from './dtypes.ts';
import { map2, map3 } from './elementwise.ts';
import { divInt, floatPow, fmodInt, intPow, modInt } from './scalar.ts';
import { broadcastAll, broadcastShapes, fail } from './util.ts';
import { type GradEmitter, NOT_DIFFERENTIABLE, gradWith } from './gradient.ts';
import type { ValueId } from '../ir/graph.ts';
import type { GradRule } from './def.ts';

/** The gradients of a binary op's operands (before unbroadcasting) from a, b, the result y and its gradient g. */
type BinaryGrad = (d: GradEmitter, a: ValueId, b: ValueId, y: ValueId, g: ValueId) => [ValueId | undefined, ValueId | undefined];

/** A binary op's gradient rule: `grad` at the broadcast shape, summed back to each operand's shape. */
function binaryGrad<K extends BinaryKind>(grad: BinaryGrad): GradRule<K> {
  return gradWith<K>((d, g, c) => {
    const [a, b] = c.inputs as [ValueId, ValueId];
    return grad(d, a, b, c.outputs[0]!, g).map((x, i) => (x === undefined || !c.needs[i] ? undefined : d.unbroadcast(d.expand(x, d.shape(g)), d.shape(c.inputs[i]!))));
  });
}

const GRADS: Partial<Record<BinaryKind, BinaryGrad>> = {
  add: (_d, _a, _b, _y, g) => [g, g],
  sub: (d, _a, _b, _y, g) => [g, d.neg(g)],
  mul: (d, a, b, _y, g) => [d.mul(g, b), d.mul(g, a)],
  div: (d, _a, b, y, g) => [d.div(g, b), d.neg(d.div(d.mul(g, y), b))],
  // As torch: d/db a^b = a^b log a, taken as 0 where a = 0 and b >= 0.
  pow: (d, a, b, y, g) => [
    d.mul(g, d.mul(b, d.op('pow', {}, [a, d.sub(b, d.scalar(1))]))),
    d.where(d.op('equal', {}, [a, d.scalar(0)]), d.scalar(0), d.mul(g, d.mul(y, d.op('log', {}, [a])))),
  ],
  // As torch.maximum/minimum: the winner takes the gradient, a tie splits it in half.
  max: (d, a, b, _y, g) => tieSplit(d, a, b, g, 'greater'),
  min: (d, a, b, _y, g) => tieSplit(d, a, b, g, 'less'),
};

function tieSplit(d: GradEmitter, a: ValueId, b: ValueId, g: ValueId, wins: 'greater' | 'less'): [ValueId, ValueId] {
  const half = d.where(d.op('equal', {}, [a, b]), d.scale(g, 0.5), d.scalar(0));
  return [d.where(d.op(wins, {}, [a, b]), g, half), d.where(d.op(wins, {}, [b, a]), g, half)];
}

/** The binary op kinds (where, with three operands, is defined beside them). */
export type BinaryKind =
  | 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'max' | 'min' | 'mod' | 'fmod'
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
  /** `fn` (and `int`, by dtype) as a TypeScript expression of operands `a` and `b`. */
  readonly ts: (a: string, b: string, dtype: DType) => string;
  /** The same as a WGSL expression (see ScalarEmit.wgsl). */
  readonly wgsl: (a: string, b: string, dtype: DType) => string;
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
    scalar: { ts: ([a, b], _attrs, dtype) => spec.ts(a!, b!, dtype), wgsl: ([a, b], _attrs, dtype) => spec.wgsl(a!, b!, dtype) },
    grad: GRADS[kind] ? binaryGrad<K>(GRADS[kind]) : NOT_DIFFERENTIABLE,
  };
}

const truth = (p: boolean): number => (p ? 1 : 0);

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
  scalar: { ts: ([c, a, b]) => `(${c} !== 0 ? ${a} : ${b})`, wgsl: ([c, a, b]) => `select(${b}, ${a}, ${c} != 0u)` },
  grad: gradWith<'where'>((d, g, c) => {
    const [cond, x, y] = c.inputs as [ValueId, ValueId, ValueId];
    const zero = d.scalar(0);
    return [
      undefined,
      c.needs[1] ? d.unbroadcast(d.where(cond, g, zero), d.shape(x)) : undefined,
      c.needs[2] ? d.unbroadcast(d.where(cond, zero, g), d.shape(y)) : undefined,
    ];
  }),
};

/**
 * The binary ops and where. Integer results wrap (two's complement); integer div truncates
 * toward zero as ONNX does, and integer division by zero yields 0 (data-dependent, so it
 * cannot be a shape error; float division by zero gives ±Inf or NaN as IEEE says). max and
 * min propagate NaN, like torch.maximum. equal, less and greater accept any dtype (false <
 * true) and are false whenever an operand is NaN; and/or take bool only. mod is the floored
 * integer remainder (the divisor's sign, ONNX Mod with fmod = 0), fmod the truncated one (the
 * dividend's sign, C fmod; exact on floats, where a zero divisor gives NaN); an integer zero
 * divisor gives 0 for both, as div does.
 */
export const binaryOps: OpDefs<BinaryKind | 'where'> = {
  add: binary('add', { dtypes: NUMERIC, commutative: true, fn: (a, b) => a + b, ts: (a, b) => `${a} + ${b}`, wgsl: (a, b) => `(${a} + ${b})` }),
  sub: binary('sub', { dtypes: NUMERIC, fn: (a, b) => a - b, ts: (a, b) => `${a} - ${b}`, wgsl: (a, b) => `(${a} - ${b})` }),
  mul: binary('mul', {
    dtypes: NUMERIC,
    commutative: true,
    fn: (a, b) => a * b,
    int: (a, b, dtype) => (dtype === 'i32' ? Math.imul(a, b) : a * b),
    ts: (a, b, dtype) => (dtype === 'i32' ? `Math.imul(${a}, ${b})` : `${a} * ${b}`),
    wgsl: (a, b) => `(${a} * ${b})`,
  }),
  div: binary('div', { dtypes: NUMERIC, fn: (a, b) => a / b, int: divInt, ts: (a, b, d) => (isIndex(d) ? `divInt(${a}, ${b})` : `${a} / ${b}`), wgsl: (a, b, d) => (isIndex(d) ? `select(${a} / ${b}, 0i, ${b} == 0i)` : `(${a} / ${b})`) }),
  pow: binary('pow', {
    dtypes: NUMERIC,
    fn: floatPow,
    int: (a, b, dtype) => intPow(a, b, dtype === 'i32'),
    ts: (a, b, d) => (isIndex(d) ? `intPow(${a}, ${b}, ${d === 'i32'})` : `floatPow(${a}, ${b})`),
    wgsl: (a, b, d) => (isIndex(d) ? `ipow(${a}, ${b})` : `pow_f(${a}, ${b})`),
  }),
  mod: binary('mod', {
    dtypes: INDEX,
    fn: modInt,
    ts: (a, b) => `modInt(${a}, ${b})`,
    wgsl: (a, b) => `select(select(${a} % ${b}, ${a} % ${b} + ${b}, ${a} % ${b} != 0i && (${a} % ${b} < 0i) != (${b} < 0i)), 0i, ${b} == 0i)`,
  }),
  fmod: binary('fmod', {
    dtypes: NUMERIC,
    fn: (a, b) => a % b,
    int: fmodInt,
    ts: (a, b, d) => (isIndex(d) ? `fmodInt(${a}, ${b})` : `${a} % ${b}`),
    // WGSL's f32 % is a - b * trunc(a / b), not exact like fmod: within the f32 rounding of a / b.
    wgsl: (a, b, d) => (isIndex(d) ? `select(${a} % ${b}, 0i, ${b} == 0i)` : `(${a} % ${b})`),
  }),
  max: binary('max', { dtypes: NUMERIC, commutative: true, fn: Math.max, ts: (a, b) => `Math.max(${a}, ${b})`, wgsl: (a, b) => `max(${a}, ${b})` }),
  min: binary('min', { dtypes: NUMERIC, commutative: true, fn: Math.min, ts: (a, b) => `Math.min(${a}, ${b})`, wgsl: (a, b) => `min(${a}, ${b})` }),
  equal: binary('equal', { dtypes: ANY, commutative: true, predicate: true, fn: (a, b) => truth(a === b), ts: (a, b) => `(${a} === ${b} ? 1 : 0)`, wgsl: (a, b) => `select(0u, 1u, ${a} == ${b})` }),
  less: binary('less', { dtypes: ANY, predicate: true, fn: (a, b) => truth(a < b), ts: (a, b) => `(${a} < ${b} ? 1 : 0)`, wgsl: (a, b) => `select(0u, 1u, ${a} < ${b})` }),
  greater: binary('greater', { dtypes: ANY, predicate: true, fn: (a, b) => truth(a > b), ts: (a, b) => `(${a} > ${b} ? 1 : 0)`, wgsl: (a, b) => `select(0u, 1u, ${a} > ${b})` }),
  and: binary('and', { dtypes: BOOL, commutative: true, fn: (a, b) => truth(a !== 0 && b !== 0), ts: (a, b) => `(${a} !== 0 && ${b} !== 0 ? 1 : 0)`, wgsl: (a, b) => `select(0u, 1u, ${a} != 0u && ${b} != 0u)` }),
  or: binary('or', { dtypes: BOOL, commutative: true, fn: (a, b) => truth(a !== 0 || b !== 0), ts: (a, b) => `(${a} !== 0 || ${b} !== 0 ? 1 : 0)`, wgsl: (a, b) => `select(0u, 1u, ${a} != 0u || ${b} != 0u)` }),
  where,
};
