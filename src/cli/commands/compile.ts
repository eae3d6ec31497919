// `opgraph compile MODEL --target ts --out DIR`: writes a standalone generated module.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { INLINE_WEIGHT_BYTES, generateTs } from '../../codegen/ts/index.ts';
import { kernelCalls } from '../../codegen/plan.ts';
import { UsageError } from '../../errors.ts';
import type { Graph } from '../../ir/graph.ts';
import { type Tensor } from '../../ir/tensor.ts';
import { DTYPE_BYTES, numel } from '../../ir/types.ts';
import { writeFilesAtomic } from '../../io/atomic.ts';
import { readSafetensors, serializeSafetensors } from '../../io/safetensors.ts';
import { bindValues } from '../../runtime/bind.ts';
import { type OptionSpec, onePositional, optional, parseVerbArgs, required } from '../args.ts';
import { PIPELINE_OPTIONS, PIPELINE_USAGE, kernelLevel, loadOptimized } from '../pipeline.ts';
import type { Command } from '../command.ts';
import { usageNote } from './usage-note.ts';

const OPTIONS: OptionSpec = {
  ...PIPELINE_OPTIONS,
  target: { type: 'string' },
  out: { type: 'string', short: 'o' },
  weights: { type: 'string' },
};

export const compileCommand: Command = {
  name: 'compile',
  summary: 'write a standalone generated module',
  usage: `opgraph compile MODEL --target ts --out DIR [-O0|-O1|-O2] [pipeline options] [--weights W.safetensors]

Compiles MODEL and writes into DIR:
  model.ts                    kernels specialised to the model's shapes, typed
                              Inputs/Outputs/Weights, a Model class and create()
  model.weights.safetensors   the weights (embedded in model.ts instead when tiny)
  README.md                   how to load and run it
The module has no dependencies and runs in Node and browsers. Weights come from
W (PyTorch state_dict names) or from the graph's own values. -O picks the pass
pipeline (default -O2). Prints the kernel count and the peak intermediate bytes.

${PIPELINE_USAGE}`,
  async run(argv, io) {
    const p = parseVerbArgs('compile', argv, OPTIONS);
    if (p.values.help) return io.help(this);
    const model = onePositional('compile', p);
    const target = required('compile', p, 'target');
    if (target !== 'ts') throw new UsageError(`compile: unknown target ${JSON.stringify(target)} (available: ts)`);
    const dir = required('compile', p, 'out');
    const weightsPath = optional(p, 'weights');
    const g = (await loadOptimized('compile', model, p, 2, io)).graph;
    const weights = collectWeights(g, weightsPath ? await readSafetensors(weightsPath) : undefined);
    const bytes = [...weights.values()].reduce((n, t) => n + numel(t.shape) * DTYPE_BYTES[t.dtype], 0);
    const inline = bytes <= INLINE_WEIGHT_BYTES;
    const withData = { ...g, weights: g.weights.map((w) => ({ ...w, data: weights.get(w.name)! })) };
    const mod = generateTs(withData, { inlineWeights: inline, simple: kernelLevel('compile', p) === 0 });
    // Everything is generated before anything is written; then all temp files, then the renames.
    mkdirSync(dir, { recursive: true });
    const files: [string, Uint8Array | string][] = inline ? [] : [[join(dir, 'model.weights.safetensors'), serializeSafetensors(weights)]];
    files.push([join(dir, 'README.md'), usageNote(g, inline)], [join(dir, 'model.ts'), mod.source]);
    await writeFilesAtomic(files);
    const kernels = kernelCalls(g, mod.plan);
    io.out(`wrote ${join(dir, 'model.ts')}: ${kernels} kernels, peak intermediate memory ${mod.plan.arenaBytes} bytes, weights ${inline ? 'embedded' : 'in model.weights.safetensors'} (${bytes} bytes)`);
    return 0;
  },
};

/** Every weight's value: from the file when it names it, else the graph's own (BindingError if neither). */
function collectWeights(g: Graph, file: Map<string, Tensor> | undefined): Map<string, Tensor> {
  const env = bindValues({ ...g, inputs: [] }, new Map(), file);
  return new Map(g.weights.map((w) => [w.name, env.get(w.id)!]));
}
