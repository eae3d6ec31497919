// Binding run-time tensors to a graph's inputs and weights, with one clear error per mismatch.
// Given weights are strict by default, like PyTorch's load_state_dict(strict=True).
import { BindingError } from '../errors.ts';
import type { Graph, ValueId } from '../ir/graph.ts';
import type { Tensor } from '../ir/tensor.ts';
import { formatType, sameType } from '../ir/types.ts';
import { type WeightMatch, describeMismatch, matchWeightNames } from './weight-names.ts';

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
  /**
   * When weights are given, they must name every graph weight and nothing else (default true),
   * like PyTorch's load_state_dict(strict=True). false loads a partial set: names the graph does
   * not have are ignored, and weights not given keep the graph's own data.
   */
  readonly strict?: boolean;
}

/** How the names in `weights` relate to `g`'s weights (unknown and missing names). */
export function matchWeights(g: Graph, weights: NamedTensors): WeightMatch {
  return matchWeightNames(g.weights.map((w) => w.name), names(weights));
}

/**
 * The value of every graph weight, by name: from `weights` when named there, else the graph's
 * own data. Strict (the default) rejects given weights whose names do not match the graph's
 * exactly, in one error listing the unknown names (each with the closest weight name) and the
 * missing ones. A weight with no value either way, and one of the wrong type, are errors too.
 */
export function resolveWeights(g: Graph, weights?: NamedTensors, opts: BindOptions = {}): Map<string, Tensor> {
  if (weights && opts.strict !== false) {
    const m = matchWeights(g, weights);
    if (m.unknown.length > 0 || m.missing.length > 0) {
      throw new BindingError(`weights do not match graph ${JSON.stringify(g.name)}: ${describeMismatch(m, g.weights.map((w) => w.name))} (strict: false loads a partial set)`);
    }
  }
  const resolved = new Map<string, Tensor>();
  for (const w of g.weights) {
    const t = lookup(weights, w.name) ?? w.data;
    if (!t) throw new BindingError(`missing weight ${JSON.stringify(w.name)}: ${formatType(w.type)} (give it in a weights file)`);
    if (!sameType(t, w.type)) throw new BindingError(`weight ${JSON.stringify(w.name)} is ${formatType(t)}, the graph expects ${formatType(w.type)}`);
    resolved.set(w.name, t);
  }
  return resolved;
}

/**
 * Values for every graph input and weight, by value id. Inputs must all be given with the exact
 * type; weights as resolveWeights finds them.
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
  const resolved = resolveWeights(g, weights, opts);
  for (const w of g.weights) env.set(w.id, resolved.get(w.name)!);
  return env;
}
