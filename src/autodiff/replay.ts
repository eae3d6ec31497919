// Copies a graph's nodes into an IRBuilder, so a transformation can append to a graph it did not
// build (the backward pass, an optimizer step) with fresh, consistent value ids.
import type { IRBuilder } from '../ir/builder.ts';
import type { Graph, Input, Node, ValueId, Weight } from '../ir/graph.ts';

/** The replayed graph: each old value's new id, and the copied nodes (with new ids) in order. */
export interface Replayed {
  readonly ids: ReadonlyMap<ValueId, ValueId>;
  readonly nodes: readonly Node[];
}

/**
 * Replays `g` into `b`: `bind` declares each input and weight in `b` (as an input, a weight, or
 * anything else) and returns its id there; nodes are re-added with their attributes and labels.
 */
export function replay(b: IRBuilder, g: Graph, bind: (v: Input | Weight, isWeight: boolean) => ValueId): Replayed {
  const ids = new Map<ValueId, ValueId>();
  for (const i of g.inputs) ids.set(i.id, bind(i, false));
  for (const w of g.weights) ids.set(w.id, bind(w, true));
  const nodes: Node[] = [];
  for (const n of g.nodes) {
    const inputs = n.inputs.map((v) => ids.get(v)!);
    const outs = b.node(n.op, n.attrs as never, inputs, n.label);
    n.outputs.forEach((o, k) => ids.set(o.id, outs[k]!.id));
    nodes.push({ ...n, inputs, outputs: outs } as Node);
  }
  return { ids, nodes };
}
