// compileTraining: a model plus a loss output and an optimizer, compiled once for a backend into
// a trainer whose step() runs forward, backward and update in one call of the training graph.
// The trainer holds the state (parameters, optimizer slots, step count) between steps and
// reads and writes it as safetensors, so a saved run continues exactly where it stopped.
import type { OptLevel } from '../../passes/pipeline.ts';
import { compile, compileWgsl } from '../compile.ts';
import { BindingError, OpgraphError } from '../errors.ts';
import type { Graph } from '../ir/graph.ts';
import { type Tensor, tensor } from '../ir/tensor.ts';
import { type TensorType, formatType, sameType } from '../ir/types.ts';
import { readSafetensorsContents, writeSafetensors } from '../io/safetensors-file.ts';
import type { NamedTensors } from '../runtime/bind.ts';
import { interpret } from '../runtime/interpreter.ts';
import { describeMismatch, matchWeightNames } from '../runtime/weight-names.ts';
import { NEXT, type TrainingGraph, type TrainingSpec, trainingGraph } from './graph.ts';

/** Options of compileTraining. */
export interface TrainingOptions extends TrainingSpec {
  /** The backend running each step ('interp' is the reference interpreter). */
  readonly target: 'ts' | 'wasm' | 'wgsl' | 'interp';
  /** Optimisation level of the training graph (default 2). */
  readonly level?: OptLevel;
}

/** A compiled training loop. */
export interface Trainer {
  /** The training graph (forward, backward and update), before passes. */
  readonly training: TrainingGraph;
  /** One step on `batch` (the model's inputs by name); resolves to the loss before the update. */
  step(batch: NamedTensors): Promise<number>;
  /** The model's outputs of the last step, computed before its update (as PyTorch's loop sees them). */
  readonly outputs: Readonly<Record<string, Tensor>>;
  /** The parameters by name (PyTorch state_dict keys). */
  parameters(): Map<string, Tensor>;
  /** Everything a step reads: parameters, optimizer state (`optimizer.NAME.SLOT`) and `optimizer.step`. */
  state(): Map<string, Tensor>;
  /** Replaces the given state entries (e.g. a PyTorch state_dict: parameters only). Unknown names are an error. */
  load(entries: NamedTensors): void;
  /** Writes the state as safetensors, atomically. */
  save(path: string): Promise<void>;
  /** Loads a file written by save() (or any safetensors of state entries). */
  restore(path: string): Promise<void>;
  /** Frees backend resources (the GPU buffers of a WGSL trainer). */
  destroy(): void;
}

type Runner = { run(inputs: NamedTensors): Promise<Record<string, Tensor>>; destroy(): void };

async function runnerFor(g: Graph, opts: TrainingOptions): Promise<Runner> {
  const level = opts.level ?? 2;
  if (opts.target === 'interp') return { run: async (inputs) => interpret(g, inputs), destroy: () => undefined };
  if (opts.target === 'ts' || opts.target === 'wasm') {
    const model = await compile(g, { target: opts.target, level });
    return { run: async (inputs) => model.run(inputs), destroy: () => model.dispose() };
  }
  if (opts.target === 'wgsl') {
    const model = await compileWgsl(g, { level });
    return { run: (inputs) => model.run(inputs), destroy: () => model.destroy() };
  }
  throw new OpgraphError(`unknown training target ${JSON.stringify(opts.target)} (ts, wasm, wgsl or interp)`);
}

/** The starting state: parameters from the model's weight data, optimizer slots and step at zero. */
function initialState(model: Graph, t: TrainingGraph): Map<string, Tensor> {
  const state = new Map<string, Tensor>();
  for (const [name, type] of t.state) {
    const w = model.weights.find((v) => v.name === name);
    state.set(name, w?.data ?? tensor(type.dtype, type.shape));
  }
  return state;
}

/**
 * Compiles the training loop of `model`: `opts.loss` names the model output holding the scalar
 * loss; every f32 weight trains unless `opts.parameters` says otherwise. Parameters start from
 * the weights' values (load() replaces them, e.g. with PyTorch's initial state_dict).
 */
export async function compileTraining(model: Graph, opts: TrainingOptions): Promise<Trainer> {
  const training = trainingGraph(model, opts);
  const runner = await runnerFor(training.graph, opts);
  const state = initialState(model, training);
  let outputs: Record<string, Tensor> = {};
  const metadata = { format: 'opgraph-training/1', optimizer: opts.optimizer.name, options: JSON.stringify(opts.optimizer.options) };
  const trainer: Trainer = {
    training,
    get outputs() {
      return outputs;
    },
    async step(batch) {
      const get = (n: string): Tensor | undefined => (batch instanceof Map ? batch.get(n) : (batch as Record<string, Tensor>)[n]);
      const inputs = new Map(state);
      for (const n of training.batch) {
        const t = get(n);
        if (!t) throw new BindingError(`training batch lacks model input ${JSON.stringify(n)}`);
        inputs.set(n, t);
      }
      const out = await runner.run(inputs);
      for (const name of training.state.keys()) state.set(name, out[`${NEXT}${name}`]!);
      outputs = Object.fromEntries(model.outputs.map((o) => [o.name, out[o.name]!]));
      return outputs[opts.loss]!.data[0] as number;
    },
    parameters: () => new Map(training.parameters.map((n) => [n, state.get(n)!])),
    state: () => new Map(state),
    load(entries) {
      const list = entries instanceof Map ? [...entries] : Object.entries(entries);
      const expected = [...training.state.keys()];
      const { unknown } = matchWeightNames(expected, list.map(([name]) => name));
      if (unknown.length > 0) throw new BindingError(`not parameters or optimizer state entries of this trainer: ${describeMismatch({ unknown, missing: [] }, expected)}`);
      for (const [name, t] of list) checkEntry(training.state, name, t);
      for (const [name, t] of list) state.set(name, t);
    },
    save: (path) => writeSafetensors(path, state, metadata),
    async restore(path) {
      trainer.load((await readSafetensorsContents(path)).tensors);
    },
    destroy: () => runner.destroy(),
  };
  return trainer;
}

function checkEntry(types: ReadonlyMap<string, TensorType>, name: string, t: Tensor): void {
  const want = types.get(name);
  if (!want) throw new BindingError(`${JSON.stringify(name)} is not a parameter or optimizer state entry of this trainer`);
  if (!sameType(want, t)) throw new BindingError(`state entry ${JSON.stringify(name)} is ${formatType(t)}, expected ${formatType(want)}`);
}
