// `opgraph view`'s data: one stage per pass (the graph drawn as SVG by the bundled Graphviz, what
// the pass changed marked), and for every drawn node what the details panel shows: op, attributes,
// input and output types, the user's source line, the layer label, and the TS kernel it compiles
// to with that kernel's code. viewer-page.ts turns it into one self-contained HTML file.
import { planMemory } from '../codegen/plan.ts';
import { emitKernels } from '../codegen/ts/module.ts';
import { scratchNeed } from '../codegen/ts/kernels/index.ts';
import type { Graph, Node, ValueId } from '../ir/graph.ts';
import { formatAttrValue, formatNode } from '../ir/print.ts';
import { formatType } from '../ir/types.ts';
import { OPS } from '../ops/table.ts';
import { toDot } from './dot.ts';
import { layoutDot } from './dot-layout.ts';
import { renderDot } from './render.ts';
import { type ViewerData, viewerPage } from './viewer-page.ts';

/** One graph to show: the model as loaded, or the graph after a pass, with that pass's notes. */
export interface ViewerStage {
  readonly name: string;
  readonly graph: Graph;
  readonly notes: readonly string[];
}

/** Options of buildViewer. */
export interface ViewerOptions {
  /** Module depth of the drawings (see DotOptions.depth). */
  readonly depth?: number;
  /** The user's source line of each node by first output id (sourceLocations of the loaded graph). */
  readonly sourceLocations?: ReadonlyMap<ValueId, string>;
  /** Standalone SVG plots shown under the drawing (the memory plan, a profile), by caption. */
  readonly plots?: ReadonlyArray<{ readonly caption: string; readonly svg: string }>;
}

/** Node details as the page shows them. */
export interface NodeInfo {
  readonly op: string;
  readonly label?: string;
  readonly attrs: [string, string][];
  readonly inputs: string[];
  readonly outputs: string[];
  readonly source?: string;
  readonly kernel: string;
  /** Index into ViewerData.code of the kernel's source. */
  readonly code?: number;
  readonly changed: boolean;
  /** A collapsed module: the nodes it holds. */
  readonly members?: string[];
}

/** Renders every stage and assembles the page (a complete HTML document). */
export async function buildViewer(title: string, stages: readonly ViewerStage[], opts: ViewerOptions = {}): Promise<string> {
  const code: string[] = [];
  const codeIndex = new Map<string, number>();
  const pages: ViewerData['stages'][number][] = [];
  let previous: Set<string> | undefined;
  const locations = new Map(opts.sourceLocations ?? []);
  for (const [k, stage] of stages.entries()) {
    inheritLocations(locations, stage);
    const keys = stage.graph.nodes.map((n) => formatNode(n));
    const changed = new Set<number>();
    if (previous) keys.forEach((key, i) => !previous!.has(key) && changed.add(i));
    const present = new Set(keys);
    const removed = previous ? [...previous].filter((key) => !present.has(key)).length : 0;
    const dot = toDot(stage.graph, { title: `${stage.graph.name} ${k === 0 ? 'as loaded' : `after ${stage.name}`}`, highlight: changed, ...(opts.depth === undefined ? {} : { depth: opts.depth }) });
    const svg = stripProlog(await renderDot(dot, 'svg'));
    const kernels = kernelsOf(stage.graph);
    const intern = (body: string): number => {
      if (!codeIndex.has(body)) codeIndex.set(body, code.push(body) - 1);
      return codeIndex.get(body)!;
    };
    pages.push({
      name: stage.name,
      nodes: stage.graph.nodes.length,
      changed: changed.size,
      removed,
      notes: [...stage.notes],
      svg,
      info: nodeInfos(stage.graph, changed, kernels, { ...opts, sourceLocations: locations }, intern),
    });
    previous = new Set(keys);
  }
  return viewerPage({ title, stages: pages, code, plots: [...(opts.plots ?? [])] });
}

/**
 * Gives a node a rewrite made the source line of the node it replaced, read from the rewrite
 * driver's notes (`rule: %old op "label" -> %new`), and says so.
 */
function inheritLocations(locations: Map<ValueId, string>, stage: ViewerStage): void {
  for (const note of stage.notes) {
    const m = /^([\w-]+): %(\d+) .* -> %(\d+)$/.exec(note);
    if (!m) continue;
    const [from, to] = [Number(m[2]), Number(m[3])];
    const at = locations.get(from);
    if (at !== undefined && !locations.has(to)) locations.set(to, `${at.replace(/ \(.*\)$/, '')} (via ${stage.name}: ${m[1]} rewrote %${from})`);
  }
}

/** Graphviz's SVG without its XML declaration, doctype and comments, for inlining into HTML. */
function stripProlog(svg: string): string {
  return svg.replace(/<\?xml[^>]*\?>/g, '').replace(/<!DOCTYPE[^>]*>/g, '').replace(/<!--[\s\S]*?-->/g, '').trim();
}

/** The TS kernel of each node that gets one (function name and source), or why there is none. */
function kernelsOf(g: Graph): { names: Map<Node, string>; bodies: Map<string, string>; error?: string } {
  try {
    const plan = planMemory(g, (n, inputs) => scratchNeed(n, inputs));
    const { fns, calls } = emitKernels(g, plan, false);
    const names = new Map<Node, string>();
    for (const [n, call] of calls) names.set(n, plan.statics.has(n) ? `${call.slice(0, call.indexOf('('))} (static: runs once, at create)` : call.slice(0, call.indexOf('(')));
    for (const n of plan.views) names.set(n, 'none (a view of its input: no copy)');
    const bodies = new Map(fns.map((f) => [f.name, `function ${f.name}(${f.params.map((p) => `${p.name}: ${p.type}`).join(', ')}): void {\n${f.body}\n}`]));
    return { names, bodies };
  } catch (e) {
    return { names: new Map(), bodies: new Map(), error: (e as Error).message };
  }
}

function nodeInfos(
  g: Graph,
  changed: ReadonlySet<number>,
  kernels: ReturnType<typeof kernelsOf>,
  opts: ViewerOptions,
  intern: (body: string) => number,
): Record<string, NodeInfo> {
  const types = new Map<ValueId, string>();
  for (const v of [...g.inputs, ...g.weights]) types.set(v.id, `%${v.id}: ${formatType(v.type)} (${JSON.stringify(v.name)})`);
  for (const n of g.nodes) for (const o of n.outputs) types.set(o.id, `%${o.id}: ${formatType(o.type)}`);
  const info: Record<string, NodeInfo> = {};
  g.nodes.forEach((n, i) => {
    const name = kernels.names.get(n) ?? (n.op === 'constant' ? 'none (a constant)' : kernels.error ? `none: ${kernels.error}` : 'none');
    const fn = name.split(' ')[0]!;
    const source = n.outputs[0] ? opts.sourceLocations?.get(n.outputs[0].id) : undefined;
    const attrs = n.attrs as Readonly<Record<string, unknown>>;
    info[`n${i}`] = {
      op: n.op,
      ...(n.label === undefined ? {} : { label: n.label }),
      attrs: Object.keys(attrs).sort().filter((key) => attrs[key] !== undefined).map((key) => [key, formatAttrValue(attrs[key])]),
      inputs: n.inputs.map((v) => types.get(v) ?? `%${v}`),
      outputs: n.outputs.map((o) => types.get(o.id)!),
      ...(source ? { source } : {}),
      kernel: OPS[n.op].view && !kernels.names.has(n) ? 'none (a view)' : name,
      ...(kernels.bodies.has(fn) ? { code: intern(kernels.bodies.get(fn)!) } : {}),
      changed: changed.has(i),
    };
  });
  const leaf = (op: string, label: string, type: string): NodeInfo => ({ op, label, attrs: [], inputs: [], outputs: [type], kernel: 'none', changed: false });
  g.inputs.forEach((v, k) => (info[`i${k}`] = leaf('graph input', v.name, types.get(v.id)!)));
  g.weights.forEach((w, k) => (info[`w${k}`] = leaf(w.data ? 'weight' : 'weight (no value: bound at run time)', w.name, types.get(w.id)!)));
  g.outputs.forEach((o, k) => (info[`o${k}`] = leaf('graph output', o.name, types.get(o.id) ?? `%${o.id}`)));
  const layout = layoutDot(g, opts.depth);
  for (const m of layout.collapsed) {
    info[m.id] = {
      op: `module ${m.path.join('.')}`,
      label: m.path.join('.'),
      attrs: [['params (read only here)', String(m.params)]],
      inputs: [],
      outputs: [],
      kernel: `${m.members.filter((i) => kernels.names.has(g.nodes[i]!)).length} nodes with kernels`,
      changed: m.members.some((i) => changed.has(i)),
      members: m.members.map((i) => formatNode(g.nodes[i]!)),
    };
  }
  return info;
}
