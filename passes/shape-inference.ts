// Pass: shape inference.
//
// Assumes:    nothing beyond well-formed SSA (inputs and weights typed; nodes in topological order).
// Guarantees: every node output carries exactly the type its op's shape rule gives for its
//             input types; inconsistent graphs fail with a ShapeError naming node, op and input types.
// Runs:       first, at every optimisation level; other passes may assume its post-condition.
import { OpgraphError } from '../src/errors.ts';
import type { Node } from '../src/ir/graph.ts';
import { freezeGraph } from '../src/ir/graph.ts';
import { nodeRef } from '../src/ir/print.ts';
import { type TensorType, formatType, sameType, tensorType } from '../src/ir/types.ts';
import { describeNode, inferNode } from '../src/ops/infer.ts';
import type { Pass } from './pass.ts';

/** (Re)annotates every value with its inferred type. Returns `graph` itself when all types already agree. */
export const shapeInference: Pass = {
  name: 'shape-inference',
  summary: 'annotate every value with the type its op rule gives',
  run(graph, ctx) {
    const types: (TensorType | undefined)[] = []; // by value id
    for (const v of [...graph.inputs, ...graph.weights]) types[v.id] = v.type;
    let changed = false;
    const nodes = graph.nodes.map((n): Node => {
      const where = describeNode(n.op, n.outputs[0]?.id, n.label);
      const inTypes = n.inputs.map((id) => {
        const t = types[id];
        if (!t) throw new OpgraphError(`${where} reads %${id}, which is not defined before it`);
        return t;
      });
      const out = inferNode(n.op, n.attrs as never, inTypes, where);
      if (out.length !== n.outputs.length) throw new OpgraphError(`${where} has ${n.outputs.length} outputs, its op rule gives ${out.length}`);
      const same = n.outputs.every((o, k) => sameType(o.type, out[k]!));
      n.outputs.forEach((o, k) => (types[o.id] = out[k]!));
      if (same) return n;
      changed = true;
      n.outputs.forEach((o, k) => {
        if (!sameType(o.type, out[k]!)) ctx.note(`${nodeRef(n)}${k > 0 ? ` output ${k}` : ''}: ${formatType(o.type)} -> ${formatType(out[k]!)}`);
      });
      const outputs = n.outputs.map((o, k) => ({ id: o.id, type: tensorType(out[k]!.dtype, out[k]!.shape) }));
      return { ...n, outputs } as Node;
    });
    return changed ? freezeGraph({ ...graph, nodes }) : graph;
  },
};
