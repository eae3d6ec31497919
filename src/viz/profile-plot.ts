// A profile as pictures and text: the share of GEMM, attention, elementwise, movement and other
// kernels as one stacked bar, then time per module and per kernel as horizontal bars (SVG), and the
// same numbers as a table for the terminal.
import { nodeRef } from '../ir/print.ts';
import type { KernelCategory, KernelTime, Profile } from '../runtime/profile.ts';
import { formatMs } from './format.ts';
import { moduleKey, modulePath } from './modules.ts';
import { el, svgDocument, text, tooltip } from './svg.ts';

const CATEGORIES: readonly KernelCategory[] = ['gemm', 'attention', 'elementwise', 'movement', 'other'];
const COLOUR: Readonly<Record<KernelCategory, string>> = { gemm: '#4e79a7', attention: '#e15759', elementwise: '#59a14f', movement: '#f28e2b', other: '#bab0ac' };

/** Bars drawn per section before the rest are summed into one. */
const MAX_BARS = 16;

/** One bar: a name, its milliseconds per run, and its colour. */
interface Bar {
  readonly name: string;
  readonly ms: number;
  readonly colour: string;
  readonly tip: string;
}

/** Time per run of each category, module (to `depth` levels) and kernel, sorted by time. */
export function profileBreakdown(p: Profile, depth = 2): { categories: Bar[]; modules: Bar[]; kernels: Bar[]; kernelMs: number } {
  const per = (ms: number) => ms / p.runs;
  const kernelMs = per(p.kernels.reduce((s, k) => s + k.ms, 0));
  const sum = (of: (k: KernelTime) => string) => {
    const m = new Map<string, number>();
    for (const k of p.kernels) m.set(of(k), (m.get(of(k)) ?? 0) + per(k.ms));
    return m;
  };
  const cats = sum((k) => k.category);
  const categories = CATEGORIES.filter((c) => cats.has(c)).map((c) => ({ name: c, ms: cats.get(c)!, colour: COLOUR[c], tip: `${c}: ${formatMs(cats.get(c)!)} per run` }));
  const modules = [...sum((k) => moduleKey(modulePath(k.node.label), depth) || '(top level)')]
    .map(([name, ms]) => ({ name, ms, colour: '#7e57c2', tip: `${name}: ${formatMs(ms)} per run` }))
    .sort((a, b) => b.ms - a.ms);
  const kernels = p.kernels
    .map((k) => ({ name: `${k.kernel} · ${nodeRef(k.node)}`, ms: per(k.ms), colour: COLOUR[k.category], tip: `${k.kernel} (${k.category}) for ${nodeRef(k.node)}: ${formatMs(per(k.ms))} per run` }))
    .sort((a, b) => b.ms - a.ms);
  return { categories, modules, kernels, kernelMs };
}

/** Keeps the MAX_BARS largest and sums the rest into one grey bar. */
function top(bars: readonly Bar[]): Bar[] {
  if (bars.length <= MAX_BARS) return [...bars];
  const rest = bars.slice(MAX_BARS - 1);
  const ms = rest.reduce((s, b) => s + b.ms, 0);
  return [...bars.slice(0, MAX_BARS - 1), { name: `${rest.length} others`, ms, colour: '#cfd8dc', tip: `${rest.length} other kernels: ${formatMs(ms)}` }];
}

const [W, LEFT, BAR_H, GAP] = [960, 360, 16, 4];

/** The profile as a standalone SVG document: header, category share, per-module and per-kernel bars. */
export function profilePlotSvg(p: Profile, title = `${p.graph.name}: time per run on ${p.backend}`): string {
  const b = profileBreakdown(p);
  const runMs = p.runMs / p.runs;
  const parts: string[] = [text(16, 24, title, { 'font-size': 15, 'font-weight': 'bold' })];
  parts.push(text(16, 42, `${p.runs} runs: ${formatMs(runMs)} measured per run, kernels ${formatMs(b.kernelMs)} (${((100 * b.kernelMs) / runMs).toFixed(1)}%)`, { 'font-size': 12, fill: '#546e7a' }));
  let y = 60;
  let x = 16;
  const total = b.categories.reduce((s, c) => s + c.ms, 0) || 1;
  for (const c of b.categories) {
    const w = ((W - 32) * c.ms) / total;
    parts.push(el('rect', { class: 'category-bar', 'data-category': c.name, 'data-ms': c.ms, x, y, width: w, height: 22, fill: c.colour }, tooltip(c.tip)));
    if (w > 70) parts.push(text(x + 4, y + 15, `${c.name} ${((100 * c.ms) / total).toFixed(0)}%`, { 'font-size': 11, fill: 'white' }));
    x += w;
  }
  y += 40;
  const section = (heading: string, bars: readonly Bar[], cls: string): void => {
    parts.push(text(16, y, heading, { 'font-size': 13, 'font-weight': 'bold' }));
    y += 10;
    const max = Math.max(...bars.map((r) => r.ms), 1e-9);
    for (const r of top(bars)) {
      const w = Math.max(1, ((W - LEFT - 90) * r.ms) / max);
      parts.push(text(LEFT - 6, y + 12, clip(r.name, 56), { 'font-size': 11, 'text-anchor': 'end' }));
      parts.push(el('rect', { class: cls, 'data-ms': r.ms, x: LEFT, y, width: w, height: BAR_H, fill: r.colour }, tooltip(r.tip)));
      parts.push(text(LEFT + w + 4, y + 12, formatMs(r.ms), { 'font-size': 11 }));
      y += BAR_H + GAP;
    }
    y += 24;
  };
  section('per module', b.modules, 'module-bar');
  section('per kernel', b.kernels, 'kernel-bar');
  const legend = CATEGORIES.map((c, i) => el('g', {}, el('rect', { x: 16 + i * 120, y: y - 12, width: 12, height: 12, fill: COLOUR[c] }), text(32 + i * 120, y - 2, c, { 'font-size': 11 })));
  return svgDocument(W, y + 12, { class: 'profile-plot', 'data-run-ms': runMs, 'data-kernel-ms': b.kernelMs, 'data-runs': p.runs }, ...parts, ...legend);
}

/** The profile as text lines: the totals, the categories, then the slowest kernels. */
export function profileTable(p: Profile, rows = 12): string[] {
  const b = profileBreakdown(p);
  const runMs = p.runMs / p.runs;
  const lines = [`profile (${p.backend}, ${p.runs} runs): ${formatMs(runMs)} per run measured, kernels ${formatMs(b.kernelMs)} (${((100 * b.kernelMs) / runMs).toFixed(1)}%)`];
  lines.push(`  ${b.categories.map((c) => `${c.name} ${((100 * c.ms) / (b.kernelMs || 1)).toFixed(1)}%`).join(', ')}`);
  for (const k of b.kernels.slice(0, rows)) lines.push(`  ${formatMs(k.ms).padStart(11)}  ${k.name}`);
  if (b.kernels.length > rows) lines.push(`  ... ${b.kernels.length - rows} more kernels`);
  return lines;
}

function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
