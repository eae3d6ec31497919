// Pass: contraction canonicalisation (one big gemm per projection, whatever built the graph).
//
// Assumes:    shape inference has run; fuse-attention has run (its patterns match `matmul`, and a
//             rank-2 Q K^T with an unbatched K would otherwise become a gemm first).
// Guarantees: no f32 matmul without epilogue whose B has no batch dims of size > 1 (A with
//             transA only at rank 2): it is a gemm, whose M is every leading dim of A, so
//             `x[128,1,512] @ W[512,N]` is one 128-row gemm, not 128 one-row products. No
//             gemm without C is read only by an add of a bias (a value broadcast along rows
//             only): the bias is its C. No gemm without transA and epilogue, whose C (if any)
//             broadcasts along rows only, is read only by a reshape that keeps its last dim:
//             the reshape moves onto A, so the gemm yields the shape its readers use (what the
//             API's Linear builds) and epilogues and attention write strides can reach it.
// Runs:       after fuse-attention, before merge-siblings (which merges gemms with a bias C),
//             eliminate-head-reshapes (which absorbs the moved reshapes) and fuse-epilogues.
import type { Node, ValueId } from '../src/ir/graph.ts';
import { type Shape, sameShape } from '../src/ir/types.ts';
import type { GraphEditor } from '../src/rewrite/editor.ts';
import { rewriteToFixpoint } from '../src/rewrite/driver.ts';
import type { Match, Rule } from '../src/rewrite/pattern.ts';
import type { Pass } from './pass.ts';
import { MOVEMENT_RULES } from './simplify-movement.ts';

/** A reshape of `x` to `shape` placed before `anchor`, or `x` itself when it has that shape. */
function reshaped(ed: GraphEditor, anchor: Node, x: ValueId, shape: Shape): ValueId {
  if (sameShape(ed.typeOf(x).shape, shape)) return x;
  return ed.insertBefore(anchor, 'reshape', { shape: [...shape] }, [x], anchor.label)[0]!.id;
}

/** True when `s` broadcasts along rows only: every dim but the last is 1 (a bias, not a residual). */
const rowBroadcast = (s: Shape): boolean => s.slice(0, -1).every((d) => d === 1);

/** matmul(A, B) with B unbatched (or batched by 1s only) as gemm(A, B[k,n]); the result keeps the matmul's shape. */
function matmulToGemm(m: Match, ed: GraphEditor): ValueId | undefined {
  const mm = m.root;
  if (mm.op !== 'matmul' || mm.attrs.epilogue) return undefined;
  const [a, b] = [m.values.a!, m.values.b!];
  const [as, bs] = [ed.typeOf(a), ed.typeOf(b)];
  if (as.dtype !== 'f32' || bs.dtype !== 'f32' || as.shape.length < 2 || bs.shape.length < 2) return undefined;
  if (!bs.shape.slice(0, -2).every((d) => d === 1)) return undefined; // real batch dims of B: a batched product
  if (mm.attrs.transA && as.shape.length !== 2) return undefined; // transposed rows of a batch are not one M
  const b2 = reshaped(ed, mm, b, bs.shape.slice(-2));
  const attrs = { transA: mm.attrs.transA, transB: mm.attrs.transB, alpha: 1, beta: 0 };
  const g = ed.insertBefore(mm, 'gemm', attrs, [a, b2], mm.label)[0]!.id;
  return reshaped(ed, mm, g, mm.outputs[0]!.type.shape);
}

/** add(gemm(A, B), bias) as gemm(A, B, bias) with beta 1 (alpha scaled only the product). */
function biasToC(m: Match, ed: GraphEditor): ValueId | undefined {
  const [add, g, c] = [m.root, m.nodes.g!, m.values.c!];
  if (g.op !== 'gemm' || g.attrs.epilogue || g.inputs.length !== 2) return undefined;
  const out = g.outputs[0]!.type;
  const ct = ed.typeOf(c);
  if (ct.dtype !== 'f32' || !sameShape(add.outputs[0]!.type.shape, out.shape)) return undefined;
  if (ct.shape.length > out.shape.length || ct.shape.length === 0 || !rowBroadcast(ct.shape) || ct.shape.at(-1) !== out.shape.at(-1)) return undefined;
  return ed.insertBefore(add, 'gemm', { ...g.attrs, beta: 1 }, [...g.inputs, c], g.label)[0]!.id;
}

/** reshape(gemm(A, B, C?), [...lead, n]) as gemm(reshape(A, [...lead, k]), B, C?): M is lead either way. */
function reshapeOntoA(m: Match, ed: GraphEditor): ValueId | undefined {
  const [r, g] = [m.root, m.nodes.g!];
  if (g.op !== 'gemm' || g.attrs.transA || g.attrs.epilogue) return undefined;
  const shape = r.outputs[0]!.type.shape;
  const [a, ...rest] = g.inputs as [ValueId, ...ValueId[]];
  const as = ed.typeOf(a).shape;
  const n = g.outputs[0]!.type.shape.at(-1)!;
  if (shape.length < 2 || shape.at(-1) !== n) return undefined;
  const c = rest[1];
  if (c !== undefined && (ed.typeOf(c).shape.length > shape.length || !rowBroadcast(ed.typeOf(c).shape))) return undefined;
  const a2 = reshaped(ed, r, a, [...shape.slice(0, -1), as.at(-1)!]);
  return ed.insertBefore(r, 'gemm', g.attrs, [a2, ...rest], g.label)[0]!.id;
}

const gemmOnce = { op: 'gemm', as: 'g', oneUse: true } as const;
const [reshapeCompose, reshapeNoop] = ['reshape-compose', 'reshape-noop'].map((name) => MOVEMENT_RULES.find((r) => r.name === name)!);

/** The contraction rules, in the order they are tried. */
export const CONTRACTION_RULES: readonly Rule[] = [
  {
    name: 'matmul-fold-batch',
    reason: 'with B unbatched, the batch dims of A are more rows of one gemm (packed, register-blocked) instead of many small products',
    pattern: { op: 'matmul', inputs: [{ value: 'a' }, { value: 'b' }] },
    rewrite: matmulToGemm,
  },
  {
    name: 'gemm-bias',
    reason: 'a bias added to a gemm result is its C (the form merge-siblings merges, and the API Linear builds)',
    pattern: { op: 'add', inputs: [gemmOnce, { value: 'c' }] },
    rewrite: biasToC,
  },
  {
    name: 'gemm-bias-first',
    reason: 'add is commutative: bias + gemm is gemm + bias (PyTorch exports Add(bias, MatMul))',
    pattern: { op: 'add', inputs: [{ value: 'c' }, gemmOnce] },
    rewrite: biasToC,
  },
  {
    name: 'gemm-reshape-onto-a',
    reason: 'a gemm row is a row of A whatever the leading dims, so the reshape of its result is a (free) reshape of A',
    pattern: { op: 'reshape', inputs: [gemmOnce] },
    rewrite: reshapeOntoA,
  },
  reshapeCompose!, // the reshapes moved onto A meet the ones already there
  reshapeNoop!,
];

export const foldContractions: Pass = {
  name: 'fold-contractions',
  summary: 'matmuls with an unbatched B become one gemm over all rows; biases become its C; reshapes of its result move onto A',
  run: (graph, ctx) => rewriteToFixpoint(graph, CONTRACTION_RULES, ctx),
};
