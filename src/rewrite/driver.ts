// The fixpoint driver: sweeps the graph applying rules until none fires (or the cap is hit).
import { OpgraphError } from '../errors.ts';
import type { Graph } from '../ir/graph.ts';
import { GraphEditor } from './editor.ts';
import { type Rule, matchNode } from './pattern.ts';

/** Default bound on sweeps; reaching it means a rule set that does not converge. */
export const MAX_SWEEPS = 32;

/**
 * Applies `rules` to every node, first rule first, sweeping until a sweep changes nothing.
 * Each firing is reported through `note` as `rule: %old -> %new`. Returns `g` itself when no
 * rule fired. Dead nodes are dropped after each sweep.
 */
export function rewriteToFixpoint(g: Graph, rules: readonly Rule[], note: (m: string) => void, maxSweeps = MAX_SWEEPS): Graph {
  const ed = new GraphEditor(g);
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let fired = false;
    for (const node of ed.liveNodes()) {
      if (!ed.has(node)) continue;
      for (const rule of rules) {
        const m = matchNode(rule.pattern, node, ed);
        if (!m) continue;
        const repl = rule.rewrite(m, ed);
        if (repl === undefined) continue;
        const news = typeof repl === 'number' ? [repl] : repl;
        news.forEach((v, i) => ed.replaceUses(node.outputs[i]!.id, v));
        note(`${rule.name}: %${node.outputs[0]!.id} -> %${news[0]}`);
        fired = true;
        break;
      }
    }
    const removed = ed.removeDead();
    if (!fired && removed === 0) return ed.finish();
  }
  throw new OpgraphError(`rewrite rules did not converge after ${maxSweeps} sweeps (${rules.map((r) => r.name).join(', ')})`);
}
