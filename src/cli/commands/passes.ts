// `opgraph passes MODEL`: the pipeline's trace as a table.
import { kernelCalls, planMemory } from '../../codegen/plan.ts';
import { scratchNeed } from '../../codegen/ts/kernels/index.ts';
import type { Graph } from '../../ir/graph.ts';
import { writeFileAtomic } from '../../io/atomic.ts';
import { memoryPlotSvg } from '../../viz/memory-plot.ts';
import { formatFromPath, svgToPng } from '../../viz/render.ts';
import { UsageError } from '../../errors.ts';
import { type OptionSpec, onePositional, optional, parseVerbArgs } from '../args.ts';
import { PIPELINE_OPTIONS, PIPELINE_USAGE, loadOptimized } from '../pipeline.ts';
import type { Command } from '../command.ts';

const OPTIONS: OptionSpec = { ...PIPELINE_OPTIONS, verbose: { type: 'boolean', short: 'v' }, plot: { type: 'string' } };

/** The TS backend's memory plan of `g` (the one `compile` uses). */
function tsPlan(g: Graph) {
  return planMemory(g, (n, inputs) => scratchNeed(n, inputs));
}

/** Kernels the TS backend would emit for `g`, and its peak intermediate bytes. */
function cost(g: Graph): { kernels: number; bytes: number } {
  const plan = tsPlan(g);
  return { kernels: kernelCalls(g, plan), bytes: plan.arenaBytes };
}

function row(cells: readonly string[], widths: readonly number[]): string {
  return cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
}

export const passesCommand: Command = {
  name: 'passes',
  summary: 'show what each pass of the pipeline did',
  usage: `opgraph passes MODEL [-O0|-O1|-O2] [pipeline options] [-v] [--plot MEMORY.svg|.png]

Runs the pipeline (default -O2) and prints one row per pass: nodes before -> after,
the kernels the TS backend would emit, the peak intermediate bytes of its memory
plan, and how many rewrites the pass made. -v lists every rewrite, naming the node
by value id, op and label: "fuse-attention: attention-scaled: %11 matmul -> %13".
--plot draws the final graph's memory plan: node index across, arena offset up,
one band per buffer over the nodes it is live at, the peak marked where it is
reached (the last row's intermediate bytes).

${PIPELINE_USAGE}`,
  async run(argv, io) {
    const p = parseVerbArgs('passes', argv, OPTIONS);
    if (p.values.help) return io.help(this);
    const plot = optional(p, 'plot');
    if (plot !== undefined && formatFromPath(plot) === 'dot') throw new UsageError('passes: --plot writes .svg or .png');
    const { trace, graph } = await loadOptimized('passes', onePositional('passes', p), p, 2, io);
    const header = ['pass', 'nodes', 'kernels', 'intermediate bytes', 'rewrites'];
    const rows = trace.map((t) => {
      const c = cost(t.graph);
      return [t.pass, `${t.nodesBefore} -> ${t.nodesAfter}`, String(c.kernels), String(c.bytes), String(t.notes.length)];
    });
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    io.out([row(header, widths), ...rows.map((r) => row(r, widths))].join('\n'));
    if (p.values.verbose) {
      for (const t of trace) for (const n of t.notes) io.out(`${t.pass}: ${n}`);
    }
    if (plot !== undefined) {
      const svg = memoryPlotSvg(graph, tsPlan(graph));
      await writeFileAtomic(plot, formatFromPath(plot) === 'png' ? await svgToPng(svg) : svg);
      io.err(`wrote ${plot}`);
    }
    return 0;
  },
};
