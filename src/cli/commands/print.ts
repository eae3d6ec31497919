// `opgraph print MODEL`: the canonical text IR.
import { printGraph } from '../../ir/print.ts';
import { type OptionSpec, onePositional, parseVerbArgs } from '../args.ts';
import { loadModel } from '../model.ts';
import type { Command } from '../command.ts';

const OPTIONS: OptionSpec = {};

export const printCommand: Command = {
  name: 'print',
  summary: 'print the text IR of a model',
  usage: `opgraph print MODEL

Prints MODEL's graph in opgraph's canonical text form:
  %3: f32[2,4] = matmul %1 %2 {transA: false, transB: true}

MODEL is a module path, or the name of a file in examples/ (e.g. mha).`,
  async run(argv, io) {
    const p = parseVerbArgs('print', argv, OPTIONS);
    if (p.values.help) return io.help(this);
    const g = await loadModel(onePositional('print', p));
    io.out(printGraph(g));
    return 0;
  },
};
