// The DOT printer: a second printer over the same walk as print.ts. Every name and attribute string
// may come from a model file, so all of them pass through one escaping function into quoted labels;
// DOT identifiers are generated (i0, w3, n12, o1), never taken from names.
import type { Graph, Node, ValueId } from '../ir/graph.ts';
import { formatAttrValue } from '../ir/print.ts';
import { OPS } from '../ops/table.ts';
import { type TensorType, formatType } from '../ir/types.ts';

/** Options for toDot. */
export interface DotOptions {
  /** Caption drawn above the graph (default: the graph's name). */
  readonly title?: string;
}

/** Longest attribute line drawn; longer ones are clipped with an ellipsis. */
const MAX_ATTR_CHARS = 60;
/** Longest name drawn (inputs, weights, outputs, node labels). */
const MAX_NAME_CHARS = 80;

const STYLE = {
  input: 'shape=ellipse, style=filled, fillcolor="#c8e6c9", color="#2e7d32"',
  weight: 'shape=box, style=filled, fillcolor="#eeeeee", color="#9e9e9e", fontsize=9',
  unboundWeight: 'shape=box, style="filled,dashed", fillcolor="#eeeeee", color="#9e9e9e", fontsize=9',
  op: 'shape=box, style="rounded,filled", fillcolor="#e3f2fd", color="#1565c0"',
  view: 'shape=box, style="rounded,filled,dashed", fillcolor="#fafafa", color="#90a4ae"',
  output: 'shape=ellipse, style=filled, fillcolor="#ffe0b2", color="#ef6c00"',
  missing: 'shape=octagon, style=filled, fillcolor="#ffcdd2", color="#c62828"',
} as const;

/** Where a value comes from in the drawing: a DOT node id, and the label of edges leaving it with the value. */
interface Source {
  readonly id: string;
  readonly edgeLabel: string;
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

/** Draws the graph as a DOT digraph, top to bottom. Output is deterministic for a given graph. */
export function toDot(graph: Graph, options: DotOptions = {}): string {
  const nodes: string[] = [];
  const edges: string[] = [];
  const sources = new Map<ValueId, Source>();
  graph.inputs.forEach((v, i) => {
    nodes.push(`  i${i} [label=${dotString(`${clip(v.name, MAX_NAME_CHARS)}\n${formatType(v.type)}`)}, ${STYLE.input}];`);
    sources.set(v.id, { id: `i${i}`, edgeLabel: formatType(v.type) });
  });
  graph.weights.forEach((w, i) => {
    const style = w.data ? STYLE.weight : STYLE.unboundWeight;
    nodes.push(`  w${i} [label=${dotString(`${clip(w.name, MAX_NAME_CHARS)}\n${formatType(w.type)}`)}, ${style}];`);
    sources.set(w.id, { id: `w${i}`, edgeLabel: formatType(w.type) });
  });
  graph.nodes.forEach((n, i) => {
    const view = OPS[n.op]?.view === true;
    nodes.push(`  n${i} [label=${dotString(opLabel(n) + (view ? '\n(view: no copy)' : ''))}, ${view ? STYLE.view : STYLE.op}];`);
    n.outputs.forEach((o, k) => sources.set(o.id, { id: `n${i}`, edgeLabel: outputEdgeLabel(o.type, k, n.outputs.length) }));
  });
  const edge = (id: ValueId, to: string): void => {
    const src = sourceOf(id, sources, nodes);
    edges.push(`  ${src.id} -> ${to} [label=${dotString(src.edgeLabel)}];`);
  };
  graph.nodes.forEach((n, i) => n.inputs.forEach((id) => edge(id, `n${i}`)));
  graph.outputs.forEach((o, i) => {
    nodes.push(`  o${i} [label=${dotString(clip(o.name, MAX_NAME_CHARS))}, ${STYLE.output}];`);
    edge(o.id, `o${i}`);
  });
  const title = dotString(clip(options.title ?? graph.name, MAX_NAME_CHARS));
  const head = [
    'digraph G {',
    '  rankdir=TB;',
    `  graph [label=${title}, labelloc=t, fontname="Helvetica"];`,
    '  node [fontname="Helvetica", fontsize=11];',
    '  edge [fontname="Helvetica", fontsize=9, color="#555555"];',
  ];
  return [...head, ...nodes, ...edges, '}'].join('\n') + '\n';
}

/** Op name, source label, one line per attribute (keys sorted, as formatAttrs), then output types. */
function opLabel(n: Node): string {
  const lines: string[] = [n.op];
  if (n.label !== undefined) lines.push(clip(n.label, MAX_NAME_CHARS));
  const attrs = n.attrs as Readonly<Record<string, unknown>>;
  for (const key of Object.keys(attrs).sort()) lines.push(clip(`${key}: ${formatAttrValue(attrs[key])}`, MAX_ATTR_CHARS));
  lines.push(clip(n.outputs.map((o) => formatType(o.type)).join(', '), MAX_ATTR_CHARS));
  return lines.join('\n');
}

/** The source of a value; an id no one defines (a malformed graph) gets a red placeholder node. */
function sourceOf(id: ValueId, sources: Map<ValueId, Source>, nodes: string[]): Source {
  const known = sources.get(id);
  if (known) return known;
  const placeholder: Source = { id: `u${sources.size}`, edgeLabel: '?' };
  nodes.push(`  ${placeholder.id} [label=${dotString(`%${id}\n(undefined)`)}, ${STYLE.missing}];`);
  sources.set(id, placeholder);
  return placeholder;
}

/** `f32[2,3]`, or `#1 f32[2,3]` for output 1 of a multi-output node (split). */
function outputEdgeLabel(type: TensorType, index: number, count: number): string {
  return count > 1 ? `#${index} ${formatType(type)}` : formatType(type);
}

function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 3)}...` : s;
}
