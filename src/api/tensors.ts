// Tensor creation, comparison and mask helpers with PyTorch's names and semantics: arange, full,
// zeros, ones, tril, triu, maskedFill, where, lt..ne, logicalNot/And/Or. Shapes are static, so
// what only depends on these creators (a causal mask from tril or arange) is a constant: the
// builder emits literals or ops over literals, and constant folding leaves one literal.
import { tensor } from '../ir/tensor.ts';
import { type DType, type Shape, numel } from '../ir/types.ts';
import type { GraphBuilder } from './builder.ts';
import type { Operand, Sym } from './sym.ts';

function op2(kind: 'equal' | 'less' | 'greater' | 'and' | 'or', a: Sym, b: Operand): Sym {
  const rhs = typeof b === 'number' ? a.builder.constant(b, a.dtype) : b;
  return a.builder.op(kind, {}, [a, rhs])[0]!;
}

/** torch.full(shape, value): a constant tensor of `dtype` (f32 by default). */
export function full(g: GraphBuilder, shape: Shape, value: number, dtype: DType = 'f32'): Sym {
  return g.constant(tensor(dtype, shape, new Array<number>(numel(shape)).fill(value)));
}

/** torch.zeros(shape): a constant tensor of zeros. */
export function zeros(g: GraphBuilder, shape: Shape, dtype: DType = 'f32'): Sym {
  return g.constant(tensor(dtype, shape));
}

/** torch.ones(shape): a constant tensor of ones. */
export function ones(g: GraphBuilder, shape: Shape, dtype: DType = 'f32'): Sym {
  return full(g, shape, 1, dtype);
}

/** torch.ones_like(x): ones of x's shape and dtype (a constant: shapes are static). */
export function onesLike(x: Sym): Sym {
  return ones(x.builder, x.shape, x.dtype);
}

/** torch.zeros_like(x): zeros of x's shape and dtype. */
export function zerosLike(x: Sym): Sym {
  return zeros(x.builder, x.shape, x.dtype);
}

/**
 * torch.arange(end) or arange(start, end, step): a constant 1-D tensor. Integer arguments give
 * i64, as in PyTorch; any fractional one gives f32 (`dtype` overrides).
 */
export function arange(g: GraphBuilder, start: number, end?: number, step = 1, dtype?: DType): Sym {
  const [lo, hi] = end === undefined ? [0, start] : [start, end];
  if (step === 0 || !Number.isFinite(lo) || !Number.isFinite(hi)) g.fail(`arange(${lo}, ${hi}, ${step}): step must be non-zero and bounds finite`);
  const n = Math.max(0, Math.ceil((hi - lo) / step));
  const dt = dtype ?? ([lo, hi, step].every(Number.isInteger) ? 'i64' : 'f32');
  return g.constant(tensor(dt, [n], Array.from({ length: n }, (_, i) => lo + i * step)));
}

/** The constant bool [rows, cols] mask of `keep(i, j)`. */
function triangle(g: GraphBuilder, rows: number, cols: number, keep: (i: number, j: number) => boolean): Sym {
  const data = new Uint8Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) data[i * cols + j] = keep(i, j) ? 1 : 0;
  return g.constant(tensor('bool', [rows, cols], data));
}

function triangular(x: Sym, what: string, keep: (i: number, j: number) => boolean): Sym {
  if (x.rank < 2) x.builder.fail(`${what} expects a tensor of rank >= 2, got ${x}`);
  const m = triangle(x.builder, x.size(-2), x.size(-1), keep);
  return where(m, x, 0);
}

/** torch.tril(x, diagonal): keeps elements with j - i <= diagonal of the last two dims, zeros the rest. */
export function tril(x: Sym, diagonal = 0): Sym {
  return triangular(x, 'tril', (i, j) => j - i <= diagonal);
}

/** torch.triu(x, diagonal): keeps elements with j - i >= diagonal of the last two dims, zeros the rest. */
export function triu(x: Sym, diagonal = 0): Sym {
  return triangular(x, 'triu', (i, j) => j - i >= diagonal);
}

/**
 * torch.where(cond, x, y): x where cond is true, else y, all broadcast. A number becomes a scalar
 * of the other branch's dtype (f32 when both are numbers).
 */
export function where(cond: Sym, x: Operand, y: Operand): Sym {
  const g = cond.builder;
  const dtype = typeof x !== 'number' ? x.dtype : typeof y !== 'number' ? y.dtype : 'f32';
  const lift = (v: Operand): Sym => (typeof v === 'number' ? g.constant(v, dtype) : v);
  return g.op('where', {}, [toBool(cond), lift(x), lift(y)])[0]!;
}

/** x.masked_fill(mask, value): `value` where the bool `mask` is true (broadcast), x elsewhere. */
export function maskedFill(x: Sym, mask: Sym, value: Operand): Sym {
  if (mask.dtype !== 'bool') x.builder.fail(`maskedFill expects a bool mask, got ${mask} (compare it first, e.g. mask.eq(0))`);
  return where(mask, value, x);
}

/** a < b elementwise (bool). */
export const lt = (a: Sym, b: Operand): Sym => op2('less', a, b);
/** a > b elementwise (bool). */
export const gt = (a: Sym, b: Operand): Sym => op2('greater', a, b);
/** a == b elementwise (bool). */
export const eq = (a: Sym, b: Operand): Sym => op2('equal', a, b);
/** a <= b elementwise (bool); false where either is NaN, as in PyTorch. */
export const le = (a: Sym, b: Operand): Sym => logicalOr(lt(a, b), eq(a, b));
/** a >= b elementwise (bool); false where either is NaN. */
export const ge = (a: Sym, b: Operand): Sym => logicalOr(gt(a, b), eq(a, b));
/** a != b elementwise (bool); true where either is NaN, as in PyTorch. */
export const ne = (a: Sym, b: Operand): Sym => logicalNot(eq(a, b));

/** A bool view of x: x itself when bool, else x != 0 (PyTorch's truthiness in logical ops). */
function toBool(x: Sym): Sym {
  return x.dtype === 'bool' ? x : x.builder.op('not', {}, [op2('equal', x, 0)])[0]!;
}

/** torch.logical_not: true where x is false (or zero). */
export function logicalNot(x: Sym): Sym {
  return x.dtype === 'bool' ? x.builder.op('not', {}, [x])[0]! : op2('equal', x, 0);
}

/** torch.logical_and, broadcast; non-bool operands count as `!= 0`. */
export function logicalAnd(a: Sym, b: Sym): Sym {
  return op2('and', toBool(a), toBool(b));
}

/** torch.logical_or, broadcast; non-bool operands count as `!= 0`. */
export function logicalOr(a: Sym, b: Sym): Sym {
  return op2('or', toBool(a), toBool(b));
}
