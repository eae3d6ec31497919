// A mutable accumulator that produces an immutable Graph. Used by the API, passes and importers.
import { OpgraphError } from '../errors.ts';
import type { OpAttrs, OpKind } from '../ops/attrs.ts';
import { describeNode, inferNode } from '../ops/infer.ts';
import { checkDims } from '../ops/util.ts';
import { type Graph, type Input, type Node, type Output, type Value, type ValueId, type Weight, freezeGraph } from './graph.ts';
import type { Tensor } from './tensor.ts';
import { type TensorType, formatType, sameType, tensorType } from './types.ts';

/** Builds a graph node by node, inferring each node's output types from its op's shape rule. */
export class IRBuilder {
  private readonly inputs: Input[] = [];
  private readonly weights: Weight[] = [];
  private readonly nodes: Node[] = [];
  private readonly outputs: Output[] = [];
  private readonly types = new Map<ValueId, TensorType>();
  private readonly weightByName = new Map<string, Weight>();
  private readonly inputNames = new Set<string>();
  private readonly outputNames = new Set<string>();
  private nextId = 0;

  constructor(readonly name: string) {}

  /** Declares a graph input. Names must be unique among inputs. */
  input(name: string, type: TensorType): Input {
    if (this.inputNames.has(name)) throw new OpgraphError(`duplicate graph input ${JSON.stringify(name)}`);
    checkDims(type.shape, `input ${JSON.stringify(name)} shape`);
    const v: Input = { id: this.nextId++, type: tensorType(type.dtype, type.shape), name };
    this.inputs.push(v);
    this.inputNames.add(name);
    this.types.set(v.id, v.type);
    return v;
  }

  /**
   * Declares (or returns the already declared) weight `name`. Declaring the same name twice with
   * different types is an error, so a parameter shared by two calls is one weight.
   */
  weight(name: string, type: TensorType, data?: Tensor): Weight {
    const known = this.weightByName.get(name);
    if (known) {
      if (!sameType(known.type, type)) {
        throw new OpgraphError(`weight ${JSON.stringify(name)} redeclared as ${formatType(type)}, was ${formatType(known.type)}`);
      }
      return known;
    }
    checkDims(type.shape, `weight ${JSON.stringify(name)} shape`);
    const base = { id: this.nextId++, type: tensorType(type.dtype, type.shape), name };
    const w: Weight = data ? { ...base, data } : base;
    this.weights.push(w);
    this.weightByName.set(name, w);
    this.types.set(w.id, w.type);
    return w;
  }

  /** The type of a value defined so far. */
  typeOf(id: ValueId): TensorType {
    const t = this.types.get(id);
    if (!t) throw new OpgraphError(`value %${id} is not defined in graph ${JSON.stringify(this.name)}`);
    return t;
  }

  /** Appends a node; its output types come from the op's shape rule (a ShapeError names the node). */
  node<K extends OpKind>(op: K, attrs: OpAttrs[K], inputs: readonly ValueId[], label?: string): Value[] {
    const inTypes = inputs.map((i) => this.typeOf(i));
    const where = describeNode(op, this.nextId, label);
    const outTypes = inferNode(op, attrs, inTypes, where);
    const outputs = outTypes.map((t) => ({ id: this.nextId++, type: tensorType(t.dtype, t.shape) }));
    const node = { op, attrs: copyAttrs(attrs), inputs: [...inputs], outputs, ...(label === undefined ? {} : { label }) };
    this.nodes.push(node as unknown as Node);
    for (const o of outputs) this.types.set(o.id, o.type);
    return outputs;
  }

  /** Marks `id` as the graph output `name`. */
  output(name: string, id: ValueId): void {
    this.typeOf(id);
    if (this.outputNames.has(name)) throw new OpgraphError(`duplicate graph output ${JSON.stringify(name)}`);
    this.outputs.push({ name, id });
    this.outputNames.add(name);
  }

  /** The finished, frozen graph. The builder must not be used afterwards. */
  finish(): Graph {
    return freezeGraph({
      name: this.name,
      inputs: this.inputs,
      weights: this.weights,
      nodes: this.nodes,
      outputs: this.outputs,
    });
  }
}

/** A frozen copy of `attrs` whose arrays are frozen copies too, so callers cannot change a built node. */
function copyAttrs<T extends object>(attrs: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(attrs)) out[k] = Array.isArray(v) ? Object.freeze([...v]) : v;
  return Object.freeze(out) as T;
}
