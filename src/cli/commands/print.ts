// `opgraph print MODEL`: the canonical text IR.
import { printGraph } from '../../ir/print.ts';
import { UsageError } from '../../errors.ts';
import { onnxSupport } from '../../io/onnx/check.ts';
import { type OptionSpec, type Parsed, onePositional, parseVerbArgs } from '../args.ts';
import { resolveModelPath } from '../model.ts';
import { sizeOptions } from '../sizes.ts';
import { PIPELINE_OPTIONS, PIPELINE_USAGE, loadOptimized } from '../pipeline.ts';
import type { Command, CommandIO } from '../command.ts';

const OPTIONS: OptionSpec = { ...PIPELINE_OPTIONS, 'check-support': { type: 'boolean' } };

export const printCommand: Command = {
  name: 'print',
  summary: 'print the text IR of a model',
  usage: `opgraph print MODEL [-O0|-O1|-O2] [pipeline options]
       opgraph print --check-support MODEL.onnx [--dim/--shape/--const]

Prints MODEL's graph in opgraph's canonical text form:
  %3: f32[2,4] = matmul %1 %2 {transA: false, transB: true}

MODEL is an .onnx file, a module path, or the name of a file in examples/ (e.g. mha).
-O picks the pass pipeline run first (default -O0: shape inference only; -O2 with
--print-after or --dot-after).

--check-support lists everything an .onnx MODEL needs that opgraph lacks, one
line each (op, attribute value or element type: how many places, the first),
and exits 1 when anything is missing (0, saying so, when nothing is).

${PIPELINE_USAGE}`,
  async run(argv, io) {
    const p = parseVerbArgs('print', argv, OPTIONS);
    if (p.values.help) return io.help(this);
    if (p.values['check-support'] === true) return checkSupport(onePositional('print', p), p, io);
    const g = (await loadOptimized('print', onePositional('print', p), p, 0, io)).graph;
    io.out(printGraph(g));
    return 0;
  },
};

/** `print --check-support`: one line per missing feature; exit 1 when there is any. */
async function checkSupport(model: string, p: Parsed, io: CommandIO): Promise<number> {
  if (!model.toLowerCase().endsWith('.onnx')) throw new UsageError(`print: --check-support reads .onnx models; ${model} is not one`);
  const report = await onnxSupport(resolveModelPath(model), sizeOptions('print', p));
  if (report.note) io.err(report.note);
  for (const m of report.missing) io.out(`${m.key}: ${m.count} place${m.count === 1 ? '' : 's'}, first ${m.first}`);
  io.out(report.missing.length === 0 ? `${model}: every op, attribute and element type is supported` : `${model}: ${report.missing.length} unsupported feature(s)`);
  return report.missing.length === 0 ? 0 : 1;
}
