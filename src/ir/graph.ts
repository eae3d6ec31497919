// The IR: an immutable SSA graph — named inputs, named weights, nodes in topological order, named outputs.
import type { OpAttrs, OpKind } from '../ops/attrs.ts';
import type { Tensor } from './tensor.ts';
import type { TensorType } from './types.ts';

/** SSA value identifier, unique within one graph. */
export type ValueId = number;

/** An SSA value: defined exactly once, by a graph input, a weight, or a node output. */
export interface Value {
  readonly id: ValueId;
  readonly type: TensorType;
}

/** A graph input, bound by name at run time. */
export interface Input extends Value {
  readonly name: string;
}

/** A named parameter (initializer). `data` is its default value, if the graph carries one. */
export interface Weight extends Value {
  readonly name: string;
  readonly data?: Tensor;
}

/** A node of one op kind, with that kind's typed attributes. */
export interface NodeOf<K extends OpKind> {
  readonly op: K;
  readonly attrs: OpAttrs[K];
  readonly inputs: readonly ValueId[];
  readonly outputs: readonly Value[];
  /** Where the node came from (layer path, ONNX node name): shown in errors and drawings, never in code. */
  readonly label?: string;
}

/** Any node: a union over op kinds, so `switch (node.op)` narrows `attrs`. */
export type Node = { [K in OpKind]: NodeOf<K> }[OpKind];

/** A named graph output. */
export interface Output {
  readonly name: string;
  readonly id: ValueId;
}

/** The graph. Immutable: passes return a new graph (or the same object when nothing changed). */
export interface Graph {
  readonly name: string;
  readonly inputs: readonly Input[];
  readonly weights: readonly Weight[];
  readonly nodes: readonly Node[];
  readonly outputs: readonly Output[];
}

/** Deep-freezes the graph's structure (not tensor data) so no pass can mutate it in place. */
export function freezeGraph(g: Graph): Graph {
  for (const n of g.nodes) {
    for (const o of n.outputs) Object.freeze(o);
    Object.freeze(n.outputs);
    Object.freeze(n.inputs);
    for (const v of Object.values(n.attrs)) if (Array.isArray(v)) Object.freeze(v);
    Object.freeze(n.attrs);
    Object.freeze(n);
  }
  for (const v of [...g.inputs, ...g.weights, ...g.outputs]) Object.freeze(v);
  Object.freeze(g.inputs);
  Object.freeze(g.weights);
  Object.freeze(g.nodes);
  Object.freeze(g.outputs);
  return Object.freeze(g);
}

/** The type of every value in the graph. */
export function valueTypes(g: Graph): Map<ValueId, TensorType> {
  const types = new Map<ValueId, TensorType>();
  for (const v of g.inputs) types.set(v.id, v.type);
  for (const w of g.weights) types.set(w.id, w.type);
  for (const n of g.nodes) for (const o of n.outputs) types.set(o.id, o.type);
  return types;
}

/** For each value, the nodes (by index) that read it. */
export function usersOf(g: Graph): Map<ValueId, number[]> {
  const users = new Map<ValueId, number[]>();
  g.nodes.forEach((n, i) => {
    for (const v of n.inputs) {
      const list = users.get(v);
      if (list) list.push(i);
      else users.set(v, [i]);
    }
  });
  return users;
}

/** For each node output, the index of the node defining it. */
export function producersOf(g: Graph): Map<ValueId, number> {
  const prod = new Map<ValueId, number>();
  g.nodes.forEach((n, i) => n.outputs.forEach((o) => prod.set(o.id, i)));
  return prod;
}

/** One past the largest value id used (a fresh id for rewrites). */
export function nextValueId(g: Graph): ValueId {
  let max = -1;
  for (const v of [...g.inputs, ...g.weights]) max = Math.max(max, v.id);
  for (const n of g.nodes) for (const o of n.outputs) max = Math.max(max, o.id);
  return max + 1;
}

/**
 * For each of `nodes` (in topological order, by index), whether one of the values `outputs`
 * depends on it; `idBound` is above every value id (live values are marked in a byte each).
 */
export function liveMask(nodes: readonly Node[], outputs: readonly { readonly id: ValueId }[], idBound: number): boolean[] {
  const live = new Uint8Array(idBound);
  for (const o of outputs) live[o.id] = 1;
  const keep = new Array<boolean>(nodes.length).fill(false);
  for (let i = nodes.length - 1; i >= 0; i--) {
    const n = nodes[i]!;
    if (!n.outputs.some((o) => live[o.id] === 1)) continue;
    keep[i] = true;
    for (const v of n.inputs) live[v] = 1;
  }
  return keep;
}

/** For each node (by index), whether some graph output depends on it. */
export function liveNodeMask(g: Graph): boolean[] {
  return liveMask(g.nodes, g.outputs, nextValueId(g));
}

/**
 * Values known when the model is created: weights, constants, and the outputs of every node
 * (views included) whose inputs are all known then. Static nodes run once, at create.
 */
export function staticValueIds(g: Graph): Set<ValueId> {
  const known = new Set<ValueId>(g.weights.map((w) => w.id));
  for (const n of g.nodes) {
    if (n.op === 'constant' || n.inputs.every((v) => known.has(v))) for (const o of n.outputs) known.add(o.id);
  }
  return known;
}

/** True when some node is one no graph output depends on. */
export function hasDeadNodes(g: Graph): boolean {
  return !liveNodeMask(g).every(Boolean);
}
