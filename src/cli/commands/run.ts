// `opgraph run MODEL --inputs IN --out OUT`: runs a model on tensors from safetensors files.
import { compile } from '../../compile.ts';
import { BindingError, UsageError } from '../../errors.ts';
import type { Tensor } from '../../ir/tensor.ts';
import { readSafetensors, writeSafetensors } from '../../io/safetensors.ts';
import { interpret } from '../../runtime/interpreter.ts';
import { type OptionSpec, onePositional, optional, parseVerbArgs, required } from '../args.ts';
import { PIPELINE_OPTIONS, PIPELINE_USAGE, kernelLevel, loadOptimized } from '../pipeline.ts';
import type { Command } from '../command.ts';

const OPTIONS: OptionSpec = {
  ...PIPELINE_OPTIONS,
  inputs: { type: 'string' },
  weights: { type: 'string' },
  backend: { type: 'string' },
  out: { type: 'string', short: 'o' },
};

const BACKENDS = ['interp', 'ts'] as const;
type Backend = (typeof BACKENDS)[number];

export const runCommand: Command = {
  name: 'run',
  summary: 'run a model on inputs from a safetensors file',
  usage: `opgraph run MODEL --inputs IN.safetensors [--weights W.safetensors] [--backend interp|ts] [-O0|-O1|-O2] [pipeline options] --out OUT.safetensors

Runs MODEL. Tensors in IN whose names match graph inputs are used; others are
ignored. Weights named in W override the graph's own values (PyTorch state_dict
names). OUT receives one tensor per graph output, under the output's name; it is
written to a temporary file and renamed, so it is never left half-written.
Backends: interp (the reference interpreter, default) and ts (generated
TypeScript, compiled in-process). -O picks the pass pipeline (default -O2).

${PIPELINE_USAGE}`,
  async run(argv, io) {
    const p = parseVerbArgs('run', argv, OPTIONS);
    if (p.values.help) return io.help(this);
    const model = onePositional('run', p);
    const inPath = required('run', p, 'inputs');
    const outPath = required('run', p, 'out');
    const backend = optional(p, 'backend') ?? 'interp';
    if (!(BACKENDS as readonly string[]).includes(backend)) {
      throw new UsageError(`run: unknown backend ${JSON.stringify(backend)} (available: ${BACKENDS.join(', ')})`);
    }
    const weightsPath = optional(p, 'weights');
    const g = (await loadOptimized('run', model, p, 2, io)).graph;
    const provided = await readSafetensors(inPath);
    const inputs = new Map<string, Tensor>();
    for (const i of g.inputs) {
      const t = provided.get(i.name);
      if (!t) throw new BindingError(`${inPath}: no tensor named ${JSON.stringify(i.name)} for graph input ${JSON.stringify(i.name)}`);
      inputs.set(i.name, t);
    }
    const weights = weightsPath ? await readSafetensors(weightsPath) : undefined;
    const outputs = await execute(backend as Backend, g, inputs, weights, kernelLevel('run', p));
    await writeSafetensors(outPath, outputs);
    io.err(`wrote ${Object.keys(outputs).length} output(s) to ${outPath}`);
    return 0;
  },
};

async function execute(backend: Backend, g: Parameters<typeof interpret>[0], inputs: Map<string, Tensor>, weights: Map<string, Tensor> | undefined, level: 0 | 1 | 2): Promise<Record<string, Tensor>> {
  if (backend === 'interp') return interpret(g, inputs, weights ? { weights } : {});
  // The graph already went through the pipeline; compile only picks the kernels for the level.
  const m = await compile(g, { target: 'ts', level, optimized: true, ...(weights ? { weights } : {}) });
  return m.run(inputs);
}
