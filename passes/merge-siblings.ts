// Pass: sibling matmul merging.
//
// Assumes:    attention fusion has run (so it is known where projections end up); CSE has run.
// Guarantees: gemms that read the same input with weights of the graph (the Q, K and V
//             projections of self-attention), whose results only feed attention (directly or
//             through reshapes and transposes), are one gemm over concatenated weights; each
//             former result is a slice of it, which head-reshape elimination turns into read
//             offsets. The weight concatenation depends on weights only, so the TS backend
//             computes it once, when the model is created.
// Runs:       after fuse-attention, before eliminate-head-reshapes.
import { type Node, type ValueId, hasDeadNodes } from '../src/ir/graph.ts';
import { nodeRef } from '../src/ir/print.ts';
import type { GraphEditor } from '../src/rewrite/editor.ts';
import type { Pass } from './pass.ts';
import { rewriteAll } from './util.ts';

const THROUGH = new Set(['reshape', 'transpose', 'squeeze', 'unsqueeze', 'slice', 'split']);

/** True when every reader of `v` (through reshapes and transposes) is an attention node. */
function feedsOnlyAttention(ed: GraphEditor, v: ValueId): boolean {
  if (ed.isOutput(v)) return false;
  const users = ed.usersOf(v);
  return users.length > 0 && users.every((u) => u.op === 'attention' || (THROUGH.has(u.op) && feedsOnlyAttention(ed, u.outputs[0]!.id)));
}

/** The merge key of a gemm that may join a group, or undefined. */
function siblingKey(ed: GraphEditor, n: Node): string | undefined {
  if (n.op !== 'gemm' || n.attrs.transA || n.attrs.epilogue) return undefined;
  const [a, b, c] = n.inputs;
  if (!ed.weightOf(b!) || (c !== undefined && (!ed.weightOf(c) || ed.typeOf(c).shape.length !== 1))) return undefined;
  if (!feedsOnlyAttention(ed, n.outputs[0]!.id)) return undefined;
  return `${a}|${n.attrs.transB}|${n.attrs.alpha}|${n.attrs.beta}|${c !== undefined}`;
}

/** Replaces a group of sibling gemms by one gemm and slices of its result. */
function merge(ed: GraphEditor, group: readonly Node[]): void {
  const first = group[0]!;
  const { transB } = first.op === 'gemm' ? first.attrs : { transB: false };
  const label = group.map((n) => n.label ?? '').filter(Boolean).join('+') || undefined;
  const w = ed.insertBefore(first, 'concat', { axis: transB ? 0 : 1 }, group.map((n) => n.inputs[1]!), label)[0]!.id;
  const hasBias = first.inputs[2] !== undefined;
  const inputs = [first.inputs[0]!, w];
  if (hasBias) inputs.push(ed.insertBefore(first, 'concat', { axis: 0 }, group.map((n) => n.inputs[2]!), label)[0]!.id);
  const merged = ed.insertBefore(first, 'gemm', first.attrs as never, inputs, label)[0]!.id;
  let offset = 0;
  for (const n of group) {
    const width = n.outputs[0]!.type.shape.at(-1)!;
    const slice = ed.insertBefore(first, 'slice', { starts: [offset], ends: [offset + width], axes: [-1], steps: [1] }, [merged], n.label)[0]!.id;
    ed.replaceUses(n.outputs[0]!.id, slice);
    offset += width;
  }
}

export const mergeSiblings: Pass = {
  name: 'merge-siblings',
  summary: 'Q/K/V projections of one input become one matmul over concatenated weights',
  run(graph, ctx) {
    if (!graph.nodes.some((n) => n.op === 'gemm') && !hasDeadNodes(graph)) return graph; // no gemm: nothing to merge
    return rewriteAll(graph, ctx, (ed) => {
      const groups = new Map<string, Node[]>();
      for (const n of ed.liveNodes()) {
        const key = siblingKey(ed, n);
        if (key === undefined) continue;
        const group = groups.get(key);
        if (group) group.push(n);
        else groups.set(key, [n]);
      }
      for (const group of groups.values()) {
        if (group.length < 2) continue;
        merge(ed, group);
        ctx.note(`merged ${group.map(nodeRef).join(', ')}`);
      }
    });
  },
};
