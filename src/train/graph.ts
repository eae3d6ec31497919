// The training graph: a model's forward pass, its backward pass (src/autodiff) and one optimizer
// step, as one ordinary graph. Parameters and optimizer state are its inputs and their updated
// values its outputs, so a step is one run and the caller keeps the state between runs.
import { appendBackward, replay } from '../autodiff/index.ts';
import { OpgraphError } from '../errors.ts';
import { IRBuilder } from '../ir/builder.ts';
import type { Graph, ValueId } from '../ir/graph.ts';
import { type TensorType, formatType, tensorType } from '../ir/types.ts';
import { GradEmitter } from '../ops/gradient.ts';
import type { Optimizer } from './optimizers.ts';

/** Prefix of the outputs holding the state after the step. */
export const NEXT = 'next:';
/** The state entry counting the steps taken (PyTorch's `step`). */
export const STEP = 'optimizer.step';

/** Name of a parameter's optimizer state slot, e.g. `optimizer.rnn.weight_ih_l0.exp_avg`. */
export const slotName = (param: string, slot: string): string => `optimizer.${param}.${slot}`;

/** What the training graph needs beside the model. */
export interface TrainingSpec {
  /** The model output holding the scalar loss. */
  readonly loss: string;
  readonly optimizer: Optimizer;
  /** Weights to train, by name (default: every f32 weight). */
  readonly parameters?: readonly string[];
}

/** The training graph and the state it threads: each name with its type (inputs named so, outputs `next:NAME`). */
export interface TrainingGraph {
  readonly graph: Graph;
  readonly parameters: readonly string[];
  /** Every state entry (parameters, optimizer slots, step) with its type, in input order. */
  readonly state: ReadonlyMap<string, TensorType>;
  /** The model's own inputs (the batch). */
  readonly batch: readonly string[];
}

/** Builds the training graph of `model`: forward, backward from `spec.loss`, one optimizer step. */
export function trainingGraph(model: Graph, spec: TrainingSpec): TrainingGraph {
  const names = spec.parameters ?? model.weights.filter((w) => w.type.dtype === 'f32').map((w) => w.name);
  const trainable = new Set(names);
  for (const n of names) if (!model.weights.some((w) => w.name === n)) throw new OpgraphError(`model ${JSON.stringify(model.name)} has no weight ${JSON.stringify(n)} to train`);
  const lossOut = model.outputs.find((o) => o.name === spec.loss);
  if (!lossOut) throw new OpgraphError(`model ${JSON.stringify(model.name)} has no output ${JSON.stringify(spec.loss)} to use as the loss`);
  const b = new IRBuilder(`${model.name}.train`);
  const state = new Map<string, TensorType>();
  const declare = (name: string, type: TensorType): ValueId => {
    if (model.inputs.some((i) => i.name === name)) throw new OpgraphError(`model input ${JSON.stringify(name)} clashes with a training state name`);
    state.set(name, type);
    return b.input(name, type).id;
  };
  const params = new Map<string, ValueId>();
  const { ids, nodes } = replay(b, model, (v, isWeight) => {
    if (!isWeight) return b.input(v.name, v.type).id;
    if (!trainable.has(v.name)) return b.weight(v.name, v.type, 'data' in v ? v.data : undefined).id;
    if (v.type.dtype !== 'f32') throw new OpgraphError(`parameter ${JSON.stringify(v.name)} is ${formatType(v.type)}; only f32 weights train`);
    const id = declare(v.name, v.type);
    params.set(v.name, id);
    return id;
  });
  const slots = names.map((n) => spec.optimizer.slots.map((s) => declare(slotName(n, s), model.weights.find((w) => w.name === n)!.type)));
  const stepsTaken = declare(STEP, tensorType('f32', []));
  const grads = appendBackward(b, nodes, ids.get(lossOut.id)!, names.map((n) => params.get(n)!));
  const d = new GradEmitter({ type: (v) => b.typeOf(v), emit: (op, attrs, inputs) => b.node(op, attrs, inputs, `${spec.optimizer.name} step`).map((v) => v.id) });
  const step = d.add(stepsTaken, d.scalar(1));
  for (const o of model.outputs) b.output(o.name, ids.get(o.id)!);
  names.forEach((n, i) => {
    const { param, state: next } = spec.optimizer.update(d, { param: params.get(n)!, grad: grads.get(params.get(n)!)!, state: slots[i]!, step });
    b.output(`${NEXT}${n}`, param);
    spec.optimizer.slots.forEach((s, k) => b.output(`${NEXT}${slotName(n, s)}`, next[k]!));
  });
  b.output(`${NEXT}${STEP}`, step);
  return { graph: b.finish(), parameters: names, state, batch: model.inputs.map((i) => i.name) };
}
