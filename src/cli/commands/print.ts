// `opgraph print MODEL`: the canonical text IR.
import { printGraph } from '../../ir/print.ts';
import { type OptionSpec, onePositional, parseVerbArgs } from '../args.ts';
import { PIPELINE_OPTIONS, PIPELINE_USAGE, loadOptimized } from '../pipeline.ts';
import type { Command } from '../command.ts';

const OPTIONS: OptionSpec = { ...PIPELINE_OPTIONS };

export const printCommand: Command = {
  name: 'print',
  summary: 'print the text IR of a model',
  usage: `opgraph print MODEL [-O0|-O1|-O2] [pipeline options]

Prints MODEL's graph in opgraph's canonical text form:
  %3: f32[2,4] = matmul %1 %2 {transA: false, transB: true}

MODEL is an .onnx file, a module path, or the name of a file in examples/ (e.g. mha).
-O picks the pass pipeline run first (default -O0: shape inference only; -O2 with
--print-after or --dot-after).

${PIPELINE_USAGE}`,
  async run(argv, io) {
    const p = parseVerbArgs('print', argv, OPTIONS);
    if (p.values.help) return io.help(this);
    const g = (await loadOptimized('print', onePositional('print', p), p, 0, io)).graph;
    io.out(printGraph(g));
    return 0;
  },
};
