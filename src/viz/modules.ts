// Module paths read from node labels and weight names, for drawings, summaries and profiles that
// group a graph by layer. A path is a list of levels; a list index joins its container
// (`h.0.attn.c_attn` is h.0 > attn > c_attn), so a block of a ModuleList is one level.
import type { Graph } from '../ir/graph.ts';

/**
 * Module levels of a node label: the API's layer path, or an ONNX node name without its last part.
 * A node merge-siblings made from several (`attention.query+attention.key`) lies in their common module.
 */
export function modulePath(label: string | undefined): readonly string[] {
  if (label === undefined || label === '') return [];
  if (label.includes('+')) {
    const paths = label.split('+').map(onePath);
    return paths.reduce((a, b) => a.slice(0, commonLength(a, b)));
  }
  return onePath(label);
}

function commonLength(a: readonly string[], b: readonly string[]): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}

function onePath(label: string): string[] {
  // ONNX node names (`/h.0/attn/MatMul_1`) end in the node's own name, which is no module.
  const path = label.includes('/') ? label.slice(0, label.lastIndexOf('/')) : label;
  return levels(path.split(/[./]/));
}

/** Module levels of a weight name (a state_dict key): `h.0.attn.c_attn.weight` -> h.0 > attn > c_attn. */
export function weightModulePath(name: string): readonly string[] {
  const parts = name.split('.');
  return parts.length < 2 ? [] : levels(parts.slice(0, -1));
}

/** Joins numeric parts to the level before them and drops empty parts. */
function levels(parts: readonly string[]): string[] {
  const out: string[] = [];
  for (const p of parts) {
    if (p === '') continue;
    if (/^\d+$/.test(p) && out.length > 0) out[out.length - 1] = `${out[out.length - 1]}.${p}`;
    else out.push(p);
  }
  return out;
}

/** The key of a path's first `depth` levels (`h.0.attn`); '' for the top level. */
export function moduleKey(path: readonly string[], depth = path.length): string {
  return path.slice(0, depth).join('.');
}

/** True when module `key` is `ancestor` or lies inside it ('' contains everything). */
export function within(key: string, ancestor: string): boolean {
  return ancestor === '' || key === ancestor || key.startsWith(`${ancestor}.`);
}

/** Every module key of a graph's nodes and their ancestors, in order of first appearance. */
export function moduleKeys(g: Graph): string[] {
  const seen = new Set<string>();
  for (const n of g.nodes) {
    const path = modulePath(n.label);
    for (let d = 1; d <= path.length; d++) seen.add(moduleKey(path, d));
  }
  return [...seen];
}
