// The memory-plan plot: its marked peak is the plan's arena size (what `passes` reports and the
// generated module's PEAK_INTERMEDIATE_BYTES says), and its bands are the plan's buffers.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PIPELINES, runPipeline } from '../../passes/pipeline.ts';
import { planMemory } from '../../src/codegen/plan.ts';
import { scratchNeed } from '../../src/codegen/ts/kernels/index.ts';
import { compile } from '../../src/compile.ts';
import { liveBytes, memoryPeak, memoryPlotSvg } from '../../src/viz/memory-plot.ts';
import { tinyGpt } from '../../examples/tiny-gpt.ts';
import { cli, lines } from '../cli/run-cli.ts';

interface Band {
  storage: number;
  offset: number;
  bytes: number;
  first: number;
  last: number;
}

function bands(svg: string): Band[] {
  return [...svg.matchAll(/<rect class="buffer" data-storage="(\d+)" data-offset="(\d+)" data-bytes="(\d+)" data-first="(-?\d+)" data-last="(-?\d+)"/g)].map((m) => ({
    storage: Number(m[1]), offset: Number(m[2]), bytes: Number(m[3]), first: Number(m[4]), last: Number(m[5]),
  }));
}

describe('memoryPlotSvg', () => {
  const g = runPipeline(tinyGpt(2), PIPELINES[2]).graph;
  const plan = planMemory(g, (n, inputs) => scratchNeed(n, inputs));
  const svg = memoryPlotSvg(g, plan);

  it('marks the peak at the plan\'s reported peak bytes, the size the compiled module allocates', async () => {
    const marked = Number(/<g class="peak" data-bytes="(\d+)"/.exec(svg)![1]);
    expect(marked).toBe(plan.arenaBytes);
    expect(Number(/data-peak-bytes="(\d+)"/.exec(svg)![1])).toBe(plan.arenaBytes);
    expect(svg).toContain(`(${plan.arenaBytes} B)`);
    const model = await compile(tinyGpt(2), { target: 'ts' });
    expect(model.peakBytes).toBe(plan.arenaBytes);
    expect(plan.arenaBytes).toBeGreaterThan(0);
  });

  it('draws one band per arena buffer; the highest band tops out at the peak, and live bands never share bytes', () => {
    const bs = bands(svg);
    expect(bs).toHaveLength(plan.storages.filter((s) => s.kind === 'arena').length);
    expect(Math.max(...bs.map((b) => b.offset + b.bytes))).toBe(plan.arenaBytes);
    for (const a of bs) {
      for (const b of bs) {
        if (a === b || a.last < b.first || b.last < a.first) continue;
        expect(a.offset + a.bytes <= b.offset || b.offset + b.bytes <= a.offset, `buffers ${a.storage} and ${b.storage}`).toBe(true);
      }
    }
    // Some buffers share bytes at different times: the plan reuses memory, and the plot shows it.
    const shared = bs.some((a) => bs.some((b) => a !== b && a.offset < b.offset + b.bytes && b.offset < a.offset + a.bytes));
    expect(shared).toBe(true);
  });

  it('places the peak at a node where the top buffer is live, and the live line never exceeds it', () => {
    const peak = memoryPeak(g, plan);
    expect(peak.storage!.first).toBeLessThanOrEqual(peak.node!);
    expect(peak.storage!.last).toBeGreaterThanOrEqual(peak.node!);
    const live = liveBytes(g, plan);
    expect(Math.max(...live)).toBeLessThanOrEqual(plan.arenaBytes);
    expect(Math.max(...live)).toBeGreaterThan(0);
    expect(svg).toContain(`at node ${peak.node}: %`);
  });

  it('passes --plot writes the plot; its peak is the last row\'s intermediate bytes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'opgraph-plot-'));
    const r = await cli(['passes', 'tiny-gpt', '--plot', join(dir, 'memory.svg')]);
    expect(r.code, r.stderr).toBe(0);
    const last = lines(r.stdout).at(-1)!.trim().split(/\s+/);
    const written = readFileSync(join(dir, 'memory.svg'), 'utf8');
    expect(Number(/data-peak-bytes="(\d+)"/.exec(written)![1])).toBe(Number(last.at(-2)));
    expect(Number(last.at(-2))).toBe(plan.arenaBytes);
    const png = await cli(['passes', 'tiny-gpt', '--plot', join(dir, 'memory.png')]);
    expect(png.code, png.stderr).toBe(0);
    expect([...readFileSync(join(dir, 'memory.png')).subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
  });
});
