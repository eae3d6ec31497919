// The fixpoint driver: sweeps the graph applying rules until none fires (or the cap is hit).
import { InternalCompilerError, internalError } from '../errors.ts';
import { type Graph, type Node, hasDeadNodes } from '../ir/graph.ts';
import { nodeRef } from '../ir/print.ts';
import { describeNode } from '../ops/infer.ts';
import { GraphEditor } from './editor.ts';
import { type Rule, matchNode, opMatches } from './pattern.ts';
import { type RewriteWork, newWork } from './work.ts';

/** What the driver reports to: the pass context's note, and optionally a work counter. */
export interface RewriteContext {
  note(message: string): void;
  readonly work?: RewriteWork;
}

/** Default bound on sweeps; reaching it means a rule set that does not converge. */
export const MAX_SWEEPS = 32;

/**
 * Applies `rules` to every node, first rule first, sweeping until a sweep changes nothing.
 * A sweep walks the node list in order as it changes: a reader rebuilt because a rule redirected
 * its input is visited when the walk reaches it, so a chain that a rule folds node by node (an
 * epilogue growing down a chain of elementwise ops) needs one sweep, not one per node. Each visit
 * costs the rules' pattern sizes, and each firing the size of what it touches.
 * Each firing is reported through `note` as `rule: %old op "label" -> %new`. Returns `g` itself
 * when no rule fired. Dead nodes are dropped after each sweep. A rule that throws, and a rule
 * set that does not converge, are compiler bugs: both raise an InternalCompilerError (naming
 * the node and the rule, for the former).
 */
export function rewriteToFixpoint(g: Graph, rules: readonly Rule[], ctx: RewriteContext, maxSweeps = MAX_SWEEPS): Graph {
  // A rule fires only at a node of its root op: without one (and without dead nodes to drop), nothing changes.
  if (!g.nodes.some((n) => rules.some((r) => opMatches(r.pattern, n))) && !hasDeadNodes(g)) return g;
  const ed = new GraphEditor(g, ctx.work ?? newWork());
  const note = (m: string): void => ctx.note(m);
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let fired = false;
    ed.walk((node) => {
      ed.work.visits++;
      if (applyFirst(rules, node, ed, note)) fired = true;
    });
    const removed = ed.removeDead();
    if (!fired && removed === 0) return ed.finish();
  }
  throw new InternalCompilerError(`rewrite rules did not converge after ${maxSweeps} sweeps (${rules.map((r) => r.name).join(', ')})`);
}

/** Fires the first rule that matches `node` and does not decline; true when one fired. */
function applyFirst(rules: readonly Rule[], node: Node, ed: GraphEditor, note: (m: string) => void): boolean {
  for (const rule of rules) {
    try {
      const m = matchNode(rule.pattern, node, ed);
      if (!m) continue;
      const repl = rule.rewrite(m, ed);
      if (repl === undefined) continue;
      const news = typeof repl === 'number' ? [repl] : repl;
      news.forEach((v, i) => ed.replaceUses(node.outputs[i]!.id, v));
      note(`${rule.name}: ${nodeRef(node)} -> %${news[0]}`);
      return true;
    } catch (e) {
      throw internalError(e, { node: describeNode(node.op, node.outputs[0]?.id, node.label), rule: rule.name });
    }
  }
  return false;
}
