// The session API, like onnxruntime's InferenceSession: load an ONNX model (bytes or a path) or a
// graph once, read its inputs' and outputs' names, dtypes and shapes, run it on typed arrays or
// Tensors. The same steps as `opgraph run`: import, the -O2 pipeline, then the backend.
import { PIPELINES, runPipeline } from '../passes/pipeline.ts';
import { BindingError, OpgraphError } from './errors.ts';
import { type Graph, valueTypes } from './ir/graph.ts';
import { type Tensor, type TensorData, tensor } from './ir/tensor.ts';
import { type DType, type Shape, formatType, numel } from './ir/types.ts';
import { type OnnxImportOptions, importOnnx, loadOnnx } from './io/onnx/import.ts';
import { parseSafetensors } from './io/safetensors.ts';
import type { NamedTensors } from './runtime/bind.ts';
import { interpret } from './runtime/interpreter.ts';

/** Where a session runs: the CPU backends, the reference interpreter, or WebGPU. */
export type SessionTarget = 'auto' | 'interp' | 'ts' | 'wasm' | 'wgsl';

/** Options of load(). */
export interface SessionOptions extends Pick<OnnxImportOptions, 'shapes' | 'dims' | 'constants' | 'limits'> {
  /** The backend (default 'auto': the fastest CPU target, as `opgraph run` picks it). */
  readonly target?: SessionTarget;
  /** Weights by name, or a safetensors file as bytes or (Node) a path; default: the model's own. */
  readonly weights?: NamedTensors | Uint8Array | string;
  /** Weights must name every graph weight and nothing else (default true). */
  readonly strict?: boolean;
  /** wasm: worker threads (default 1). */
  readonly threads?: number;
}

/** A graph input's or output's name, dtype and shape. */
export interface TensorInfo {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: Shape;
}

/** A feed: a Tensor, or a typed array of the input's dtype holding its shape's elements. */
export type Feed = Tensor | TensorData;

/** A loaded model, ready to run. */
export interface Session {
  /** The backend in use (what 'auto' chose). */
  readonly target: Exclude<SessionTarget, 'auto'>;
  readonly inputs: readonly TensorInfo[];
  readonly outputs: readonly TensorInfo[];
  /** The graph after the pipeline. */
  readonly graph: Graph;
  /** Runs on feeds by input name; resolves to Tensors by output name. */
  run(feeds: Readonly<Record<string, Feed>>): Promise<Record<string, Tensor>>;
  /** Frees what the backend holds (wasm workers, GPU memory); runs after it are errors. */
  dispose(): void;
}

/** Loads an ONNX model (bytes, or a path in Node) or a graph, and prepares it for `opts.target`. */
export async function load(model: Uint8Array | string | Graph, opts: SessionOptions = {}): Promise<Session> {
  const importOpts = { ...pick(opts, ['shapes', 'dims', 'constants', 'limits']) };
  const imported = typeof model === 'string' ? await loadOnnx(model, importOpts) : model instanceof Uint8Array ? importOnnx(model, importOpts) : model;
  const g = runPipeline(imported, PIPELINES[2], { verify: false }).graph;
  const weights = await weightsOf(opts.weights);
  const base = { optimized: true as const, ...(weights ? { weights } : {}), ...(opts.strict !== undefined ? { strict: opts.strict } : {}) };
  const info = (xs: readonly { name: string; type: { dtype: DType; shape: Shape } }[]): TensorInfo[] => xs.map((x) => ({ name: x.name, dtype: x.type.dtype, shape: x.type.shape }));
  const inputs = info(g.inputs);
  const types = valueTypes(g);
  const outputs = g.outputs.map((o) => ({ name: o.name, dtype: types.get(o.id)!.dtype, shape: types.get(o.id)!.shape }));
  const { target, runner, release } = await backendFor(g, opts, base);
  let disposed = false;
  return {
    target, inputs, outputs, graph: g,
    async run(feeds) {
      if (disposed) throw new OpgraphError('session.run after dispose()');
      return runner(toTensors(inputs, feeds));
    },
    dispose() {
      if (!disposed) release();
      disposed = true;
    },
  };
}

/** What runs a session: the target in use, a run on checked Tensors, and what dispose() frees. */
interface Backend {
  readonly target: Session['target'];
  readonly runner: (feeds: Map<string, Tensor>) => Promise<Record<string, Tensor>>;
  readonly release: () => void;
}

/** The backend `opts.target` asks for, over the optimised graph. */
async function backendFor(g: Graph, opts: SessionOptions, base: { optimized: true; weights?: NamedTensors; strict?: boolean }): Promise<Backend> {
  if (opts.target === 'interp') return { target: 'interp', runner: async (f) => interpret(g, f, base), release: () => {} };
  // The compiler (ts-morph on the CPU targets) loads here, not with the entry.
  const { compile, compileWgsl } = await import('./compile.ts');
  if (opts.target === 'wgsl') {
    const m = await compileWgsl(g, base);
    return { target: 'wgsl', runner: (f) => m.run(f), release: () => m.destroy() };
  }
  const m = await compile(g, { ...base, target: opts.target ?? 'auto', ...(opts.threads ? { threads: opts.threads } : {}) });
  return { target: m.target, runner: async (f) => m.run(f), release: () => m.dispose() };
}

function pick<T extends object, K extends keyof T>(o: T, keys: readonly K[]): Partial<Pick<T, K>> {
  return Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]])) as Partial<Pick<T, K>>;
}

/** Weights from the option: as given, parsed from bytes, or read from a path (Node, loaded lazily). */
async function weightsOf(w: SessionOptions['weights']): Promise<NamedTensors | undefined> {
  if (w === undefined) return undefined;
  if (w instanceof Uint8Array) return parseSafetensors(w, 'weights');
  if (typeof w === 'string') return (await import('./io/safetensors-file.ts')).readSafetensors(w);
  return w;
}

const ARRAY_OF: Readonly<Record<DType, new (n: number) => TensorData>> = { f32: Float32Array, i32: Int32Array, i64: BigInt64Array, bool: Uint8Array };

/** Feeds as Tensors of the inputs' types; a missing, unknown or mis-typed feed is a BindingError naming it. */
function toTensors(inputs: readonly TensorInfo[], feeds: Readonly<Record<string, Feed>>): Map<string, Tensor> {
  const out = new Map<string, Tensor>();
  for (const name of Object.keys(feeds)) {
    if (!inputs.some((i) => i.name === name)) throw new BindingError(`session.run: no input named ${JSON.stringify(name)} (inputs: ${inputs.map((i) => i.name).join(', ')})`);
  }
  for (const i of inputs) {
    const f = feeds[i.name];
    const want = formatType(i);
    if (f === undefined) throw new BindingError(`session.run: missing input ${JSON.stringify(i.name)}: ${want}`);
    if (!ArrayBuffer.isView(f)) {
      out.set(i.name, f);
      continue;
    }
    if (!(f instanceof ARRAY_OF[i.dtype])) throw new BindingError(`session.run: input ${JSON.stringify(i.name)} is a ${f.constructor.name}, ${want} needs a ${ARRAY_OF[i.dtype].name}`);
    if (f.length !== numel(i.shape)) throw new BindingError(`session.run: input ${JSON.stringify(i.name)} has ${f.length} elements, ${want} has ${numel(i.shape)}`);
    out.set(i.name, tensor(i.dtype, i.shape, f));
  }
  return out;
}
