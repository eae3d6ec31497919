// `opgraph run MODEL --inputs IN --out OUT`: runs a model on tensors from safetensors files.
import { generateWgsl } from '../../codegen/wgsl/index.ts';
import { compile, compileWgsl, cpuTarget } from '../../compile.ts';
import { BindingError, UsageError } from '../../errors.ts';
import type { Tensor } from '../../ir/tensor.ts';
import { readSafetensors, writeSafetensors } from '../../io/safetensors-file.ts';
import { interpret } from '../../runtime/interpreter.ts';
import { NoAdapterError } from '../../runtime/webgpu.ts';
import { requestGpu } from '../../runtime/gpu.ts';
import { type CheckReport, type CheckSite, checkWgsl } from '../../runtime/wgsl-check.ts';
import { checkWasm } from '../../runtime/wasm-check.ts';
import { describeNode } from '../../ops/infer.ts';
import type { Graph } from '../../ir/graph.ts';
import { type OptionSpec, onePositional, optional, parseVerbArgs, required } from '../args.ts';
import { PIPELINE_OPTIONS, PIPELINE_USAGE, kernelLevel, loadOptimized } from '../pipeline.ts';
import type { Command } from '../command.ts';
import { type WasmCliOptions, wasmOptions } from './wasm-options.ts';
import { WEIGHT_OPTIONS, WEIGHT_USAGE, weightsOption } from '../weights.ts';
import { writeFileAtomic } from '../../io/atomic.ts';
import { profileRun } from '../../runtime/profile.ts';
import { profilePlotSvg, profileTable } from '../../viz/profile-plot.ts';
import { formatFromPath, svgToPng } from '../../viz/render.ts';

const OPTIONS: OptionSpec = {
  ...PIPELINE_OPTIONS,
  ...WEIGHT_OPTIONS,
  inputs: { type: 'string' },
  backend: { type: 'string' },
  out: { type: 'string', short: 'o' },
  check: { type: 'boolean' },
  fallback: { type: 'string' },
  simd: { type: 'string' },
  threads: { type: 'string' },
  profile: { type: 'string' },
};

const BACKENDS = ['auto', 'interp', 'ts', 'wasm', 'wgsl'] as const;
type Backend = (typeof BACKENDS)[number];

export const runCommand: Command = {
  name: 'run',
  summary: 'run a model on inputs from a safetensors file',
  usage: `opgraph run MODEL --inputs IN.safetensors [--weights W.safetensors [--partial-weights]] [--backend auto|interp|ts|wasm|wgsl] [-O0|-O1|-O2] [pipeline options] --out OUT.safetensors
       opgraph run MODEL --inputs IN.safetensors --backend wgsl|wasm --check [--out OUT.safetensors]

Runs MODEL. Tensors in IN whose names match graph inputs are used; others are
ignored. W gives the weights (PyTorch state_dict names): every weight of the
graph and nothing else, unless --partial-weights. OUT receives one tensor per
graph output, under the output's name; it is written to a temporary file and
renamed, so it is never left half-written.
Backends: auto (the default: the fastest CPU backend for the model, wasm when
any node has a wasm kernel, else ts), interp (the reference interpreter), ts
(generated TypeScript, compiled in-process), wasm (WebAssembly SIMD kernels,
with TS kernels for what has none) and wgsl (WGSL on a WebGPU adapter: a GPU,
or SwiftShader on the CPU). -O picks the pass pipeline (default -O2).

--backend wasm (or auto) options:
  --simd relaxed|plain  the SIMD instruction set (default: relaxed, which this
                 process turns on in V8 when it is off)
  --threads N    worker threads for the big kernels (default 1)

--backend wgsl|wasm options:
  --check        run the kernels one at a time beside the interpreter and
                 report the first node whose outputs diverge (op, label, max
                 |diff|, position) and the first whose outputs hold a NaN or Inf
                 that the interpreter does not (a mask's -Infinity in both is
                 no finding); exits 1 when a node diverges

--backend auto|interp|ts|wasm options:
  --profile FILE.svg|.png  run repeatedly (about 300 ms, 3 to 200 runs) with a
                 clock read after every kernel; writes time per module and per
                 kernel as bars with the share of GEMM, attention, elementwise
                 and movement kernels, and prints the slowest kernels. Each run
                 is also timed whole: the header says what share the kernels
                 account for

--backend wgsl options:
  --fallback ts  without a WebGPU adapter, run the TS backend instead (said on
                 stderr); without this option, no adapter is an error

${WEIGHT_USAGE}

${PIPELINE_USAGE}`,
  async run(argv, io) {
    const p = parseVerbArgs('run', argv, OPTIONS);
    if (p.values.help) return io.help(this);
    const model = onePositional('run', p);
    const inPath = required('run', p, 'inputs');
    const backend = optional(p, 'backend') ?? 'auto';
    if (!(BACKENDS as readonly string[]).includes(backend)) {
      throw new UsageError(`run: unknown backend ${JSON.stringify(backend)} (available: ${BACKENDS.join(', ')})`);
    }
    const check = p.values.check === true;
    const fallback = optional(p, 'fallback');
    if (check && backend !== 'wgsl' && backend !== 'wasm') throw new UsageError('run: --check needs --backend wgsl or wasm');
    if (fallback !== undefined && backend !== 'wgsl') throw new UsageError('run: --fallback needs --backend wgsl');
    if (fallback !== undefined && fallback !== 'ts') throw new UsageError(`run: unknown fallback ${JSON.stringify(fallback)} (available: ts)`);
    const wasm = wasmOptions('run', p, backend);
    const profile = optional(p, 'profile');
    if (profile !== undefined && (check || backend === 'wgsl')) throw new UsageError('run: --profile needs --backend auto, interp, ts or wasm, without --check');
    if (profile !== undefined && formatFromPath(profile) === 'dot') throw new UsageError('run: --profile writes .svg or .png');
    const outPath = check ? optional(p, 'out') : required('run', p, 'out');
    const provided = await readSafetensors(inPath);
    // Sizes the model leaves free come from the tensors it will run on.
    const runShapes = Object.fromEntries([...provided].map(([name, t]) => [name, t.shape]));
    const { graph: g, maxMemoryBytes } = await loadOptimized('run', model, p, 2, io, runShapes);
    // Every weight by name, checked once here; the backends then get a complete set.
    const weights = await weightsOption('run', g, p, io);
    const inputs = new Map<string, Tensor>();
    for (const i of g.inputs) {
      const t = provided.get(i.name);
      if (!t) throw new BindingError(`${inPath}: no tensor named ${JSON.stringify(i.name)} for graph input ${JSON.stringify(i.name)}`);
      inputs.set(i.name, t);
    }
    if (check) {
      const report = backend === 'wasm'
        ? await checkWasm(g, inputs, { weights, ...(wasm.simd ? { simd: wasm.simd } : {}) })
        : await checkWgsl(await requestGpu(), g, generateWgsl(g), inputs, { weights });
      for (const line of describeCheck(g, report, backend)) io.out(line);
      if (report.divergence) return 1;
      if (!outPath) return 0;
    }
    if (profile !== undefined) {
      const prof = await profileRun(g, inputs, { backend: backend === 'auto' ? cpuTarget(g, wasm) : (backend as 'interp' | 'ts' | 'wasm'), weights, level: kernelLevel('run', p), ...wasm });
      for (const line of profileTable(prof)) io.err(line);
      const svg = profilePlotSvg(prof);
      await writeFileAtomic(profile, formatFromPath(profile) === 'png' ? await svgToPng(svg) : svg);
      io.err(`wrote ${profile}`);
      await writeSafetensors(outPath!, prof.outputs);
      io.err(`wrote ${Object.keys(prof.outputs).length} output(s) to ${outPath}`);
      return 0;
    }
    const outputs = await execute(backend as Backend, g, inputs, weights, { level: kernelLevel('run', p), maxMemoryBytes }, wasm, fallback === 'ts' ? io.err : undefined);
    await writeSafetensors(outPath!, outputs);
    io.err(`wrote ${Object.keys(outputs).length} output(s) to ${outPath}`);
    return 0;
  },
};

async function execute(
  backend: Backend,
  g: Graph,
  inputs: Map<string, Tensor>,
  weights: Map<string, Tensor>,
  run: { readonly level: 0 | 1 | 2; readonly maxMemoryBytes: number },
  wasm: WasmCliOptions,
  fallbackLog?: (line: string) => void,
): Promise<Record<string, Tensor>> {
  if (backend === 'interp') return interpret(g, inputs, { weights });
  // The graph already went through the pipeline; compile only picks the kernels for the level.
  const opts = { ...run, optimized: true, weights } as const;
  if (backend === 'wgsl') {
    try {
      const m = await compileWgsl(g, opts);
      try {
        return await m.run(inputs);
      } finally {
        m.destroy();
      }
    } catch (e) {
      if (!(e instanceof NoAdapterError) || !fallbackLog) throw e;
      fallbackLog(`opgraph: ${e.message}; running the TS backend instead (--fallback ts)`);
    }
  }
  if (backend === 'wasm' || backend === 'auto') {
    const m = await compile(g, { target: backend, ...opts, ...wasm });
    try {
      return m.run(inputs);
    } finally {
      m.dispose();
    }
  }
  return (await compile(g, { target: 'ts', ...opts })).run(inputs);
}

/** The check report as lines: what was compared, the first divergence, the first NaN/Inf of the backend's own. */
function describeCheck(g: Graph, r: CheckReport, backend: string): string[] {
  const where = (s: CheckSite) => `${describeNode(s.op, s.value, s.label)} (kernel ${s.kernel}), output ${s.output} at [${s.position.join(', ')}]`;
  const lines = [`check: ${r.compared} kernels of ${g.nodes.length} nodes compared with the interpreter`];
  lines.push(r.divergence
    ? `first divergence: ${where(r.divergence)}: max |diff| ${r.divergence.maxAbs.toExponential(2)} (${backend} ${r.divergence.actual}, interpreter ${r.divergence.reference})`
    : 'first divergence: none (every node allclose to the interpreter)');
  const n = r.sharedNonFinite;
  lines.push(r.nonFinite
    ? `first NaN/Inf: ${where(r.nonFinite)}: ${backend} ${r.nonFinite.actual}, interpreter ${r.nonFinite.reference}`
    : n === 0 ? 'first NaN/Inf: none' : `first NaN/Inf: none that the interpreter does not also produce (${n} element${n === 1 ? ' is' : 's are'} NaN/Inf in both)`);
  return lines;
}
