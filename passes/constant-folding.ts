// Pass: constant folding.
//
// Assumes:    shape inference has run.
// Guarantees: no node whose inputs are all constants remains, unless its result would exceed
//             FOLD_LIMIT elements (kept as code rather than bloating the module). Since shapes
//             are static, shape arithmetic written as ops on constants folds away here too.
// Runs:       before CSE (which then merges equal folded constants), before fusion.
import { type Graph, type Node, hasDeadNodes } from '../src/ir/graph.ts';
import { tensor } from '../src/ir/tensor.ts';
import { nodeRef } from '../src/ir/print.ts';
import { numel } from '../src/ir/types.ts';
import { evaluateNode } from '../src/runtime/interpreter.ts';
import type { Pass } from './pass.ts';
import { rewriteAll } from './util.ts';

/** A test of whether a node of `g` reads only constants (and is no constant itself). */
function foldable(g: Graph): (n: Node) => boolean {
  const constant: boolean[] = []; // by value id
  for (const n of g.nodes) if (n.op === 'constant') for (const o of n.outputs) constant[o.id] = true;
  return (n) => n.op !== 'constant' && n.inputs.length > 0 && n.inputs.every((v) => constant[v]);
}

/** Largest result (in elements) folded into a literal. */
export const FOLD_LIMIT = 1 << 16;

export const constantFolding: Pass = {
  name: 'constant-folding',
  summary: 'evaluate nodes whose inputs are all constants',
  run(graph, ctx) {
    if (!graph.nodes.some(foldable(graph)) && !hasDeadNodes(graph)) return graph; // nothing to fold: no editor needed
    return rewriteAll(graph, ctx, (ed) => {
      for (const n of ed.liveNodes()) {
        if (n.op === 'constant' || !ed.has(n) || n.inputs.length === 0) continue;
        const producers = n.inputs.map((v) => ed.producer(v));
        if (!producers.every((p) => p?.op === 'constant')) continue;
        if (n.outputs.some((o) => numel(o.type.shape) > FOLD_LIMIT)) continue;
        const args = producers.map((p) => (p!.op === 'constant' ? p!.attrs.value : tensor('f32', [])));
        const results = evaluateNode(n, args);
        results.forEach((value, i) => {
          const [c] = ed.insertBefore(n, 'constant', { value }, [], n.label);
          ed.replaceUses(n.outputs[i]!.id, c!.id);
        });
        ctx.note(`folded ${nodeRef(n)}`);
      }
    });
  },
};
