// Pass: dead-code elimination.
//
// Assumes:    well-formed SSA in topological order.
// Guarantees: every remaining node has an output that a graph output depends on; inputs and
//             weights are kept (they are the graph's interface), unused or not.
// Runs:       after any pass that may orphan nodes.
import { freezeGraph, liveNodeMask } from '../src/ir/graph.ts';
import { nodeRef } from '../src/ir/print.ts';
import type { Pass } from './pass.ts';

/** Removes nodes no graph output depends on. Returns `graph` itself when none are dead. */
export const deadCodeElimination: Pass = {
  name: 'dce',
  summary: 'remove nodes no output depends on',
  run(graph, ctx) {
    const keep = liveNodeMask(graph);
    if (keep.every(Boolean)) return graph;
    graph.nodes.forEach((n, i) => {
      if (!keep[i]) ctx.note(`removed ${nodeRef(n)}`);
    });
    return freezeGraph({ ...graph, nodes: graph.nodes.filter((_, i) => keep[i]) });
  },
};
