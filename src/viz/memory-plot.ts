// The memory plan as a picture: node index on x, arena offset on y, one band per arena buffer over
// the nodes it is live at (buffers whose lifetimes do not overlap share rows of bytes), the bytes
// live at each node as a line, and the arena's peak marked where the plan reaches it.
import type { Graph, ValueId } from '../ir/graph.ts';
import { nodeRef } from '../ir/print.ts';
import { type MemoryPlan, type Storage, storageBytes } from '../codegen/plan.ts';
import { formatType } from '../ir/types.ts';
import { formatBytes } from './format.ts';
import { el, palette, svgDocument, text, ticks, tooltip } from './svg.ts';

/** Where the arena is fullest: its size, the buffer that reaches it and the node it is reached at. */
export interface MemoryPeak {
  readonly bytes: number;
  readonly storage?: Storage;
  readonly node?: number;
}

/** Bytes of the arena buffers live at each node index (scratch included), by a running sum over interval ends. */
export function liveBytes(g: Graph, plan: MemoryPlan): number[] {
  const delta = new Array<number>(g.nodes.length + 1).fill(0);
  for (const s of plan.storages) {
    const [first, last] = [Math.max(0, s.first), Math.min(s.last, g.nodes.length - 1)];
    if (s.kind !== 'arena' || first > last) continue;
    delta[first]! += storageBytes(s);
    delta[last + 1]! -= storageBytes(s);
  }
  const live = new Array<number>(g.nodes.length).fill(0);
  for (let i = 0, sum = 0; i < g.nodes.length; i++) live[i] = sum += delta[i]!;
  return live;
}

/** The peak of the plan: the top of its highest buffer, at the node (in that buffer's life) with the most live bytes. */
export function memoryPeak(g: Graph, plan: MemoryPlan): MemoryPeak {
  const arena = plan.storages.filter((s) => s.kind === 'arena');
  if (arena.length === 0) return { bytes: plan.arenaBytes };
  const top = arena.reduce((a, b) => (b.offset + storageBytes(b) > a.offset + storageBytes(a) ? b : a));
  const live = liveBytes(g, plan);
  let node = Math.max(0, top.first);
  for (let i = node; i <= Math.min(top.last, g.nodes.length - 1); i++) if (live[i]! > live[node]!) node = i;
  return { bytes: top.offset + storageBytes(top), storage: top, node };
}

const [W, H, LEFT, RIGHT, TOP, BOTTOM] = [960, 480, 84, 24, 76, 48];

/** The plan of `g` as a standalone SVG document (see the file header). */
export function memoryPlotSvg(g: Graph, plan: MemoryPlan, title = `${g.name}: memory plan`): string {
  const n = Math.max(1, g.nodes.length);
  const peak = memoryPeak(g, plan);
  const unit = peak.bytes >= 1024 ** 2 ? 1024 ** 2 : peak.bytes >= 1024 ? 1024 : 1;
  const yTicks = ticks(peak.bytes / unit).map((t) => t * unit);
  const yMax = Math.max(peak.bytes, yTicks.at(-1) ?? 0) || 1;
  const x = (i: number) => LEFT + (i / n) * (W - LEFT - RIGHT);
  const y = (b: number) => H - BOTTOM - (b / yMax) * (H - TOP - BOTTOM);
  const values = valuesByStorage(plan);
  const scratch = new Set(plan.scratch.values());
  const bands = plan.storages.filter((s) => s.kind === 'arena').map((s) => {
    const bytes = storageBytes(s);
    const what = scratch.has(s.id) ? `scratch of node ${s.first}` : (values.get(s.id) ?? []).map((v) => `%${v}`).join(', ');
    const tip = `buffer ${s.id}: ${formatBytes(bytes)} at offset ${s.offset}, nodes ${s.first}–${s.last}, ${s.dtype}[${s.length}] (${what})`;
    return el('rect', {
      class: 'buffer', 'data-storage': s.id, 'data-offset': s.offset, 'data-bytes': bytes, 'data-first': s.first, 'data-last': s.last,
      x: x(s.first), y: y(s.offset + bytes), width: Math.max(1, x(s.last + 1) - x(s.first)), height: Math.max(0.5, y(s.offset) - y(s.offset + bytes)),
      fill: scratch.has(s.id) ? '#bdbdbd' : palette(s.id), 'fill-opacity': 0.8, stroke: 'white', 'stroke-width': 0.5,
    }, tooltip(tip));
  });
  const live = liveBytes(g, plan);
  const line = live.map((b, i) => `${x(i)},${y(b)} ${x(i + 1)},${y(b)}`).join(' ');
  const at = peak.node === undefined ? '' : ` at node ${peak.node}: ${nodeText(g, peak.node)}`;
  const peakMark = el('g', { class: 'peak', 'data-bytes': peak.bytes, 'data-node': peak.node },
    el('line', { x1: LEFT, x2: W - RIGHT, y1: y(peak.bytes), y2: y(peak.bytes), stroke: '#d81b60', 'stroke-width': 1.5, 'stroke-dasharray': '6 4' }),
    ...(peak.node === undefined ? [] : [el('circle', { cx: (x(peak.node) + x(peak.node + 1)) / 2, cy: y(peak.bytes), r: 5, fill: '#d81b60' })]),
    text(LEFT + 6, y(peak.bytes) - 6, `peak ${formatBytes(peak.bytes)} (${peak.bytes} B)${at}`, { 'font-size': 12, fill: '#ad1457' }));
  const axes = [
    ...yTicks.map((t) => el('g', {}, el('line', { class: 'grid', x1: LEFT, x2: W - RIGHT, y1: y(t), y2: y(t) }), text(LEFT - 6, y(t) + 4, formatBytes(t), { 'font-size': 11, 'text-anchor': 'end' }))),
    ...ticks(n, 10).map((t) => text(x(t), H - BOTTOM + 16, String(t), { 'font-size': 11, 'text-anchor': 'middle' })),
    el('line', { class: 'axis', x1: LEFT, x2: LEFT, y1: TOP - 8, y2: H - BOTTOM }),
    el('line', { class: 'axis', x1: LEFT, x2: W - RIGHT, y1: H - BOTTOM, y2: H - BOTTOM }),
    text((LEFT + W - RIGHT) / 2, H - 10, 'node index (run order)', { 'font-size': 12, 'text-anchor': 'middle' }),
    text(16, (TOP + H - BOTTOM) / 2, 'arena offset', { 'font-size': 12, 'text-anchor': 'middle', transform: `rotate(-90 16 ${(TOP + H - BOTTOM) / 2})` }),
  ];
  const legend = [
    text(LEFT, 22, title, { 'font-size': 15, 'font-weight': 'bold' }),
    text(LEFT, 40, `${bands.length} arena buffers in ${formatBytes(plan.arenaBytes)}; one band per buffer over the nodes it is live at; grey: kernel scratch; line: bytes live`, { 'font-size': 11, fill: '#546e7a' }),
  ];
  const liveLine = el('polyline', { class: 'live', points: line, fill: 'none', stroke: '#263238', 'stroke-width': 1.2 });
  return svgDocument(W, H, { class: 'memory-plot', 'data-peak-bytes': peak.bytes, 'data-arena-bytes': plan.arenaBytes }, ...legend, ...axes, ...bands, liveLine, peakMark);
}

/** The values held by each storage. */
function valuesByStorage(plan: MemoryPlan): Map<number, ValueId[]> {
  const out = new Map<number, ValueId[]>();
  for (const [v, s] of plan.storageOf) out.set(s, [...(out.get(s) ?? []), v]);
  return out;
}

function nodeText(g: Graph, i: number): string {
  const n = g.nodes[i]!;
  return `${nodeRef(n)} → ${n.outputs.map((o) => formatType(o.type)).join(', ')}`;
}
