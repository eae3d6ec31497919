// Pass: common-subexpression elimination.
//
// Assumes:    well-formed SSA in topological order; ops are pure (every opgraph op is).
// Guarantees: no two nodes have the same op, attributes and inputs; later duplicates are
//             replaced by the first (the seeds' shared-Linear self-attention computes
//             `self.linear(x)` three times: one remains). Constants with equal type and data merge too.
// Runs:       after constant folding (so equal folded constants merge), before fusion.
import { formatAttrs, nodeRef } from '../src/ir/print.ts';
import type { Node } from '../src/ir/graph.ts';
import { formatType } from '../src/ir/types.ts';
import { sha256Hex } from '../src/ir/sha256.ts';
import { rewriteAll } from './util.ts';
import type { Pass } from './pass.ts';

/** A node's identity for CSE: op, canonical attributes and inputs; constants by type and full content hash. */
function keyOf(n: Node): string {
  if (n.op === 'constant') {
    const d = n.attrs.value.data;
    const bytes = new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
    return `constant|${formatType(n.attrs.value)}|${sha256Hex([bytes])}`;
  }
  return `${n.op}|${formatAttrs(n.attrs)}|${n.inputs.join(',')}`;
}

export const commonSubexpressionElimination: Pass = {
  name: 'cse',
  summary: 'merge nodes that compute the same thing',
  run(graph, ctx) {
    return rewriteAll(graph, ctx, (ed) => {
      const seen = new Map<string, Node>();
      for (const n of ed.liveNodes()) {
        if (!ed.has(n)) continue;
        const key = keyOf(n);
        const first = seen.get(key);
        if (!first) {
          seen.set(key, n);
          continue;
        }
        n.outputs.forEach((o, i) => ed.replaceUses(o.id, first.outputs[i]!.id));
        ctx.note(`${nodeRef(n)} is %${first.outputs[0]!.id}`);
      }
    });
  },
};
