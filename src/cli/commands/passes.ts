// `opgraph passes MODEL`: the pipeline's trace as a table.
import { kernelCalls, planMemory } from '../../codegen/plan.ts';
import { scratchNeed } from '../../codegen/ts/kernels/index.ts';
import type { Graph } from '../../ir/graph.ts';
import { type OptionSpec, onePositional, parseVerbArgs } from '../args.ts';
import { PIPELINE_OPTIONS, PIPELINE_USAGE, loadOptimized } from '../pipeline.ts';
import type { Command } from '../command.ts';

const OPTIONS: OptionSpec = { ...PIPELINE_OPTIONS, verbose: { type: 'boolean', short: 'v' } };

/** Kernels the TS backend would emit for `g`, and its peak intermediate bytes. */
function cost(g: Graph): { kernels: number; bytes: number } {
  const plan = planMemory(g, (n, inputs) => scratchNeed(n, inputs));
  return { kernels: kernelCalls(g, plan), bytes: plan.arenaBytes };
}

function row(cells: readonly string[], widths: readonly number[]): string {
  return cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
}

export const passesCommand: Command = {
  name: 'passes',
  summary: 'show what each pass of the pipeline did',
  usage: `opgraph passes MODEL [-O0|-O1|-O2] [pipeline options] [-v]

Runs the pipeline (default -O2) and prints one row per pass: nodes before -> after,
the kernels the TS backend would emit, the peak intermediate bytes of its memory
plan, and how many rewrites the pass made. -v lists every rewrite, naming the node
by value id, op and label: "fuse-attention: attention-scaled: %11 matmul -> %13".

${PIPELINE_USAGE}`,
  async run(argv, io) {
    const p = parseVerbArgs('passes', argv, OPTIONS);
    if (p.values.help) return io.help(this);
    const { trace } = await loadOptimized('passes', onePositional('passes', p), p, 2, io);
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
    return 0;
  },
};
