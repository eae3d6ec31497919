// Pass: head-reshape elimination.
//
// Assumes:    attention fusion has run.
// Guarantees: no reshape, squeeze, unsqueeze, transpose, split, positive-step slice or expand feeds an
//             attention operand whose access can absorb it (the head split
//             `view(b,n,h,d).transpose(1,2)`, Keras `split_heads`, and the slices of a merged QKV
//             projection become strides the kernel reads), and none directly follows an
//             attention output that has no other reader (the head merge
//             `transpose(1,2).contiguous().view(b,n,h*d)` becomes strides the kernel writes).
//             An operand that is a graph input, a weight, a constant or any other kernel's
//             result is read as it is.
// Runs:       after fuse-attention and merge-siblings, before epilogue fusion.
import type { Node, ValueId } from '../src/ir/graph.ts';
import { type Access, type DimMap, expandMap, remapAccess, remapThroughTranspose, transposeMap } from '../src/ops/access.ts';
import { attentionSizes } from '../src/ops/attention.ts';
import type { OpAttrs } from '../src/ops/attrs.ts';
import { slicePlan } from '../src/ops/combine.ts';
import type { GraphEditor } from '../src/rewrite/editor.ts';
import { rewriteToFixpoint } from '../src/rewrite/driver.ts';
import type { Match, Rule } from '../src/rewrite/pattern.ts';
import type { Pass } from './pass.ts';

type Attn = OpAttrs['attention'];
const SLOTS = ['q', 'k', 'v', 'mask'] as const;
const RESHAPES = new Set(['reshape', 'squeeze', 'unsqueeze']);
/** The producers an access can read through; each has the viewed value as its first input. */
const VIEWS = new Set([...RESHAPES, 'transpose', 'expand', 'split', 'slice']);

/** The access over the producer's input that reads what `acc` reads from the producer's output, if any. */
function throughProducer(p: Node, v: ValueId, acc: Access, sizes: number[], ed: GraphEditor): Access | undefined {
  if (!VIEWS.has(p.op)) return undefined; // a constant, a kernel: nothing to read through
  if (RESHAPES.has(p.op)) return acc; // same elements in the same row-major order
  const out = p.outputs.findIndex((o) => o.id === v);
  const xShape = p.outputs[out]!.type.shape;
  const yShape = ed.typeOf(p.inputs[0]!).shape;
  let map: DimMap[] | undefined;
  if (p.op === 'transpose') map = transposeMap(p.attrs.perm);
  if (p.op === 'expand') map = expandMap(yShape, xShape);
  if (p.op === 'split') {
    const axis = p.attrs.axis < 0 ? p.attrs.axis + yShape.length : p.attrs.axis;
    const start = p.attrs.sizes.slice(0, out).reduce((a, b) => a + b, 0);
    map = yShape.map((_, t) => ({ dim: t, scale: 1, start: t === axis ? start : 0 }));
  }
  if (p.op === 'slice') {
    const plan = slicePlan(yShape, p.attrs);
    if (plan.some((d) => d.step < 0)) return undefined;
    map = plan.map((d, t) => ({ dim: t, scale: d.step, start: d.start }));
  }
  return map ? remapAccess(acc, sizes, xShape, yShape, map) : undefined;
}

/** Replaces attention node `root` by one with `attrs` and `inputs`; returns its outputs' ids. */
function rebuild(ed: GraphEditor, root: Node, attrs: Attn, inputs: readonly ValueId[]): ValueId[] {
  return ed.insertBefore(root, 'attention', attrs, inputs, root.label).map((o) => o.id);
}

function readThroughView(m: Match, ed: GraphEditor): ValueId[] | undefined {
  const root = m.root;
  if (root.op !== 'attention') return undefined;
  const sizes = attentionSizes(root.attrs);
  for (const [slot, name] of SLOTS.entries()) {
    const acc = root.attrs[name];
    const v = root.inputs[slot];
    const p = v === undefined ? undefined : ed.producer(v);
    if (!acc || !p) continue;
    const moved = throughProducer(p, v!, acc, sizes[name], ed);
    if (!moved) continue;
    const inputs = root.inputs.map((x, i) => (i === slot ? p.inputs[0]! : x));
    return rebuild(ed, root, { ...root.attrs, [name]: moved }, inputs);
  }
  return undefined;
}

function writeThroughView(m: Match, ed: GraphEditor): ValueId | undefined {
  const [view, attn] = [m.root, m.nodes.attn!];
  if (attn.op !== 'attention' || view.inputs[0] !== attn.outputs[0]!.id || ed.isOutput(attn.outputs[0]!.id)) return undefined;
  const shape = view.outputs[0]!.type.shape;
  const sizes = attentionSizes(attn.attrs).out;
  const moved = view.op === 'transpose' ? remapThroughTranspose(attn.attrs.out, sizes, attn.outputs[0]!.type.shape, view.attrs.perm) : attn.attrs.out;
  if (!moved) return undefined;
  const outs = rebuild(ed, attn, { ...attn.attrs, out: { ...moved, shape: [...shape] } }, attn.inputs);
  if (outs[1] !== undefined) ed.replaceUses(attn.outputs[1]!.id, outs[1]);
  return outs[0];
}

/** The head-reshape rules. */
export const HEAD_RESHAPE_RULES: readonly Rule[] = [
  {
    name: 'attention-reads-through-view',
    reason: 'a reshape, transpose, slice or broadcast before attention is just different read strides',
    pattern: { op: 'attention' },
    rewrite: readThroughView,
  },
  {
    name: 'attention-writes-through-view',
    reason: 'a reshape or transpose of an attention result is just different write strides',
    pattern: { op: ['transpose', 'reshape', 'squeeze', 'unsqueeze'], inputs: [{ op: 'attention', as: 'attn', oneUse: true }] },
    rewrite: writeThroughView,
  },
];

export const eliminateHeadReshapes: Pass = {
  name: 'eliminate-head-reshapes',
  summary: 'head split/merge reshapes and transposes become attention strides',
  run: (graph, ctx) => rewriteToFixpoint(graph, HEAD_RESHAPE_RULES, ctx),
};
