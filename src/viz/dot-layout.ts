// What a module-clustered drawing shows: each node drawn alone in the cluster of its module, or
// collapsed with the rest of its module into one box when the module is at the depth limit;
// each weight in the innermost cluster holding all its readers, or hidden inside the box that
// holds them all. Identifiers are generated (n4, m2, w7), never taken from names.
import type { Graph, ValueId } from '../ir/graph.ts';
import { numel } from '../ir/types.ts';
import { modulePath } from './modules.ts';

/** A module collapsed into one box. */
export interface CollapsedModule {
  readonly id: string;
  readonly path: readonly string[];
  readonly members: number[];
  /** Elements of the weights only its members read. */
  params: number;
}

/** Where each node, weight and module is drawn. */
export interface DotLayout {
  /** Drawing id of each node: its own (`n4`) or its collapsed module's (`m1`). */
  readonly itemOf: readonly string[];
  /** Module path of the cluster of every drawn item (inputs and outputs: the top level, []). */
  readonly clusterOf: ReadonlyMap<string, readonly string[]>;
  readonly collapsed: readonly CollapsedModule[];
  /** Weights no drawn edge needs (all their readers are collapsed into one box). */
  readonly hiddenWeights: ReadonlySet<number>;
}

/** Lays out `g`: clusters down to `depth` module levels (undefined: all; 0: none). */
export function layoutDot(g: Graph, depth: number | undefined): DotLayout {
  const paths = g.nodes.map((n) => (depth === 0 ? [] : modulePath(n.label)));
  const groups = new Map<string, number[]>();
  paths.forEach((p, i) => {
    if (depth === undefined || depth === 0 || p.length < depth) return;
    const key = pathKey(p.slice(0, depth));
    groups.set(key, [...(groups.get(key) ?? []), i]);
  });
  const collapsed: CollapsedModule[] = [];
  const itemOf: string[] = g.nodes.map((_, i) => `n${i}`);
  const clusterOf = new Map<string, readonly string[]>();
  for (const members of groups.values()) {
    if (members.length === 1) continue; // a module of one node draws that node
    const m: CollapsedModule = { id: `m${collapsed.length}`, path: paths[members[0]!]!.slice(0, depth), members, params: 0 };
    collapsed.push(m);
    for (const i of members) itemOf[i] = m.id;
    clusterOf.set(m.id, m.path);
  }
  paths.forEach((p, i) => {
    if (!clusterOf.has(itemOf[i]!)) clusterOf.set(itemOf[i]!, depth === undefined ? p : p.slice(0, depth));
  });
  flattenSingles(clusterOf, new Set(collapsed.map((m) => m.id)));
  const hiddenWeights = placeWeights(g, itemOf, clusterOf, collapsed);
  return { itemOf, clusterOf, collapsed, hiddenWeights };
}

/**
 * Moves a node that is alone in its module (no other node, no sub-module) out to the parent
 * module, level by level: a cluster around one box says nothing its label does not (an ONNX
 * model's node names would otherwise make a cluster of every node). Collapsed boxes stay in theirs.
 */
function flattenSingles(clusterOf: Map<string, readonly string[]>, keep: ReadonlySet<string>): void {
  for (let changed = true; changed; ) {
    changed = false;
    const items = new Map<string, number>();
    const parents = new Set<string>();
    for (const path of clusterOf.values()) {
      items.set(pathKey(path), (items.get(pathKey(path)) ?? 0) + 1);
      for (let d = 0; d < path.length; d++) parents.add(pathKey(path.slice(0, d)));
    }
    for (const [id, path] of clusterOf) {
      if (path.length === 0 || keep.has(id) || items.get(pathKey(path)) !== 1 || parents.has(pathKey(path))) continue;
      clusterOf.set(id, path.slice(0, -1));
      changed = true;
    }
  }
}

/** A map key for a module path. */
export function pathKey(path: readonly string[]): string {
  return JSON.stringify(path);
}

/** Puts each weight in the innermost cluster of its readers; hides those read inside one box only. */
function placeWeights(g: Graph, itemOf: readonly string[], clusterOf: Map<string, readonly string[]>, collapsed: CollapsedModule[]): Set<number> {
  const readers = new Map<ValueId, Set<string>>();
  g.nodes.forEach((n, i) => n.inputs.forEach((v) => readers.set(v, (readers.get(v) ?? new Set()).add(itemOf[i]!))));
  const outputs = new Set(g.outputs.map((o) => o.id));
  const hidden = new Set<number>();
  g.weights.forEach((w, k) => {
    const items = [...(readers.get(w.id) ?? [])];
    const box = items.length === 1 ? collapsed.find((m) => m.id === items[0]) : undefined;
    if (box && !outputs.has(w.id)) {
      hidden.add(k);
      box.params += numel(w.type.shape);
      return;
    }
    const paths = outputs.has(w.id) || items.length === 0 ? [[]] : items.map((it) => clusterOf.get(it) ?? []);
    clusterOf.set(`w${k}`, paths.reduce(commonPrefix));
  });
  return hidden;
}

/** The innermost module containing both paths. */
function commonPrefix(a: readonly string[], b: readonly string[]): readonly string[] {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return a.slice(0, n);
}
