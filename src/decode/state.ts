// The model state of a decoding graph: its KV cache weights. The memory plan updates a weight in
// place only when a cacheWrite (as its input 0) is its one reader, so every backend checks that
// here, on the graph it compiled, instead of trusting it: a cache that would be copied or read
// elsewhere is an error naming the weight, never a silently stale cache.
import { OpgraphError } from '../errors.ts';
import type { Graph } from '../ir/graph.ts';
import { CACHE_PREFIX } from '../api/decoding.ts';

/**
 * The names of `g`'s cache weights, after checking that each is updated in place by one
 * cacheWrite. `present`: the interpreter's graphs output each updated cache (no plan there).
 */
export function cacheWeights(g: Graph, present = false): string[] {
  const names: string[] = [];
  for (const w of g.weights) {
    const readers = g.nodes.filter((n) => n.inputs.includes(w.id));
    const writes = readers.filter((n) => n.op === 'cacheWrite' && n.inputs[0] === w.id && n.inputs.indexOf(w.id, 1) < 0);
    if (writes.length === 0 && !w.name.startsWith(CACHE_PREFIX)) continue;
    const ok = writes.length === 1 && readers.length === 1 && (present || !g.outputs.some((o) => o.id === writes[0]!.outputs[0]!.id));
    if (!ok) throw new OpgraphError(`graph ${JSON.stringify(g.name)}: cache weight ${JSON.stringify(w.name)} must be read by exactly one cacheWrite (it has ${readers.length} readers, ${writes.length} cache writes, and a compiled graph must not output the update), so that it stays in place between runs`);
    names.push(w.name);
  }
  return names;
}
