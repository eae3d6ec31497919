// Binding run-time tensors to a graph's inputs and weights, with one clear error per mismatch.
import { BindingError } from '../errors.ts';
import type { Graph, ValueId } from '../ir/graph.ts';
import type { Tensor } from '../ir/tensor.ts';
import { formatType, sameType } from '../ir/types.ts';

/** Tensors by name: a plain record or a Map (as returned by the safetensors reader). */
export type NamedTensors = ReadonlyMap<string, Tensor> | Readonly<Record<string, Tensor>>;

function lookup(named: NamedTensors | undefined, name: string): Tensor | undefined {
  if (!named) return undefined;
  if (named instanceof Map) return named.get(name);
  const rec = named as Readonly<Record<string, Tensor>>;
  return Object.prototype.hasOwnProperty.call(rec, name) ? rec[name] : undefined;
}

function names(named: NamedTensors): string[] {
  return named instanceof Map ? [...named.keys()] : Object.keys(named);
}

/** Options for binding. */
export interface BindOptions {
  /** Ignore provided inputs that the graph does not have (the CLI's rule); otherwise they are an error. */
  readonly ignoreExtraInputs?: boolean;
}

/**
 * Values for every graph input and weight, by value id. Inputs must all be given with the exact
 * type; weights come from `weights` when named there, else from the graph's own data.
 */
export function bindValues(g: Graph, inputs: NamedTensors, weights?: NamedTensors, opts: BindOptions = {}): Map<ValueId, Tensor> {
  const env = new Map<ValueId, Tensor>();
  if (!opts.ignoreExtraInputs) {
    const known = new Set(g.inputs.map((i) => i.name));
    const extra = names(inputs).filter((n) => !known.has(n));
    if (extra.length > 0) {
      throw new BindingError(`graph ${JSON.stringify(g.name)} has no input ${JSON.stringify(extra[0])} (inputs: ${g.inputs.map((i) => i.name).join(', ')})`);
    }
  }
  for (const i of g.inputs) {
    const t = lookup(inputs, i.name);
    if (!t) throw new BindingError(`missing input ${JSON.stringify(i.name)}: ${formatType(i.type)}`);
    if (!sameType(t, i.type)) throw new BindingError(`input ${JSON.stringify(i.name)} is ${formatType(t)}, the graph expects ${formatType(i.type)}`);
    env.set(i.id, t);
  }
  for (const w of g.weights) {
    const t = lookup(weights, w.name) ?? w.data;
    if (!t) throw new BindingError(`missing weight ${JSON.stringify(w.name)}: ${formatType(w.type)} (give it in a weights file)`);
    if (!sameType(t, w.type)) throw new BindingError(`weight ${JSON.stringify(w.name)} is ${formatType(t)}, the graph expects ${formatType(w.type)}`);
    env.set(w.id, t);
  }
  return env;
}
