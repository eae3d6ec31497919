// torch.nn.functional-style free functions over Sym. Every API op funnels through GraphBuilder.op.
import { ShapeError } from '../errors.ts';
import type { DType } from '../ir/types.ts';
import type { OpKind, ReduceAttrs } from '../ops/attrs.ts';
import type { Operand, Sym } from './sym.ts';

export { crossEntropy, type Reduction } from './loss.ts';
export { arange, eq, full, ge, gt, le, logicalAnd, logicalNot, logicalOr, lt, maskedFill, ne, ones, onesLike, tril, triu, where, zeros, zerosLike } from './tensors.ts';
export { type AttentionMaskOptions, causalMask, scaledDotProductAttention } from './attention.ts';
export {
  type AvgPoolOptions, type BatchNormOptions, type ConvOptions, type ConvTransposeOptions, type MaxPoolOptions, type Size,
  adaptiveAvgPool1d, adaptiveAvgPool2d, adaptiveMaxPool1d, adaptiveMaxPool2d, avgPool1d, avgPool2d, batchNorm, clamp,
  conv1d, conv2d, conv3d, convTranspose1d, convTranspose2d, flatten, hardSigmoid, hardSwish, leakyRelu, maxPool1d, maxPool2d, relu6,
} from './conv.ts';

type UnaryKind = 'neg' | 'abs' | 'exp' | 'log' | 'sqrt' | 'reciprocal' | 'tanh' | 'sigmoid' | 'relu' | 'erf' | 'not' | 'identity';
type BinaryKind = 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'max' | 'min' | 'equal' | 'less' | 'greater' | 'and' | 'or';

function one(x: Sym, kind: OpKind, attrs: object, inputs: readonly Sym[] = [x]): Sym {
  return x.builder.op(kind as 'identity', attrs as Record<string, never>, inputs)[0]!;
}

/** Applies an elementwise unary op. */
export function unary(kind: UnaryKind, x: Sym): Sym {
  return one(x, kind, {});
}

/** Applies an elementwise binary op; a number becomes a scalar constant of `a`'s dtype. */
export function binary(kind: BinaryKind, a: Sym, b: Operand): Sym {
  const rhs = typeof b === 'number' ? a.builder.constant(b, a.dtype) : b;
  return one(a, kind, {}, [a, rhs]);
}

/** max(x, 0), elementwise (torch.relu). */
export const relu = (x: Sym): Sym => unary('relu', x);
/** Hyperbolic tangent, elementwise (torch.tanh). */
export const tanh = (x: Sym): Sym => unary('tanh', x);
/** 1 / (1 + exp(-x)), elementwise (torch.sigmoid). */
export const sigmoid = (x: Sym): Sym => unary('sigmoid', x);

/** GELU; `none` is the exact erf form (PyTorch's default). */
export function gelu(x: Sym, approximate: 'none' | 'tanh' = 'none'): Sym {
  return one(x, 'gelu', { approximate });
}

/** x converted to element type `to` (torch's `x.to(dtype)`; floats to integers truncate toward zero). */
export function cast(x: Sym, to: DType): Sym {
  return one(x, 'cast', { to });
}

/** torch.matmul: batched, broadcasting; 1-D operands as in numpy. */
export function matmul(a: Sym, b: Sym, opts: { transA?: boolean; transB?: boolean } = {}): Sym {
  return one(a, 'matmul', { transA: opts.transA ?? false, transB: opts.transB ?? false }, [a, b]);
}

/** torch.bmm: matmul restricted to two rank-3 operands. */
export function bmm(a: Sym, b: Sym): Sym {
  if (a.rank !== 3 || b.rank !== 3) a.builder.fail(`bmm expects two rank-3 tensors, got ${a} and ${b}`);
  return matmul(a, b);
}

/** F.linear: x @ weight^T + bias, weight [out, in] (PyTorch layout). */
export function linear(x: Sym, weight: Sym, bias?: Sym): Sym {
  const inputs = bias ? [x, weight, bias] : [x, weight];
  return one(x, 'gemm', { transA: false, transB: true, alpha: 1, beta: 1 }, inputs);
}

/** Keras Dense: x @ kernel + bias, kernel [in, out]. */
export function dense(x: Sym, kernel: Sym, bias?: Sym): Sym {
  const inputs = bias ? [x, kernel, bias] : [x, kernel];
  return one(x, 'gemm', { transA: false, transB: false, alpha: 1, beta: 1 }, inputs);
}

/** torch.softmax over `dim` (negative counts from the end). */
export function softmax(x: Sym, dim: number): Sym {
  return one(x, 'softmax', { axis: dim });
}

/** torch.log_softmax over `dim`, computed stably (x - max - log sum exp). */
export function logSoftmax(x: Sym, dim: number): Sym {
  return one(x, 'logSoftmax', { axis: dim });
}

/** F.layer_norm over the trailing `normalizedRank` dims. */
export function layerNorm(x: Sym, normalizedRank: number, weight?: Sym, bias?: Sym, eps = 1e-5): Sym {
  const inputs = [x, weight, bias].filter((s): s is Sym => s !== undefined);
  if (bias && !weight) x.builder.fail('layerNorm: a bias needs a weight');
  return one(x, 'layerNorm', { axis: x.rank - normalizedRank, epsilon: eps }, inputs);
}

/** Reduction over `dim` (all dims when omitted). */
export function reduce(kind: 'reduceSum' | 'reduceMean' | 'reduceMax', x: Sym, dim: number | readonly number[] | undefined, keepDims: boolean): Sym {
  const axes = dim === undefined ? [] : typeof dim === 'number' ? [dim] : [...dim];
  const attrs: ReduceAttrs = { axes, keepDims };
  return one(x, kind, attrs);
}

/** torch.reshape: one dim may be -1 (inferred); the element count must not change. */
export function reshape(x: Sym, shape: readonly number[]): Sym {
  return one(x, 'reshape', { shape: [...shape] });
}

/** Swaps dims d0 and d1 (negative allowed). */
export function transpose(x: Sym, d0: number, d1: number): Sym {
  const r = x.rank;
  const a = d0 < 0 ? d0 + r : d0;
  const b = d1 < 0 ? d1 + r : d1;
  if (a < 0 || a >= r || b < 0 || b >= r) x.builder.fail(`transpose(${d0}, ${d1}) is out of range for ${x}`);
  const perm = [...Array(r).keys()];
  perm[a] = b;
  perm[b] = a;
  return permute(x, perm);
}

/** torch.permute: output dim i is input dim dims[i] (negative allowed). */
export function permute(x: Sym, dims: readonly number[]): Sym {
  return one(x, 'transpose', { perm: dims.map((d) => (d < 0 ? d + x.rank : d)) });
}

/** torch.unsqueeze: a new size-1 dim at `dim`. */
export function unsqueeze(x: Sym, dim: number): Sym {
  return one(x, 'unsqueeze', { axes: [dim] });
}

/** Removes `dim` (which must be 1), or every size-1 dim when omitted. */
export function squeeze(x: Sym, dim?: number): Sym {
  return one(x, 'squeeze', { axes: dim === undefined ? [] : [dim] });
}

/** torch's expand: -1 keeps the existing size of that dim. */
export function expand(x: Sym, shape: readonly number[]): Sym {
  const off = shape.length - x.rank;
  return one(x, 'expand', { shape: shape.map((d, i) => (d === -1 && i >= off ? x.shape[i - off]! : d)) });
}

/** Python slicing along one dim. */
export function slice(x: Sym, dim: number, start: number, end: number, step = 1): Sym {
  return one(x, 'slice', { starts: [start], ends: [end], axes: [dim], steps: [step] });
}

/** Index `i` of `dim`, removing that dim (torch's select / x[:, i]). */
export function select(x: Sym, dim: number, i: number): Sym {
  const end = i === -1 ? Number.MAX_SAFE_INTEGER : i + 1;
  return squeeze(slice(x, dim, i, end), dim);
}

/** torch.cat. */
export function concat(xs: readonly Sym[], dim: number): Sym {
  if (xs.length === 0) throw new ShapeError('concat needs at least one tensor');
  return one(xs[0]!, 'concat', { axis: dim }, xs);
}

/** torch.stack: unsqueeze each then concatenate. */
export function stack(xs: readonly Sym[], dim: number): Sym {
  return concat(xs.map((x) => unsqueeze(x, dim)), dim);
}

/** torch.split with explicit sizes. */
export function split(x: Sym, sizes: readonly number[], dim: number): Sym[] {
  return x.builder.op('split', { axis: dim, sizes: [...sizes] }, [x]);
}

/** Embedding lookup: rows of `table` at integer `indices`. */
export function embedding(indices: Sym, table: Sym): Sym {
  return one(table, 'gather', { axis: 0 }, [table, indices]);
}


/** Dropout at inference is the identity; kept so models read like their PyTorch source. */
export function dropout(x: Sym): Sym {
  return x;
}
