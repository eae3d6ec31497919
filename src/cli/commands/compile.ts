// `opgraph compile MODEL [--target auto|ts|wasm|wgsl] --out DIR`: writes a standalone generated module.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { constantWeights, constantsAsWeights, tensorBytes } from '../../codegen/constants.ts';
import { INLINE_WEIGHT_BYTES, generateTs } from '../../codegen/ts/index.ts';
import { kernelCalls } from '../../codegen/plan.ts';
import { generateWgsl } from '../../codegen/wgsl/index.ts';
import { emitWgslModule } from '../../codegen/wgsl/module.ts';
import { generateWasm } from '../../codegen/wasm/index.ts';
import { UsageError } from '../../errors.ts';
import type { Graph, Weight } from '../../ir/graph.ts';
import type { Tensor } from '../../ir/tensor.ts';
import { writeFilesAtomic } from '../../io/atomic.ts';
import { toJsModule } from '../../codegen/emit-js.ts';
import { serializeSafetensors } from '../../io/safetensors.ts';
import { type OptionSpec, onePositional, optional, parseVerbArgs, required } from '../args.ts';
import { cpuTarget } from '../../compile.ts';
import { PIPELINE_OPTIONS, PIPELINE_USAGE, kernelLevel, loadOptimized } from '../pipeline.ts';
import type { Command } from '../command.ts';
import { WEIGHT_OPTIONS, WEIGHT_USAGE, weightsOption } from '../weights.ts';
import { usageNote, wasmUsageNote, wgslUsageNote } from './usage-note.ts';
import { wasmOptions } from './wasm-options.ts';

const OPTIONS: OptionSpec = {
  ...PIPELINE_OPTIONS,
  target: { type: 'string' },
  ...WEIGHT_OPTIONS,
  out: { type: 'string', short: 'o' },
  emit: { type: 'string' },
  simd: { type: 'string' },
  threads: { type: 'string' },
};

export const compileCommand: Command = {
  name: 'compile',
  summary: 'write a standalone generated module',
  usage: `opgraph compile MODEL [--target auto|ts|wasm|wgsl] --out DIR [--emit ts|js] [-O0|-O1|-O2] [pipeline options] [--weights W.safetensors [--partial-weights]] [--threads N]

Compiles MODEL and writes into DIR. --target auto (the default) is the fastest
CPU target for the model: wasm when any node has a wasm kernel, else ts (said
on stderr). For --target ts:
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
--emit js writes model.js (an ES module) and model.d.ts instead of model.ts, for
Node without a TypeScript loader and plain-JavaScript projects.
The module has no dependencies and runs in Node and browsers. Weights come from
W (PyTorch state_dict names) or from the graph's own values. -O picks the pass
pipeline (default -O2). Prints the kernel count and the peak intermediate bytes.

${WEIGHT_USAGE}

${PIPELINE_USAGE}`,
  async run(argv, io) {
    const p = parseVerbArgs('compile', argv, OPTIONS);
    if (p.values.help) return io.help(this);
    const model = onePositional('compile', p);
    const asked = optional(p, 'target') ?? 'auto';
    if (asked !== 'auto' && asked !== 'ts' && asked !== 'wasm' && asked !== 'wgsl') throw new UsageError(`compile: unknown target ${JSON.stringify(asked)} (available: auto, ts, wasm, wgsl)`);
    const wasm = wasmOptions('compile', p, asked);
    if (wasm.simd) throw new UsageError('compile: --simd is chosen when the module loads (create(weights, { simd })); both binaries are written');
    const dir = required('compile', p, 'out');
    const emit = optional(p, 'emit') ?? 'ts';
    if (emit !== 'ts' && emit !== 'js') throw new UsageError(`compile: unknown --emit ${JSON.stringify(emit)} (available: ts, js)`);
    const moduleFiles = (source: string): [string, string][] => {
      if (emit === 'ts') return [[join(dir, 'model.ts'), source]];
      const m = toJsModule(source);
      return [[join(dir, 'model.js'), m.js], [join(dir, 'model.d.ts'), m.dts]];
    };
    const written = join(dir, emit === 'ts' ? 'model.ts' : 'model.js');
    const g = (await loadOptimized('compile', model, p, 2, io)).graph;
    const target = asked === 'auto' ? cpuTarget(g, wasm) : asked;
    if (asked === 'auto') io.err(`compile: --target auto chose ${target} (${target === 'wasm' ? 'some nodes have wasm kernels' : 'no node has a wasm kernel'})`);
    const { graph: code, weights, bytes, constantBytes } = moduleWeights(g, await weightsOption('compile', g, p, io));
    const inline = bytes <= INLINE_WEIGHT_BYTES;
    const report = `weights ${inline ? 'embedded' : 'in model.weights.safetensors'} (${bytes} bytes${constantBytes > 0 ? `, ${constantBytes} of them from constants` : ''})`;
    // Everything is generated before anything is written; then all temp files, then the renames.
    const files: [string, Uint8Array | string][] = inline ? [] : [[join(dir, 'model.weights.safetensors'), serializeSafetensors(weights)]];
    if (target === 'wgsl') {
      const program = generateWgsl(code);
      const mod = emitWgslModule(code, program, { inlineWeights: inline });
      mkdirSync(join(dir, 'shaders'), { recursive: true });
      for (const [file, text] of mod.shaders) files.push([join(dir, 'shaders', file), text]);
      files.push([join(dir, 'README.md'), wgslUsageNote(code, inline)], ...moduleFiles(mod.loader));
      await writeFilesAtomic(files);
      io.out(`wrote ${written}: ${program.kernels.length} WGSL kernels in ${join(dir, 'shaders')}, memory ${program.words * 4} bytes, ${report}`);
      return 0;
    }
    if (target === 'wasm') {
      const program = generateWasm(code, { inlineWeights: inline, simple: kernelLevel('compile', p) === 0, threads: wasm.threads ?? 1 });
      mkdirSync(dir, { recursive: true });
      files.push([join(dir, 'README.md'), wasmUsageNote(code, inline)], ...moduleFiles(program.loader));
      await writeFilesAtomic(files);
      const ts = kernelCalls(code, program.plan) - program.kernels.size;
      io.out(`wrote ${written}: ${program.kernels.size} wasm kernels and ${ts} TS kernels, memory ${program.layout.bytes} bytes (binaries ${program.binaries.relaxed.length} and ${program.binaries.plain.length} bytes), ${report}`);
      return 0;
    }
    const mod = generateTs(code, { inlineWeights: inline, simple: kernelLevel('compile', p) === 0 });
    mkdirSync(dir, { recursive: true });
    files.push([join(dir, 'README.md'), usageNote(code, inline)], ...moduleFiles(mod.source));
    await writeFilesAtomic(files);
    io.out(`wrote ${written}: ${kernelCalls(code, mod.plan)} kernels, peak intermediate memory ${mod.plan.arenaBytes} bytes, ${report}`);
    return 0;
  },
};

/**
 * The graph the module is generated from: large constants turned into weights (codegen/constants.ts),
 * every weight carrying its value (`given` for the model's own, the data for constants). Also the
 * weights as the weights file holds them, and their bytes in all and from constants.
 */
function moduleWeights(g: Graph, given: ReadonlyMap<string, Tensor>): { graph: Graph; weights: Map<string, Tensor>; bytes: number; constantBytes: number } {
  const code = constantsAsWeights(g);
  const weights = new Map(code.weights.map((w) => [w.name, given.get(w.name) ?? w.data!]));
  const sum = (ws: readonly Weight[]) => ws.reduce((n, w) => n + tensorBytes(weights.get(w.name)!), 0);
  const graph = { ...code, weights: code.weights.map((w) => ({ ...w, data: weights.get(w.name)! })) };
  return { graph, weights, bytes: sum(code.weights), constantBytes: sum(constantWeights(code, g)) };
}
