// `opgraph compile MODEL --target ts|wasm|wgsl --out DIR`: writes a standalone generated module.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { INLINE_WEIGHT_BYTES, generateTs } from '../../codegen/ts/index.ts';
import { kernelCalls } from '../../codegen/plan.ts';
import { generateWgsl } from '../../codegen/wgsl/index.ts';
import { emitWgslModule } from '../../codegen/wgsl/module.ts';
import { generateWasm } from '../../codegen/wasm/index.ts';
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
import { usageNote, wasmUsageNote, wgslUsageNote } from './usage-note.ts';
import { wasmOptions } from './wasm-options.ts';

const OPTIONS: OptionSpec = {
  ...PIPELINE_OPTIONS,
  target: { type: 'string' },
  out: { type: 'string', short: 'o' },
  weights: { type: 'string' },
  simd: { type: 'string' },
  threads: { type: 'string' },
};

export const compileCommand: Command = {
  name: 'compile',
  summary: 'write a standalone generated module',
  usage: `opgraph compile MODEL --target ts|wasm|wgsl --out DIR [-O0|-O1|-O2] [pipeline options] [--weights W.safetensors] [--threads N]

Compiles MODEL and writes into DIR, for --target ts:
  model.ts                    kernels specialised to the model's shapes, typed
                              Inputs/Outputs/Weights, a Model class and create()
  model.weights.safetensors   the weights (embedded in model.ts instead when tiny)
  README.md                   how to load and run it
for --target wasm (WebAssembly SIMD, relaxed and plain binaries embedded):
  model.ts                    the loader: typed Inputs/Outputs/Weights, the memory
                              layout, the binaries, async create(weights, { simd,
                              threads }) and run(); --threads N is the most threads
                              create() may start (default 1)
  model.weights.safetensors   the weights (embedded in model.ts instead when tiny)
  README.md                   how to load and run it
and for --target wgsl (WebGPU):
  model.ts                    the loader: typed Inputs/Outputs/Weights, the memory
                              layout, the kernels' WGSL, async create(device) and run()
  shaders/NAME.wgsl           each compute shader (the same text as in model.ts)
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
    if (target !== 'ts' && target !== 'wasm' && target !== 'wgsl') throw new UsageError(`compile: unknown target ${JSON.stringify(target)} (available: ts, wasm, wgsl)`);
    const wasm = wasmOptions('compile', p, target);
    if (wasm.simd) throw new UsageError('compile: --simd is chosen when the module loads (create(weights, { simd })); both binaries are written');
    const dir = required('compile', p, 'out');
    const weightsPath = optional(p, 'weights');
    const g = (await loadOptimized('compile', model, p, 2, io)).graph;
    const weights = collectWeights(g, weightsPath ? await readSafetensors(weightsPath) : undefined);
    const bytes = [...weights.values()].reduce((n, t) => n + numel(t.shape) * DTYPE_BYTES[t.dtype], 0);
    const inline = bytes <= INLINE_WEIGHT_BYTES;
    const withData = { ...g, weights: g.weights.map((w) => ({ ...w, data: weights.get(w.name)! })) };
    if (target === 'wgsl') {
      const program = generateWgsl(withData);
      const mod = emitWgslModule(withData, program, { inlineWeights: inline });
      // Everything is generated before anything is written; then all temp files, then the renames.
      mkdirSync(join(dir, 'shaders'), { recursive: true });
      const files: [string, Uint8Array | string][] = inline ? [] : [[join(dir, 'model.weights.safetensors'), serializeSafetensors(weights)]];
      for (const [file, code] of mod.shaders) files.push([join(dir, 'shaders', file), code]);
      files.push([join(dir, 'README.md'), wgslUsageNote(g, inline)], [join(dir, 'model.ts'), mod.loader]);
      await writeFilesAtomic(files);
      io.out(`wrote ${join(dir, 'model.ts')}: ${program.kernels.length} WGSL kernels in ${join(dir, 'shaders')}, memory ${program.words * 4} bytes, weights ${inline ? 'embedded' : 'in model.weights.safetensors'} (${bytes} bytes)`);
      return 0;
    }
    if (target === 'wasm') {
      const program = generateWasm(withData, { inlineWeights: inline, simple: kernelLevel('compile', p) === 0, threads: wasm.threads ?? 1 });
      mkdirSync(dir, { recursive: true });
      const files: [string, Uint8Array | string][] = inline ? [] : [[join(dir, 'model.weights.safetensors'), serializeSafetensors(weights)]];
      files.push([join(dir, 'README.md'), wasmUsageNote(g, inline)], [join(dir, 'model.ts'), program.loader]);
      await writeFilesAtomic(files);
      const ts = kernelCalls(g, program.plan) - program.kernels.size;
      io.out(`wrote ${join(dir, 'model.ts')}: ${program.kernels.size} wasm kernels and ${ts} TS kernels, memory ${program.layout.bytes} bytes (binaries ${program.binaries.relaxed.length} and ${program.binaries.plain.length} bytes), weights ${inline ? 'embedded' : 'in model.weights.safetensors'} (${bytes} bytes)`);
      return 0;
    }
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
