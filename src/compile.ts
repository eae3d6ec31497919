// The compile driver: passes, then a backend, then an in-process module ready to run.
// With the CLI, this is the only part of src/ that imports passes/ (it sits on top of both).
import { tsMorph } from './codegen/ts-morph.ts';
import { PIPELINES, type OptLevel, runPipeline } from '../passes/pipeline.ts';
import { constantsAsWeights } from './codegen/constants.ts';
import { sourceEmitters } from './codegen/source-emitters.ts';
import { type WgslProgram, generateWgsl } from './codegen/wgsl/index.ts';
import { type WasmProgram, generateWasmProgram, wasmKernelCount } from './codegen/wasm/index.ts';
import { enableRelaxedSimd } from './runtime/wasm-flags.ts';
import { WebGpuModel } from './runtime/webgpu.ts';
import { requestGpu } from './runtime/gpu.ts';
import { nodeModule } from './host/node.ts';
import { instantiateWasmDirect } from './runtime/wasm-direct.ts';
import { TYPED_ARRAY_LAYOUT, kernelCalls } from './codegen/plan.ts';
import { type MemoryUse, checkMemoryBudget, memoryUse } from './codegen/budget.ts';
import { WGSL_LAYOUT } from './codegen/wgsl/types.ts';
import { resolveMaxMemory } from './io/memory.ts';
import { BindingError, IndexError, InternalCompilerError, OpgraphError } from './errors.ts';
import { describeNode } from './ops/infer.ts';
import { type Graph, valueTypes } from './ir/graph.ts';
import { graphHash } from './ir/hash.ts';
import { type Tensor, type TensorData, tensor } from './ir/tensor.ts';
import { formatType, sameType } from './ir/types.ts';
import { type NamedTensors, resolveWeights } from './runtime/bind.ts';

/** Options of compile(). */
export interface CompileOptions {
  /**
   * The backend: generated TypeScript, WebAssembly SIMD kernels (with TS kernels for the rest),
   * or 'auto' (the default): the fastest CPU target for the model, see `cpuTarget`.
   */
  readonly target?: CpuTarget | 'auto';
  /** wasm: the SIMD instruction set (default: relaxed where the engine has it, else plain). */
  readonly simd?: 'relaxed' | 'plain';
  /** wasm: threads (default 1); kernels big enough split across a pool of workers over one shared memory. */
  readonly threads?: number;
  /**
   * Check mode and profiles: called once per run with value -1 when the inputs are bound, then
   * after every node with its first output's value id, the kernel that ran it (a wasm export or a
   * TS function) and its outputs, read in place (copy what you keep).
   */
  readonly observe?: (value: number, kernel: string, outputs: readonly TensorData[]) => void;
  /** Optimisation level (default 2): the pass pipeline, and at -O0 plain rather than blocked kernels. */
  readonly level?: OptLevel;
  /** The graph already went through a pipeline: run only shape inference before generating code. */
  readonly optimized?: boolean;
  /** Weight values by name; graph weights carrying data need none. */
  readonly weights?: NamedTensors;
  /**
   * Given weights must name every graph weight and nothing else (default true, like PyTorch's
   * load_state_dict(strict=True)); false loads a partial set (see BindOptions.strict).
   */
  readonly strict?: boolean;
  /** Verify the graph after every pass (tests turn this on). */
  readonly verify?: boolean;
  /**
   * The aggregate memory budget in bytes: weights + constants + arena + inputs + outputs (+ wasm
   * prepared panels) from the memory plan, checked before anything is allocated (LimitError).
   * Default: a quarter of the machine's memory (src/io/memory.ts).
   */
  readonly maxMemoryBytes?: number;
}

/** The in-process CPU backends. */
export type CpuTarget = 'ts' | 'wasm';

/**
 * The fastest CPU target for an optimised graph: wasm when at least one node runs as a wasm
 * kernel (every benchmarked model ran faster there, the tiny seed MHA included: see
 * docs/benchmarks.md), else ts, whose module is the same TS kernels without the wasm loader.
 * Asking for wasm-only features (threads > 1, simd) picks wasm.
 */
export function cpuTarget(g: Graph, opts: Pick<CompileOptions, 'threads' | 'simd'> = {}): CpuTarget {
  if ((opts.threads ?? 1) > 1 || opts.simd !== undefined) return 'wasm';
  return wasmKernelCount(g) > 0 ? 'wasm' : 'ts';
}

/** A compiled model. `run` takes and returns opgraph Tensors by name. */
export interface CompiledModel {
  /** The backend it was compiled for (what 'auto' chose). */
  readonly target: CpuTarget;
  /** The graph after the pipeline. */
  readonly graph: Graph;
  /**
   * The generated TypeScript source. In a page the wasm target runs its binary without one, and
   * reading this throws NodeOnlyError (writing TypeScript needs Node).
   */
  readonly source: string;
  /** Peak bytes of intermediates (the arena). */
  readonly peakBytes: number;
  /** Kernel calls per run (the TS backend's kernel launches). */
  readonly kernels: number;
  /** wasm: the program (binaries, layout, which nodes run in wasm) and the SIMD level in use. */
  readonly wasm?: { readonly program: WasmProgram; readonly simd: 'relaxed' | 'plain' };
  /** The instantiated module's model itself: typed arrays in and out, no conversions. */
  readonly module: GeneratedModel;
  /** Runs on opgraph Tensors by name (checked), returning Tensors by output name. */
  run(inputs: NamedTensors): Record<string, Tensor>;
  /** Releases what the model holds beyond memory (wasm: its worker threads). */
  dispose(): void;
}

/** The Model class of a generated module, as instantiated in-process. */
export interface GeneratedModel {
  run(inputs: Readonly<Record<string, TensorData>>): Record<string, TensorData>;
  /** The live array of a weight in the model's memory (model state, such as a KV cache, between runs). */
  weight(name: string): TensorData;
  /** wasm loaders only: stops the worker threads. */
  dispose?(): void;
}

/** What a generated module exports, as the runtime uses it. */
interface ModuleExports {
  create(weights: Record<string, TensorData>, options?: { simd?: 'relaxed' | 'plain'; threads?: number; observer?: CompileOptions['observe'] }): GeneratedModel | Promise<GeneratedModel & { simd: 'relaxed' | 'plain' }>;
}

interface CacheEntry {
  /** The generated source, written when first asked for where the module was not evaluated from it. */
  readonly source: () => string;
  readonly exports: ModuleExports;
  readonly peakBytes: number;
  readonly kernels: number;
  readonly program?: WasmProgram;
  readonly use: MemoryUse;
}

/** Instantiated modules by the hash of their optimised graph and options. */
const cache = new Map<string, CacheEntry>();

/**
 * Whether this host can write and evaluate generated TypeScript (Node: ts-morph, a require for the
 * worker pool). Elsewhere (a browser, a worker) the wasm target runs its binary directly.
 */
const writesSource = (): boolean => nodeModule('node:module') !== undefined;

/** Generates and instantiates the module of `g` for a target. */
async function generate(g: Graph, target: 'ts' | 'wasm', level: OptLevel, threads: number, observe: boolean): Promise<CacheEntry> {
  // The source emitters load only where source can be written (they stay out of a page's bundle).
  const emitters = target === 'ts' || writesSource() ? await sourceEmitters() : undefined;
  if (target === 'ts') {
    const mod = emitters!.generateTs(g, { simple: level === 0, observe });
    return { source: () => mod.source, exports: instantiate(mod.source), peakBytes: mod.plan.arenaBytes, kernels: kernelCalls(g, mod.plan), use: memoryUse(mod.plan) };
  }
  const program = generateWasmProgram(g, { simple: level === 0, threads, observe, ...(emitters ? { emitLoader: emitters.emitLoader } : {}) });
  const prepared = [...program.layout.prepared.values()].reduce((n, p) => n + p.bytes, 0);
  const use = memoryUse(program.plan, TYPED_ARRAY_LAYOUT, prepared);
  const exports: ModuleExports = writesSource() ? instantiate(program.loader) : directExports(g, program, threads, observe);
  return { source: () => program.loader, exports, peakBytes: program.plan.arenaBytes, kernels: kernelCalls(g, program.plan), program, use };
}

/** The wasm binary run directly (src/runtime/wasm-direct.ts): one thread, no observer. */
function directExports(g: Graph, program: WasmProgram, threads: number, observe: boolean): ModuleExports {
  if (threads > 1 || observe) throw new OpgraphError(`${threads > 1 ? 'threads' : 'check mode'} on the wasm target need Node (its generated loader); in a page, compile with one thread`);
  return { create: (weights, o) => instantiateWasmDirect(g, program, weights, o?.simd ? { simd: o.simd } : {}) };
}

/** Compiles `graph` for `opts.target` and instantiates it in this process (cached by graph hash). */
export async function compile(graph: Graph, opts: CompileOptions = {}): Promise<CompiledModel> {
  const asked = opts.target ?? 'auto';
  if (asked !== 'ts' && asked !== 'wasm' && asked !== 'auto') throw new OpgraphError(`unknown compile target ${JSON.stringify(asked)} (available: auto, ts, wasm)`);
  const level = opts.level ?? 2;
  const g = optimise(graph, opts);
  // Auto picks wasm where no TS source can be written: the binary runs directly there.
  const target = asked === 'auto' ? (writesSource() ? cpuTarget(g, opts) : 'wasm') : asked;
  if (target !== 'wasm' && (opts.threads ?? 1) > 1) throw new OpgraphError(`threads need the wasm target (got ${opts.threads} on ${target})`);
  const threads = Math.max(1, Math.floor(opts.threads ?? 1));
  const resolved = resolveWeights(g, opts.weights, opts);
  // Large constants reach the module as weights, not as literals in its source.
  const code = constantsAsWeights(g);
  const key = `${graphHash(code)}|${target}|${level}|${threads}|${opts.observe ? 'observed' : ''}`;
  let entry = cache.get(key);
  if (!entry) {
    entry = await generate(code, target, level, threads, opts.observe !== undefined);
    cache.set(key, entry);
  }
  // The plan knows every buffer: refuse the graph before the module allocates any of them.
  checkMemoryBudget(entry.use, resolveMaxMemory(opts.maxMemoryBytes), `graph ${JSON.stringify(g.name)} on ${opts.target}`);
  const weights = Object.fromEntries(code.weights.map((w) => [w.name, (resolved.get(w.name) ?? w.data!).data])) as Record<string, TensorData>;
  if (entry.program && opts.simd !== 'plain') enableRelaxedSimd();
  const model = await entry.exports.create(weights, { ...(opts.simd ? { simd: opts.simd } : {}), threads, ...(opts.observe ? { observer: opts.observe } : {}) });
  const { peakBytes, kernels } = entry;
  const source = entry.source;
  const wasm = entry.program ? { program: entry.program, simd: (model as { simd: 'relaxed' | 'plain' }).simd } : undefined;
  const types = valueTypes(g);
  const outTypes = g.outputs.map((o) => types.get(o.id)!);
  return {
    target,
    graph: g,
    get source() {
      return source();
    },
    peakBytes,
    kernels,
    ...(wasm ? { wasm } : {}),
    module: model,
    dispose: () => model.dispose?.(),
    run(inputs) {
      const arrays = checkInputs(g, inputs);
      const out = runModule(model, arrays, entry.program);
      return Object.fromEntries(g.outputs.map((o, i) => [o.name, tensor(outTypes[i]!.dtype, outTypes[i]!.shape, out[o.name]!)]));
    },
  };
}

/**
 * Runs a generated module. Its data-dependent checks (a gather index out of range) throw
 * RangeError, the standalone module's contract; in process they become the interpreter's IndexError.
 */
function runModule(model: GeneratedModel, arrays: Record<string, TensorData>, program?: WasmProgram): Record<string, TensorData> {
  try {
    return model.run(arrays);
  } catch (e) {
    if (e instanceof RangeError) throw new IndexError(e.message, { cause: e });
    if (program && e instanceof WebAssembly.RuntimeError) throw trapError(e, program);
    throw e;
  }
}

/**
 * A wasm trap as an internal error naming the kernel and its node: every address and size is a
 * literal checked at compile time, so a trap is a bug in a kernel family, never bad input.
 */
function trapError(e: WebAssembly.RuntimeError, program: WasmProgram): InternalCompilerError {
  const index = Number(/wasm-function\[(\d+)\]/.exec(e.stack ?? '')?.[1] ?? -1);
  const k = [...program.kernels.values()].find((x) => x.functionIndex === index);
  const where = k ? { node: `${describeNode(k.node.op, k.node.outputs[0]?.id, k.node.label)}, wasm kernel ${k.kernel} (${k.family})` } : {};
  return new InternalCompilerError(`a wasm kernel trapped: ${e.message}`, where, { cause: e });
}

/** Transpiles generated TS to CommonJS and evaluates it. */
function instantiate(source: string): ModuleExports {
  const js = tsMorph().ts.transpileModule(source, {
    compilerOptions: { module: tsMorph().ts.ModuleKind.CommonJS, target: tsMorph().ts.ScriptTarget.ES2022 },
  }).outputText;
  const exports: Record<string, unknown> = {};
  // A wasm loader's worker pool imports node:worker_threads, which CommonJS output requires.
  new Function('exports', 'require', js)(exports, nodeModule('node:module')?.createRequire(import.meta.url));
  return exports as unknown as ModuleExports;
}

function checkInputs(g: Graph, inputs: NamedTensors): Record<string, TensorData> {
  const arrays: Record<string, TensorData> = Object.create(null) as Record<string, TensorData>;
  const get = (n: string): Tensor | undefined => (inputs instanceof Map ? inputs.get(n) : (inputs as Record<string, Tensor>)[n]);
  for (const i of g.inputs) {
    const t = get(i.name);
    if (!t) throw new BindingError(`missing input ${JSON.stringify(i.name)}: ${formatType(i.type)}`);
    if (!sameType(t, i.type)) throw new BindingError(`input ${JSON.stringify(i.name)} is ${formatType(t)}, the graph expects ${formatType(i.type)}`);
    arrays[i.name] = t.data;
  }
  return arrays;
}

/** The graph after the level's pipeline (only shape inference when it is `optimized` already). */
function optimise(graph: Graph, opts: Omit<CompileOptions, 'target'>): Graph {
  return runPipeline(graph, PIPELINES[opts.optimized ? 0 : opts.level ?? 2], { verify: opts.verify ?? false }).graph;
}

/** A model compiled to WGSL and instantiated on a WebGPU device. `run` is asynchronous (readback). */
export interface GpuCompiledModel {
  readonly graph: Graph;
  readonly program: WgslProgram;
  /** The adapter that runs it, as it describes itself. */
  readonly adapter: string;
  run(inputs: NamedTensors): Promise<Record<string, Tensor>>;
  /** Copies the named weights (model state such as a KV cache) from another model on the same device, on the GPU. */
  copyWeightsFrom(other: GpuCompiledModel, names: readonly string[]): void;
  /** Frees the model's GPU memory. */
  destroy(): void;
}

/** The WebGPU model behind each GpuCompiledModel (for copies between two of them). */
const gpuModels = new WeakMap<GpuCompiledModel, WebGpuModel>();

/** Compiles `graph` to WGSL and creates it on the shared WebGPU device (NoAdapterError without one). */
export async function compileWgsl(graph: Graph, opts: Omit<CompileOptions, 'target'> = {}): Promise<GpuCompiledModel> {
  const g = optimise(graph, opts);
  // Resolved here, with the strictness asked for (before any GPU work); the model gets every weight.
  const weights = resolveWeights(g, opts.weights, opts);
  const program = generateWgsl(g);
  checkMemoryBudget(memoryUse(program.plan, WGSL_LAYOUT), resolveMaxMemory(opts.maxMemoryBytes), `graph ${JSON.stringify(g.name)} on wgsl`);
  const gpu = await requestGpu();
  const model = await WebGpuModel.create(gpu, g, program, weights);
  const compiled: GpuCompiledModel = {
    graph: g,
    program,
    adapter: gpu.adapter,
    run: (inputs) => model.run(inputs),
    copyWeightsFrom: (other, names) => model.copyWeightsFrom(gpuModels.get(other)!, names),
    destroy: () => model.destroy(),
  };
  gpuModels.set(compiled, model);
  return compiled;
}
