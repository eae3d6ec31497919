// The DOT printer: a second printer over the same walk as print.ts, with each module's nodes in a
// cluster of its own (dot-layout.ts decides what is drawn where). Every name and attribute string
// may come from a model file, so all of them pass through one escaping function into quoted labels
// (record fields escape the record syntax as well); DOT identifiers are generated (i0, w3, n12, m1, o1), never
// taken from names. An edge is labelled with its tensor type only when it is the one edge leaving
// its source and the one entering its target, so no labels meet at a fan-out or a fan-in to collide
// (the type is in the source's own box anyway).
import type { Graph, Node, ValueId } from '../ir/graph.ts';
import { OPS } from '../ops/table.ts';
import { formatType } from '../ir/types.ts';
import { compactAttrLines } from './attrs.ts';
import { type CollapsedModule, type DotLayout, layoutDot, pathKey } from './dot-layout.ts';
import { formatCount } from './format.ts';
import { modulePath } from './modules.ts';

/** Options for toDot. */
export interface DotOptions {
  /** Caption drawn above the graph (default: the graph's name). */
  readonly title?: string;
  /**
   * Module levels drawn as nested clusters (default: all). A module at this depth is drawn as one
   * box with its in- and out-edges (`h.0` at depth 1); 0 draws no clusters.
   */
  readonly depth?: number;
  /** Node indices drawn with a thick border (the viewer marks what a pass changed). */
  readonly highlight?: ReadonlySet<number>;
}

/** Longest attribute line drawn; longer ones are clipped with an ellipsis. */
const MAX_ATTR_CHARS = 48;
/** Longest name drawn (inputs, weights, outputs, node labels). */
const MAX_NAME_CHARS = 80;

const STYLE = {
  input: 'shape=ellipse, style=filled, fillcolor="#c8e6c9", color="#2e7d32"',
  weight: 'shape=box, style=filled, fillcolor="#eeeeee", color="#9e9e9e", fontsize=9',
  unboundWeight: 'shape=box, style="filled,dashed", fillcolor="#eeeeee", color="#9e9e9e", fontsize=9',
  op: 'shape=box, style="rounded,filled", fillcolor="#e3f2fd", color="#1565c0"',
  view: 'shape=box, style="rounded,filled,dashed", fillcolor="#fafafa", color="#90a4ae"',
  module: 'shape=box3d, style=filled, fillcolor="#ede7f6", color="#5e35b1"',
  output: 'shape=ellipse, style=filled, fillcolor="#ffe0b2", color="#ef6c00"',
  missing: 'shape=octagon, style=filled, fillcolor="#ffcdd2", color="#c62828"',
  highlight: 'penwidth=3, color="#d81b60"',
} as const;

/** Cluster fill by nesting depth. */
const CLUSTER_FILLS = ['#f7f9fc', '#eef3f8', '#e5edf5', '#dce6f1'];

/** Where a value comes from in the drawing: a DOT node id (with a port for a multi-output node) and its type. */
interface Source {
  readonly id: string;
  readonly type: string;
}

/**
 * Escapes any text as a quoted DOT string: backslash and double quote are escaped, newlines become
 * the DOT line break `\n`, `&` becomes `&amp;` (Graphviz decodes entities in labels), and characters
 * XML cannot carry (control characters, lone surrogates) become visible `\uXXXX` / U+FFFD.
 */
export function dotString(text: string): string {
  const wellFormed = text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
  const escaped = wellFormed.replace(/\r\n|[\\"&\r\n\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffe\uffff]/g, (c) => {
    if (c === '\\') return '\\\\';
    if (c === '"') return '\\"';
    if (c === '&') return '&amp;';
    if (c === '\n' || c === '\r' || c === '\r\n') return '\\n';
    return `\\\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
  return `"${escaped}"`;
}

/** Draws the graph as a DOT digraph, top to bottom, clustered by module. Deterministic for a given graph. */
export function toDot(graph: Graph, options: DotOptions = {}): string {
  const layout = layoutDot(graph, options.depth);
  const decl = new Map<string, string>();
  const sources = new Map<ValueId, Source>();
  graph.inputs.forEach((v, i) => {
    decl.set(`i${i}`, `i${i} [label=${dotString(`${clip(v.name, MAX_NAME_CHARS)}\n${formatType(v.type)}`)}, ${STYLE.input}];`);
    sources.set(v.id, { id: `i${i}`, type: formatType(v.type) });
  });
  graph.weights.forEach((w, i) => {
    if (layout.hiddenWeights.has(i)) return;
    const style = w.data ? STYLE.weight : STYLE.unboundWeight;
    decl.set(`w${i}`, `w${i} [label=${dotString(`${clip(w.name, MAX_NAME_CHARS)}\n${formatType(w.type)}`)}, ${style}];`);
    sources.set(w.id, { id: `w${i}`, type: formatType(w.type) });
  });
  const highlight = options.highlight ?? new Set<number>();
  graph.nodes.forEach((n, i) => {
    const item = layout.itemOf[i]!;
    if (item === `n${i}`) decl.set(item, nodeDecl(n, i, layout, highlight.has(i)));
    n.outputs.forEach((o, k) => sources.set(o.id, { id: item === `n${i}` && n.outputs.length > 1 ? `${item}:o${k}` : item, type: formatType(o.type) }));
  });
  for (const m of layout.collapsed) decl.set(m.id, moduleDecl(graph, m, m.members.some((i) => highlight.has(i))));
  const edges = collectEdges(graph, layout, sources, decl);
  graph.outputs.forEach((o, i) => decl.set(`o${i}`, `o${i} [label=${dotString(clip(o.name, MAX_NAME_CHARS))}, ${STYLE.output}];`));
  const title = dotString(clip(options.title ?? graph.name, MAX_NAME_CHARS));
  const head = [
    'digraph G {',
    '  rankdir=TB;',
    `  graph [label=${title}, labelloc=t, fontname="Helvetica", newrank=true${layout.collapsed.length > 0 ? ', ranksep=0.3, nodesep=0.2' : ''}];`,
    '  node [fontname="Helvetica", fontsize=11];',
    '  edge [fontname="Helvetica", fontsize=9, color="#555555"];',
  ];
  return [...head, ...clusterLines(layout, decl), ...edges, '}'].join('\n') + '\n';
}

/** Declarations nested in their module clusters: `subgraph cluster_k { label="h.0.attn"; ... }`. */
function clusterLines(layout: DotLayout, decl: ReadonlyMap<string, string>): string[] {
  const children = new Map<string, (readonly string[])[]>();
  const items = new Map<string, string[]>();
  const place = (path: readonly string[]): void => {
    const key = pathKey(path);
    if (children.has(key)) return;
    children.set(key, []);
    items.set(key, []);
    if (path.length === 0) return;
    place(path.slice(0, -1));
    children.get(pathKey(path.slice(0, -1)))!.push(path);
  };
  place([]);
  for (const id of decl.keys()) {
    const path = layout.clusterOf.get(id) ?? [];
    place(path);
    items.get(pathKey(path))!.push(id);
  }
  let next = 0;
  const emit = (path: readonly string[], indent: string): string[] => {
    const key = pathKey(path);
    const inner = [
      ...items.get(key)!.map((id) => `${indent}${decl.get(id)!}`),
      ...children.get(key)!.flatMap((c) => {
        const fill = CLUSTER_FILLS[Math.min(c.length - 1, CLUSTER_FILLS.length - 1)]!;
        const label = dotString(clip(c.join('.'), MAX_NAME_CHARS));
        const open = `${indent}subgraph cluster_${next++} {`;
        const attrs = `${indent}  graph [label=${label}, labeljust=l, style="rounded,filled", fillcolor="${fill}", color="#90a4ae", fontsize=10, margin=6];`;
        return [open, attrs, ...emit(c, `${indent}  `), `${indent}}`];
      }),
    ];
    return inner;
  };
  return emit([], '  ');
}

/** Every edge once; a collapsed module's inner edges are not drawn. */
function collectEdges(graph: Graph, layout: DotLayout, sources: Map<ValueId, Source>, decl: Map<string, string>): string[] {
  const edges: { from: Source; to: string }[] = [];
  const seen = new Set<string>();
  const absorbed = new Set([...layout.hiddenWeights].map((k) => graph.weights[k]!.id));
  const edge = (id: ValueId, to: string): void => {
    if (absorbed.has(id)) return; // a weight drawn inside its module's box
    const from = sourceOf(id, sources, decl);
    const key = `${from.id}->${to}`;
    if (from.id === to || seen.has(key)) return;
    seen.add(key);
    edges.push({ from, to });
  };
  graph.nodes.forEach((n, i) => n.inputs.forEach((id) => edge(id, layout.itemOf[i]!)));
  graph.outputs.forEach((o, i) => edge(o.id, `o${i}`));
  const [fanOut, fanIn] = [new Map<string, number>(), new Map<string, number>()];
  for (const e of edges) {
    fanOut.set(e.from.id, (fanOut.get(e.from.id) ?? 0) + 1);
    fanIn.set(e.to, (fanIn.get(e.to) ?? 0) + 1);
  }
  // Only a chain edge (one out of its source, one into its target) is labelled, so no two labels
  // meet at a fan-out or a fan-in; a port's field already shows its type.
  const labelled = (from: Source, to: string) => fanOut.get(from.id) === 1 && fanIn.get(to) === 1 && !from.id.includes(':');
  return edges.map(({ from, to }) => `  ${from.id} -> ${to}${labelled(from, to) ? ` [label=${dotString(from.type)}]` : ''};`);
}

/** An op node: a rounded box, or a record with one port per output for a multi-output node (split). */
function nodeDecl(n: Node, i: number, layout: DotLayout, marked: boolean): string {
  const view = OPS[n.op]?.view === true;
  const lines = opLines(n, layout.clusterOf.get(`n${i}`) ?? []);
  const style = marked ? `${view ? STYLE.view : STYLE.op}, ${STYLE.highlight}` : view ? STYLE.view : STYLE.op;
  if (n.outputs.length <= 1) {
    return `n${i} [label=${dotString([...lines, ...(view ? ['(view: no copy)'] : [])].join('\n'))}, ${style}];`;
  }
  // A record: the op's lines on top, a row of ports below, one per output with its index and type.
  const ports = n.outputs.map((o, k) => `<o${k}> ${recordText(`#${k} ${formatType(o.type)}`)}`).join('|');
  return `n${i} [label="{${recordText(lines.join('\n'))}|{${ports}}}", ${style.replace('shape=box', 'shape=Mrecord')}];`;
}

/** Text for a record field: escaped as dotString does, then the record syntax characters escaped too. */
function recordText(text: string): string {
  return dotString(text).slice(1, -1).replace(/[{}|<>]/g, (c) => `\\${c}`);
}

/** Op name, its label unless its cluster already says it, compact attributes, output types (single output). */
function opLines(n: Node, cluster: readonly string[]): string[] {
  const lines: string[] = [n.op];
  const own = modulePath(n.label);
  const named = n.label !== undefined && !(cluster.length > 0 && own.join('.') === cluster.join('.') && n.label === own.join('.'));
  if (named) lines.push(clip(n.label!, MAX_NAME_CHARS));
  for (const line of compactAttrLines(n)) lines.push(clip(line, MAX_ATTR_CHARS));
  if (n.outputs.length === 1) lines.push(clip(formatType(n.outputs[0]!.type), MAX_ATTR_CHARS));
  return lines;
}

/** A collapsed module: how many nodes and parameters (those only it reads), and of which ops. */
function moduleDecl(graph: Graph, m: CollapsedModule, marked: boolean): string {
  const counts = new Map<string, number>();
  for (const i of m.members) counts.set(graph.nodes[i]!.op, (counts.get(graph.nodes[i]!.op) ?? 0) + 1);
  const top = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const ops = top.slice(0, 4).map(([op, c]) => (c > 1 ? `${c} ${op}` : op)).join(', ') + (top.length > 4 ? ', ...' : '');
  // The module's name is its cluster's title; the box says what it holds, in two lines.
  const lines = [`${m.members.length} nodes${m.params > 0 ? `, ${formatCount(m.params)} params` : ''}`, ops];
  return `${m.id} [label=${dotString(lines.map((l) => clip(l, MAX_NAME_CHARS)).join('\n'))}, ${STYLE.module}${marked ? `, ${STYLE.highlight}` : ''}];`;
}

/** The source of a value; an id no one defines (a malformed graph) gets a red placeholder node. */
function sourceOf(id: ValueId, sources: Map<ValueId, Source>, decl: Map<string, string>): Source {
  const known = sources.get(id);
  if (known) return known;
  const placeholder: Source = { id: `u${sources.size}`, type: '?' };
  decl.set(placeholder.id, `${placeholder.id} [label=${dotString(`%${id}\n(undefined)`)}, ${STYLE.missing}];`);
  sources.set(id, placeholder);
  return placeholder;
}

function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 3)}...` : s;
}
