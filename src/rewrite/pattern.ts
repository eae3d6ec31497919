// Declarative patterns over the graph: an op (or group) at the root, patterns for its inputs,
// bindings by name, and small guards. Rules are tables of these, each with a one-line reason.
import type { Node, ValueId } from '../ir/graph.ts';
import type { OpKind } from '../ops/attrs.ts';
import type { OpGroup } from '../ops/def.ts';
import { inGroup } from '../ops/table.ts';
import type { GraphEditor } from './editor.ts';

/** Matches a node. Inputs are matched positionally; `undefined` entries match any value. */
export interface NodePattern {
  readonly op?: OpKind | readonly OpKind[];
  readonly group?: OpGroup;
  /** Binds the matched node under this name. */
  readonly as?: string;
  /** Patterns for the node's inputs (the node must have at least this many). */
  readonly inputs?: readonly (Pattern | undefined)[];
  /** The node's first output is read exactly once (so the rewrite may absorb it). */
  readonly oneUse?: boolean;
  readonly where?: (n: Node, ed: GraphEditor) => boolean;
}

/** Matches any value and binds its id. */
export interface ValuePattern {
  readonly value: string;
}

export type Pattern = NodePattern | ValuePattern;

/** What a successful match bound. */
export interface Match {
  readonly root: Node;
  readonly nodes: Readonly<Record<string, Node>>;
  readonly values: Readonly<Record<string, ValueId>>;
}

/**
 * A rewrite rule: when `pattern` matches, `rewrite` returns the value replacing the root's
 * output (or one per output of a multi-output root), or undefined to decline.
 */
export interface Rule {
  readonly name: string;
  /** One line: why the rewrite is correct and worth it. */
  readonly reason: string;
  readonly pattern: NodePattern;
  rewrite(m: Match, ed: GraphEditor): ValueId | readonly ValueId[] | undefined;
}

/** Tries `p` on node `n`. */
export function matchNode(p: NodePattern, n: Node, ed: GraphEditor): Match | undefined {
  const nodes: Record<string, Node> = {};
  const values: Record<string, ValueId> = {};
  return walk(p, n, ed, nodes, values) ? { root: n, nodes, values } : undefined;
}

/** Whether `n` has the op or group `p` asks for (the first, cheapest test of a match). */
export function opMatches(p: NodePattern, n: Node): boolean {
  if (p.op !== undefined && (typeof p.op === 'string' ? n.op !== p.op : !p.op.includes(n.op))) return false;
  return p.group === undefined || inGroup(n.op, p.group);
}

function walk(p: NodePattern, n: Node, ed: GraphEditor, nodes: Record<string, Node>, values: Record<string, ValueId>): boolean {
  ed.work.matches++;
  if (!opMatches(p, n)) return false;
  if (p.oneUse && ed.uses(n.outputs[0]!.id) !== 1) return false;
  if (p.inputs) {
    if (n.inputs.length < p.inputs.length) return false;
    for (let i = 0; i < p.inputs.length; i++) {
      const ip = p.inputs[i];
      if (!ip) continue;
      const v = n.inputs[i]!;
      if ('value' in ip) {
        if (ip.value in values && values[ip.value] !== v) return false;
        values[ip.value] = v;
        continue;
      }
      const producer = ed.producer(v);
      if (!producer || !walk(ip, producer, ed, nodes, values)) return false;
    }
  }
  if (p.as) nodes[p.as] = n;
  return p.where ? p.where(n, ed) : true;
}
