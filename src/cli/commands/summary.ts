// `opgraph summary MODEL`: modules with output types, parameters and kernels, like torchinfo.
import { PIPELINES, runPipeline } from '../../../passes/pipeline.ts';
import { planMemory } from '../../codegen/plan.ts';
import { scratchNeed } from '../../codegen/ts/kernels/index.ts';
import { summarize, summaryTable } from '../../viz/summary.ts';
import { type OptionSpec, countOption, onePositional, parseVerbArgs } from '../args.ts';
import { SIZE_OPTIONS, SIZE_USAGE, sizeOptions } from '../sizes.ts';
import { loadModel } from '../model.ts';
import type { Command } from '../command.ts';

const OPTIONS: OptionSpec = { ...SIZE_OPTIONS, depth: { type: 'string' } };

export const summaryCommand: Command = {
  name: 'summary',
  summary: 'a table of modules: output types, parameters, bytes, kernels',
  usage: `opgraph summary MODEL [--depth N] [size options]

Prints one row per module (layer path) down to N levels (default 3): the type of
its last node's output, the parameters it owns by state_dict name (h.0.attn owns
h.0.attn.c_attn.weight; a weight whose name names no module, as ONNX exporters'
onnx::LSTM_12, belongs to the innermost module reading it) and their bytes, and
the kernels the -O2 graph runs for it on the TS backend; then the totals, the
kernel calls per run and the peak intermediate memory.

${SIZE_USAGE}`,
  async run(argv, io) {
    const p = parseVerbArgs('summary', argv, OPTIONS);
    if (p.values.help) return io.help(this);
    const model = onePositional('summary', p);
    const depth = countOption('summary', p, 'depth') ?? 3;
    const graph = runPipeline(await loadModel(model, sizeOptions('summary', p)), PIPELINES[0]).graph;
    const optimized = runPipeline(graph, PIPELINES[2]).graph;
    const plan = planMemory(optimized, (n, inputs) => scratchNeed(n, inputs));
    io.out(summaryTable(summarize(graph, optimized, plan, depth), graph.name).join('\n'));
    return 0;
  },
};
