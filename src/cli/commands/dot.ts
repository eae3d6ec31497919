// `opgraph dot MODEL -o FILE.dot|.svg|.png`: the graph as a Graphviz drawing.
import { writeFileAtomic } from '../../io/atomic.ts';
import { toDot } from '../../viz/dot.ts';
import { formatFromPath, renderDot } from '../../viz/render.ts';
import { type OptionSpec, countOption, onePositional, optional, parseVerbArgs } from '../args.ts';
import { PIPELINE_OPTIONS, PIPELINE_USAGE, loadOptimized } from '../pipeline.ts';
import type { Command } from '../command.ts';

const OPTIONS: OptionSpec = { ...PIPELINE_OPTIONS, out: { type: 'string', short: 'o' }, depth: { type: 'string' } };

export const dotCommand: Command = {
  name: 'dot',
  summary: 'draw a model as DOT, SVG or PNG',
  usage: `opgraph dot MODEL [-O0|-O1|-O2] [--depth N] [pipeline options] [-o FILE.dot|FILE.svg|FILE.png]

Draws MODEL's graph: inputs, weights (grey), ops with their attributes and output
types, and tensor types on edges that are the only one out of their source and
into their target. Each module of several nodes (layer path: h.0, h.0.attn, ...)
is a cluster; --depth N collapses every module N levels deep into one box with
its in- and out-edges (--depth 1: one box per block; 0: no clusters). The
format follows the extension of FILE;
without -o the DOT text goes to stdout. Rendering uses a bundled Graphviz (wasm).
-O picks the pass pipeline run first (default -O0, or -O2 with --print-after or
--dot-after: one SVG per pass of the full pipeline).

${PIPELINE_USAGE}`,
  async run(argv, io) {
    const p = parseVerbArgs('dot', argv, OPTIONS);
    if (p.values.help) return io.help(this);
    const model = onePositional('dot', p);
    const out = optional(p, 'out');
    const format = out ? formatFromPath(out) : 'dot';
    const depth = countOption('dot', p, 'depth');
    const g = (await loadOptimized('dot', model, p, 0, io)).graph;
    const dot = toDot(g, depth === undefined ? {} : { depth });
    if (!out) {
      io.out(dot);
      return 0;
    }
    const data = format === 'dot' ? dot : await renderDot(dot, format);
    await writeFileAtomic(out, data);
    io.err(`wrote ${out}`);
    return 0;
  },
};
