// Pass: attention fusion.
//
// Assumes:    simplify-movement has run (K^T is a matmul transB flag, not a transpose).
// Guarantees: every chain matmul(Q, K^T) -> [scale by a scalar constant] -> [+ mask, or
//             where(cond, -inf, .) / where(cond, ., -inf)] -> softmax(last axis) -> matmul(., V)
//             over rank-2..4 operands with equal batch dims is one `attention` node; a where
//             becomes an additive 0/-inf mask of the condition's shape (a constant when the
//             condition is one); an attention whose mask is the constant 0/-inf causal one has
//             the causal flag and no mask operand; no attention reads Q or K through a product or
//             quotient by a scalar constant read nowhere else (it is the attention's scale). Its
//             score matrix is never materialised, unless the probabilities are also used
//             elsewhere (then they become its second output) or the scores have a reader that
//             is no chain link (then the chain is left alone). Scores read by several chains
//             (cse merges one q, k under several masks) are recomputed by each fused op.
// Runs:       before epilogue fusion (which would otherwise absorb the scale into the matmul).
import type { Node, ValueId } from '../src/ir/graph.ts';
import { type Tensor, getNumber, tensor } from '../src/ir/tensor.ts';
import { type Shape, numel, sameShape, stridesOf } from '../src/ir/types.ts';
import type { Access } from '../src/ops/access.ts';
import { broadcastStrides } from '../src/codegen/loops.ts';
import type { GraphEditor } from '../src/rewrite/editor.ts';
import { rewriteToFixpoint } from '../src/rewrite/driver.ts';
import type { Match, NodePattern, Rule } from '../src/rewrite/pattern.ts';
import type { Pass } from './pass.ts';
import { scalarConstant } from './util.ts';

/** A plain matmul: no transposed A, no epilogue. */
const plain = (transB: boolean) => (n: Node): boolean => n.op === 'matmul' && !n.attrs.transA && n.attrs.transB === transB && !n.attrs.epilogue;

/** Strides over logical [b, h, n, e] of a rank-2..4 operand: rank 3 is [b, n, e], rank 2 is [n, e]. */
function to4(strides: readonly number[]): number[] {
  if (strides.length === 4) return [...strides];
  if (strides.length === 3) return [strides[0]!, 0, strides[1]!, strides[2]!];
  return [0, 0, ...strides];
}

/** The rewrite shared by the four chain shapes; `scaleNode`/`maskNode` name optional links. */
function fuse(m: Match, ed: GraphEditor): ValueId[] | undefined {
  const [scores, probs, root] = [m.nodes.scores!, m.nodes.probs!, m.root];
  const [q, k, v] = [scores.inputs[0]!, scores.inputs[1]!, root.inputs[1]!];
  const [qs, ks, vs] = [ed.typeOf(q).shape, ed.typeOf(k).shape, ed.typeOf(v).shape];
  const rank = qs.length;
  if (rank < 2 || rank > 4 || ks.length !== rank || vs.length !== rank) return undefined;
  if (!sameShape(probs.outputs[0]!.type.shape, scores.outputs[0]!.type.shape)) return undefined; // a broadcast widened the logits
  const batch = qs.slice(0, -2);
  if (!sameShape(batch, ks.slice(0, -2)) || !sameShape(batch, vs.slice(0, -2))) return undefined;
  if (!readByChainsOnly(ed, scores, ['mul', 'div', 'add', 'where', 'softmax'])) return undefined;
  if (m.nodes.scale && !readByChainsOnly(ed, m.nodes.scale, ['add', 'where', 'softmax'])) return undefined;
  let scale = 1;
  const scaleNode = m.nodes.scale;
  if (scaleNode) {
    const c = scalarConstant(ed, scaleNode.inputs[1]!);
    if (c === undefined) return undefined;
    scale = scaleNode.op === 'div' ? 1 / c : c;
  }
  const [b, h] = [rank >= 3 ? batch[0]! : 1, rank === 4 ? batch[1]! : 1];
  const dense = (s: Shape): Access => ({ offset: 0, strides: to4(stridesOf(s)) });
  const outShape = root.outputs[0]!.type.shape;
  const maskNode = m.nodes.mask;
  const fill = maskNode?.op === 'where' ? whereFill(ed, maskNode) : undefined;
  if (maskNode?.op === 'where' && fill === undefined) return undefined;
  const weights = ed.uses(probs.outputs[0]!.id) > 1;
  // The new node must precede every reader of the probabilities (root is one), and follow its own inputs.
  const anchor = ed.usersOf(probs.outputs[0]!.id).reduce((a, n) => (ed.precedes(n, a) ? n : a), root);
  const before = (x: ValueId): boolean => {
    const p = ed.producer(x);
    return !p || !ed.has(p) || ed.precedes(p, anchor);
  };
  const inputs = [q, k, v];
  if (maskNode) inputs.push(fill ? fill.cond : maskNode.inputs[1]!);
  if (!inputs.every(before)) return undefined;
  let mask: Access | undefined;
  if (maskNode) {
    const mv = fill ? additiveFromWhere(ed, anchor, fill, root.label) : inputs[3]!;
    inputs[3] = mv;
    mask = { offset: 0, strides: to4(broadcastStrides(maskNode.outputs[0]!.type.shape, ed.typeOf(mv).shape)) };
  }
  const attrs = {
    batch: b, heads: h, seqQ: qs[rank - 2]!, seqK: ks[rank - 2]!, headDim: qs[rank - 1]!, valueDim: vs[rank - 1]!,
    scale, causal: false, weights,
    q: dense(qs), k: dense(ks), v: dense(vs), ...(mask ? { mask } : {}),
    out: { ...dense(outShape), shape: [...outShape] },
  };
  const outs = ed.insertBefore(anchor, 'attention', attrs, inputs, root.label);
  if (weights) {
    const w = outs[1]!.id;
    const reshaped = sameShape(outs[1]!.type.shape, probs.outputs[0]!.type.shape) ? w : ed.insertBefore(anchor, 'reshape', { shape: [...probs.outputs[0]!.type.shape] }, [w], root.label)[0]!.id;
    ed.replaceUses(probs.outputs[0]!.id, reshaped);
  }
  return [outs[0]!.id];
}

/** Every reader of `n` is a next link of some attention chain (never an output): fusing each recomputes it, none materialises it. */
function readByChainsOnly(ed: GraphEditor, n: Node, links: readonly string[]): boolean {
  const v = n.outputs[0]!.id;
  return !ed.isOutput(v) && ed.usersOf(v).every((u) => links.includes(u.op));
}

/** A where that masks the scores with -inf: `cond` and whether true means masked. */
interface WhereFill {
  readonly cond: ValueId;
  readonly maskedWhen: boolean;
}

/** where(c, -inf, s) masks where c; where(c, s, -inf) masks where !c; any other where is not a mask. */
function whereFill(ed: GraphEditor, w: Node): WhereFill | undefined {
  const [c, a, b] = w.inputs as [ValueId, ValueId, ValueId];
  if (scalarConstant(ed, a) === -Infinity) return { cond: c, maskedWhen: true };
  if (scalarConstant(ed, b) === -Infinity) return { cond: c, maskedWhen: false };
  return undefined;
}

/** The additive 0/-inf mask of a WhereFill, of the condition's shape: a constant when it is one. */
function additiveFromWhere(ed: GraphEditor, anchor: Node, f: WhereFill, label: string | undefined): ValueId {
  const p = ed.producer(f.cond);
  const [masked, open] = f.maskedWhen ? [-Infinity, 0] : [0, -Infinity];
  if (p?.op === 'constant') {
    const c = p.attrs.value;
    const data = Float32Array.from({ length: numel(c.shape) }, (_, i) => (getNumber(c, i) !== 0 ? masked : open));
    return ed.insertBefore(anchor, 'constant', { value: tensor('f32', c.shape, data) }, [], label)[0]!.id;
  }
  const lit = (x: number): ValueId => ed.insertBefore(anchor, 'constant', { value: tensor('f32', [], [x]) }, [], label)[0]!.id;
  return ed.insertBefore(anchor, 'where', {}, [f.cond, lit(masked), lit(open)], label)[0]!.id;
}

/** True when `mask`, read through `acc` over [b, h, nq, nk], is 0 for j <= i and -inf above: the causal mask. */
function isCausalMask(t: Tensor, acc: Access, nq: number, nk: number): boolean {
  const [s0, s1, s2, s3] = acc.strides as [number, number, number, number];
  if (s0 !== 0 || s1 !== 0) return false; // a causal mask does not vary over batch or heads
  for (let i = 0; i < nq; i++) {
    for (let j = 0; j < nk; j++) {
      if (getNumber(t, acc.offset + i * s2 + j * s3) !== (j > i ? -Infinity : 0)) return false;
    }
  }
  return true;
}

/** attention(q, k, v, constant causal mask) as attention(q, k, v) with the causal flag. */
function causalFlag(m: Match, ed: GraphEditor): ValueId[] | undefined {
  const att = m.root;
  if (att.op !== 'attention' || !att.attrs.mask) return undefined;
  const p = ed.producer(att.inputs[3]!);
  if (p?.op !== 'constant' || p.attrs.value.dtype !== 'f32' || !isCausalMask(p.attrs.value, att.attrs.mask, att.attrs.seqQ, att.attrs.seqK)) return undefined;
  const { mask: _mask, ...attrs } = att.attrs;
  return ed.insertBefore(att, 'attention', { ...attrs, causal: true }, att.inputs.slice(0, 3), att.label).map((o) => o.id);
}

// The scores and their scaling may be shared (CSE merges the Q K^T of several masks over one q, k):
// each chain then recomputes them in its kernel, and `fuse` declines when a reader is no chain.
const scores: NodePattern = { op: 'matmul', as: 'scores', where: plain(true) };
const scaled: NodePattern = { op: ['mul', 'div'], as: 'scale', inputs: [scores, { value: 'c' }] };
const masked = (inner: NodePattern): NodePattern => ({ op: 'add', as: 'mask', oneUse: true, inputs: [inner, { value: 'm' }] });
/** scores.masked_fill(cond, -inf) is where(cond, -inf, s); torch.where(cond, s, -inf) keeps s where cond. */
const filled = (inner: NodePattern): NodePattern => ({ op: 'where', as: 'mask', oneUse: true, inputs: [{ value: 'cond' }, { value: 'fill' }, inner] });
const kept = (inner: NodePattern): NodePattern => ({ op: 'where', as: 'mask', oneUse: true, inputs: [{ value: 'cond' }, inner, { value: 'fill' }] });
const chain = (logits: NodePattern): NodePattern => ({
  op: 'matmul',
  where: plain(false),
  inputs: [{ op: 'softmax', as: 'probs', inputs: [logits], where: (n) => n.op === 'softmax' && (n.attrs.axis === -1 || n.attrs.axis === n.outputs[0]!.type.shape.length - 1) }, { value: 'v' }],
});

/** attention(q * c, k, v) (or q / c, or the same on k) as attention(q, k, v) with its scale times c. */
function absorbOperandScale(m: Match, ed: GraphEditor): ValueId[] | undefined {
  const [att, pre] = [m.root, m.nodes.pre!];
  const c = scalarConstant(ed, pre.inputs[1]!);
  if (att.op !== 'attention' || c === undefined || !sameShape(ed.typeOf(pre.inputs[0]!).shape, pre.outputs[0]!.type.shape)) return undefined;
  const slot = att.inputs.indexOf(pre.outputs[0]!.id);
  if (slot > 1 || att.inputs.lastIndexOf(pre.outputs[0]!.id) !== slot) return undefined; // q or k only, read once
  const scale = att.attrs.scale * (pre.op === 'div' ? 1 / c : c);
  const inputs = att.inputs.map((v, i) => (i === slot ? pre.inputs[0]! : v));
  return ed.insertBefore(att, 'attention', { ...att.attrs, scale }, inputs, att.label).map((o) => o.id);
}

const prescaled: NodePattern = { op: ['mul', 'div'], as: 'pre', oneUse: true, inputs: [{ value: 'x' }, { value: 'c' }] };

/** The attention chains, most specific first. */
export const ATTENTION_RULES: readonly Rule[] = [
  { name: 'attention-scaled-masked', reason: 'softmax(QK^T*s + M)V is one streaming pass over the keys', pattern: chain(masked(scaled)), rewrite: fuse },
  { name: 'attention-scaled', reason: 'softmax(QK^T*s)V is one streaming pass over the keys', pattern: chain(scaled), rewrite: fuse },
  { name: 'attention-scaled-filled', reason: 'masked_fill(-inf) of the scaled scores is adding a 0/-inf mask of the condition\'s shape', pattern: chain(filled(scaled)), rewrite: fuse },
  { name: 'attention-scaled-kept', reason: 'where(c, scores, -inf) is adding a 0/-inf mask of the condition\'s shape', pattern: chain(kept(scaled)), rewrite: fuse },
  { name: 'attention-masked', reason: 'softmax(QK^T + M)V is one streaming pass over the keys', pattern: chain(masked(scores)), rewrite: fuse },
  { name: 'attention-filled', reason: 'masked_fill(-inf) of the scores is adding a 0/-inf mask of the condition\'s shape', pattern: chain(filled(scores)), rewrite: fuse },
  { name: 'attention-kept', reason: 'where(c, scores, -inf) is adding a 0/-inf mask of the condition\'s shape', pattern: chain(kept(scores)), rewrite: fuse },
  { name: 'attention', reason: 'softmax(QK^T)V is one streaming pass over the keys', pattern: chain(scores), rewrite: fuse },
  { name: 'attention-prescaled-q', reason: '(cQ)K^T = c(QK^T): a scalar on Q (PyTorch scales q before bmm) is the attention scale', pattern: { op: 'attention', inputs: [prescaled] }, rewrite: absorbOperandScale },
  { name: 'attention-prescaled-k', reason: 'Q(cK)^T = c(QK^T): a scalar on K is the attention scale', pattern: { op: 'attention', inputs: [undefined, prescaled] }, rewrite: absorbOperandScale },
  { name: 'attention-causal', reason: 'a constant mask that is 0 on and below the diagonal and -inf above is the causal flag: no mask read, the masked keys skipped', pattern: { op: 'attention', inputs: [undefined, undefined, undefined, { op: 'constant' }] }, rewrite: causalFlag },
];

export const fuseAttention: Pass = {
  name: 'fuse-attention',
  summary: 'matmul -> scale -> (mask) -> softmax -> matmul becomes one attention op',
  run: (graph, ctx) => rewriteToFixpoint(graph, ATTENTION_RULES, ctx),
};
