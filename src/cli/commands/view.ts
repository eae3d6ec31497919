// `opgraph view MODEL -o view.html`: every pass's graph in one self-contained, offline HTML page.
import { planMemory } from '../../codegen/plan.ts';
import { scratchNeed } from '../../codegen/ts/kernels/index.ts';
import { sourceLocations } from '../../api/builder.ts';
import { writeFileAtomic } from '../../io/atomic.ts';
import { memoryPlotSvg } from '../../viz/memory-plot.ts';
import { buildViewer } from '../../viz/viewer.ts';
import { readSafetensors } from '../../io/safetensors-file.ts';
import { profileRun } from '../../runtime/profile.ts';
import { profilePlotSvg } from '../../viz/profile-plot.ts';
import { BindingError } from '../../errors.ts';
import type { Graph } from '../../ir/graph.ts';
import { type OptionSpec, countOption, onePositional, optional, parseVerbArgs } from '../args.ts';
import { PIPELINE_OPTIONS, PIPELINE_USAGE, loadOptimized } from '../pipeline.ts';
import type { Command } from '../command.ts';

const OPTIONS: OptionSpec = { ...PIPELINE_OPTIONS, out: { type: 'string', short: 'o' }, depth: { type: 'string' }, inputs: { type: 'string' } };

export const viewCommand: Command = {
  name: 'view',
  summary: 'write an offline HTML viewer of every pass',
  usage: `opgraph view MODEL [-O0|-O1|-O2] [--depth N] [--inputs IN.safetensors] [pipeline options] [-o FILE.html]

Writes one self-contained HTML file (default view.html; no network, no server:
open it from disk) showing MODEL as loaded and after each pass of the pipeline
(default -O2): a pass list and slider, what each pass added or changed drawn
with a thick border, its rewrites listed. Click a node for its op, attributes,
input and output types, source line, layer label, TS kernel name and code.
Search finds nodes by op or label. Under the drawing: the memory plan of the
final graph, and with --inputs a profile of the final graph on the TS backend
run on those tensors (as opgraph run --profile draws it; the model's own
weights). --depth N collapses modules N levels deep, as opgraph dot does.

${PIPELINE_USAGE}`,
  async run(argv, io) {
    const p = parseVerbArgs('view', argv, OPTIONS);
    if (p.values.help) return io.help(this);
    const model = onePositional('view', p);
    const out = optional(p, 'out') ?? 'view.html';
    const depth = countOption('view', p, 'depth');
    const { loaded, trace, graph } = await loadOptimized('view', model, p, 2, io);
    const stages = [{ name: 'as loaded', graph: loaded, notes: [] }, ...trace.map((t) => ({ name: t.pass, graph: t.graph, notes: t.notes }))];
    const plan = planMemory(graph, (n, inputs) => scratchNeed(n, inputs));
    const locations = sourceLocations(loaded);
    const inputs = optional(p, 'inputs');
    const profile = inputs === undefined ? [] : [{ caption: `time per run on the TS backend, inputs from ${inputs}`, svg: await profileSvg(graph, inputs) }];
    const html = await buildViewer(graph.name, stages, {
      ...(depth === undefined ? {} : { depth }),
      ...(locations ? { sourceLocations: locations } : {}),
      plots: [{ caption: `memory plan after the last pass (TS backend): peak ${plan.arenaBytes} bytes`, svg: memoryPlotSvg(graph, plan) }, ...profile],
    });
    await writeFileAtomic(out, html);
    io.err(`wrote ${out} (${stages.length} stages)`);
    return 0;
  },
};

/** The profile plot of `g` on the TS backend over the tensors of a safetensors file, by input name. */
async function profileSvg(g: Graph, path: string): Promise<string> {
  const provided = await readSafetensors(path);
  for (const i of g.inputs) if (!provided.has(i.name)) throw new BindingError(`${path}: no tensor named ${JSON.stringify(i.name)} for graph input ${JSON.stringify(i.name)}`);
  return profilePlotSvg(await profileRun(g, provided, { backend: 'ts' }));
}
