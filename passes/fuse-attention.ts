// Pass: attention fusion.
//
// Assumes:    simplify-movement has run (K^T is a matmul transB flag, not a transpose).
// Guarantees: every chain matmul(Q, K^T) -> [scale by a scalar constant] -> [+ mask] ->
//             softmax(last axis) -> matmul(., V) over rank-2..4 operands with equal batch dims
//             is one `attention` node, and no attention reads Q or K through a product or
//             quotient by a scalar constant read nowhere else (it is the attention's scale). Its score matrix is never materialised, unless the
//             probabilities are also used elsewhere: then they become its second output.
// Runs:       before epilogue fusion (which would otherwise absorb the scale into the matmul).
import type { Node, ValueId } from '../src/ir/graph.ts';
import { getNumber } from '../src/ir/tensor.ts';
import { type Shape, numel, sameShape, stridesOf } from '../src/ir/types.ts';
import type { Access } from '../src/ops/access.ts';
import { broadcastStrides } from '../src/codegen/loops.ts';
import type { GraphEditor } from '../src/rewrite/editor.ts';
import { rewriteToFixpoint } from '../src/rewrite/driver.ts';
import type { Match, NodePattern, Rule } from '../src/rewrite/pattern.ts';
import type { Pass } from './pass.ts';

/** A plain matmul: no transposed A, no epilogue. */
const plain = (transB: boolean) => (n: Node): boolean => n.op === 'matmul' && !n.attrs.transA && n.attrs.transB === transB && !n.attrs.epilogue;

/** A scalar f32 constant's value, if `v` is one. */
function scalarConstant(ed: GraphEditor, v: ValueId): number | undefined {
  const p = ed.producer(v);
  if (p?.op !== 'constant' || p.attrs.value.dtype !== 'f32' || numel(p.attrs.value.shape) !== 1) return undefined;
  return getNumber(p.attrs.value, 0);
}

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
  const inputs = [q, k, v];
  let mask: Access | undefined;
  if (maskNode) {
    const mv = maskNode.inputs[1]!;
    mask = { offset: 0, strides: to4(broadcastStrides(maskNode.outputs[0]!.type.shape, ed.typeOf(mv).shape)) };
    inputs.push(mv);
  }
  const weights = ed.uses(probs.outputs[0]!.id) > 1;
  // The new node must precede every reader of the probabilities, and follow its own inputs.
  const order = ed.liveNodes();
  const anchor = order.find((n) => n === root || n.inputs.includes(probs.outputs[0]!.id))!;
  const before = (x: ValueId): boolean => {
    const p = ed.producer(x);
    return !p || order.indexOf(p) < order.indexOf(anchor);
  };
  if (!inputs.every(before)) return undefined;
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

const scores: NodePattern = { op: 'matmul', as: 'scores', oneUse: true, where: plain(true) };
const scaled: NodePattern = { op: ['mul', 'div'], as: 'scale', oneUse: true, inputs: [scores, { value: 'c' }] };
const masked = (inner: NodePattern): NodePattern => ({ op: 'add', as: 'mask', oneUse: true, inputs: [inner, { value: 'm' }] });
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
  { name: 'attention-masked', reason: 'softmax(QK^T + M)V is one streaming pass over the keys', pattern: chain(masked(scores)), rewrite: fuse },
  { name: 'attention', reason: 'softmax(QK^T)V is one streaming pass over the keys', pattern: chain(scores), rewrite: fuse },
  { name: 'attention-prescaled-q', reason: '(cQ)K^T = c(QK^T): a scalar on Q (PyTorch scales q before bmm) is the attention scale', pattern: { op: 'attention', inputs: [prescaled] }, rewrite: absorbOperandScale },
  { name: 'attention-prescaled-k', reason: 'Q(cK)^T = c(QK^T): a scalar on K is the attention scale', pattern: { op: 'attention', inputs: [undefined, prescaled] }, rewrite: absorbOperandScale },
];

export const fuseAttention: Pass = {
  name: 'fuse-attention',
  summary: 'matmul -> scale -> (mask) -> softmax -> matmul becomes one attention op',
  run: (graph, ctx) => rewriteToFixpoint(graph, ATTENTION_RULES, ctx.note),
};
