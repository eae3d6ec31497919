// `opgraph summary`'s table, like torchinfo's: one row per module (layer path) down to a depth,
// with the output type of its last node, the parameters it owns (by state_dict name, else by
// where they are read), their bytes,
// and the kernels the optimised graph runs for it; then the totals.
import { type MemoryPlan, kernelCalls } from '../codegen/plan.ts';
import type { Graph } from '../ir/graph.ts';
import { DTYPE_BYTES, formatType, numel } from '../ir/types.ts';
import { formatBytes, formatCount } from './format.ts';
import { moduleKey, moduleKeys, modulePath, weightModulePath, within } from './modules.ts';

/** One module's row. */
export interface SummaryRow {
  readonly module: string;
  readonly depth: number;
  readonly output: string;
  readonly params: number;
  readonly bytes: number;
  readonly kernels: number;
}

/** The table and its totals. */
export interface Summary {
  readonly rows: readonly SummaryRow[];
  readonly totals: { readonly nodes: number; readonly params: number; readonly bytes: number; readonly kernels: number; readonly arenaBytes: number; readonly unowned: number };
}

/**
 * Summarises `graph` (after shape inference) to `maxDepth` module levels; `optimized` and its
 * `plan` give the kernels (nodes that are no constant, view or static node, by label).
 */
export function summarize(graph: Graph, optimized: Graph, plan: MemoryPlan, maxDepth = 3): Summary {
  const keys = moduleKeys(graph).filter((k) => depthOf(graph, k) <= maxDepth);
  const nodeKeys = graph.nodes.map((n) => moduleKey(modulePath(n.label)));
  const weightKeys = ownerKeys(graph, keys);
  const kernelKeys = optimized.nodes.filter((n) => n.op !== 'constant' && !plan.views.has(n) && !plan.statics.has(n)).map((n) => moduleKey(modulePath(n.label)));
  const rows = keys.map((key) => {
    let last = -1;
    nodeKeys.forEach((k, i) => within(k, key) && (last = i));
    const owned = graph.weights.filter((_, i) => within(weightKeys[i]!, key));
    return {
      module: key,
      depth: depthOf(graph, key),
      output: last < 0 ? '' : graph.nodes[last]!.outputs.map((o) => formatType(o.type)).join(', '),
      params: owned.reduce((s, w) => s + numel(w.type.shape), 0),
      bytes: owned.reduce((s, w) => s + numel(w.type.shape) * DTYPE_BYTES[w.type.dtype], 0),
      kernels: kernelKeys.filter((k) => within(k, key)).length,
    };
  });
  const top = new Set(keys.filter((k) => depthOf(graph, k) === 1));
  const unowned = graph.weights.filter((_, i) => ![...top].some((k) => within(weightKeys[i]!, k))).reduce((s, w) => s + numel(w.type.shape), 0);
  return {
    rows,
    totals: {
      nodes: graph.nodes.length,
      params: graph.weights.reduce((s, w) => s + numel(w.type.shape), 0),
      bytes: graph.weights.reduce((s, w) => s + numel(w.type.shape) * DTYPE_BYTES[w.type.dtype], 0),
      kernels: kernelCalls(optimized, plan),
      arenaBytes: plan.arenaBytes,
      unowned,
    },
  };
}

/**
 * The module owning each weight: the one its state_dict name names, or for a name that names no
 * module of the graph (an ONNX exporter's `onnx::LSTM_123`) the innermost module holding all its readers.
 */
function ownerKeys(graph: Graph, keys: readonly string[]): string[] {
  const known = new Set(keys);
  return graph.weights.map((w) => {
    const named = weightModulePath(w.name);
    for (let d = named.length; d > 0; d--) if (known.has(moduleKey(named, d))) return moduleKey(named);
    const readers = graph.nodes.filter((n) => n.inputs.includes(w.id)).map((n) => modulePath(n.label));
    if (readers.length === 0) return moduleKey(named);
    const common = readers.reduce(commonPrefix);
    return common.length > 0 ? moduleKey(common) : moduleKey(named);
  });
}

function commonPrefix(a: readonly string[], b: readonly string[]): readonly string[] {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return a.slice(0, n);
}

/** How many module levels `key` has, as the graph's labels split it. */
function depthOf(graph: Graph, key: string): number {
  for (const n of graph.nodes) {
    const path = modulePath(n.label);
    for (let d = 1; d <= path.length; d++) if (moduleKey(path, d) === key) return d;
  }
  return 1;
}

/** The summary as aligned text lines. */
export function summaryTable(s: Summary, name: string): string[] {
  const header = ['module', 'output', 'params', 'bytes', 'kernels'];
  const cells = s.rows.map((r) => [`${'  '.repeat(r.depth - 1)}${lastLevel(r.module, r.depth)}`, r.output, r.params ? grouped(r.params) : '-', r.params ? formatBytes(r.bytes) : '-', String(r.kernels)]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const row = (c: readonly string[]) => c.map((x, i) => (i < 2 ? x.padEnd(widths[i]!) : x.padStart(widths[i]!))).join('  ').trimEnd();
  const rule = '-'.repeat(widths.reduce((a, b) => a + b + 2, -2));
  const t = s.totals;
  return [
    `${name}: ${t.nodes} nodes`,
    rule, row(header), rule, ...cells.map(row), rule,
    `total params: ${grouped(t.params)} (${formatCount(t.params)}), ${formatBytes(t.bytes)}${t.unowned ? `; ${grouped(t.unowned)} in weights no module owns` : ''}`,
    `kernels per run after -O2: ${t.kernels}; peak intermediate memory: ${formatBytes(t.arenaBytes)} (${t.arenaBytes} B)`,
  ];
}

/** 49984 -> "49,984", as torchinfo prints counts. */
function grouped(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** The level a row adds to its parent (`attn` under `h.0`). */
function lastLevel(key: string, depth: number): string {
  if (depth <= 1) return key;
  const parts = key.split('.');
  // A list index belongs to its level: `h.0` is one level, so keep the name before a number.
  return /^\d+$/.test(parts.at(-1)!) && parts.length > 1 ? parts.slice(-2).join('.') : parts.at(-1)!;
}
