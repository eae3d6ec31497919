// A mutable working copy of a graph for rewrites: insert nodes before an anchor, redirect uses,
// drop dead nodes, then freeze back into a Graph. Types of new nodes come from the op rules.
// The editor only runs inside passes, on typed graphs: every failure here is a compiler bug.
import { InternalCompilerError, ShapeError } from '../errors.ts';
import { type Graph, type Node, type Value, type ValueId, freezeGraph, nextValueId } from '../ir/graph.ts';
import { type TensorType, tensorType } from '../ir/types.ts';
import type { OpAttrs, OpKind } from '../ops/attrs.ts';
import { describeNode, inferNode } from '../ops/infer.ts';

/** Editable graph: node list in topological order, value types, producers and use counts. */
export class GraphEditor {
  private nodes: Node[];
  private outputs: { name: string; id: ValueId }[];
  private readonly types = new Map<ValueId, TensorType>();
  private readonly producers = new Map<ValueId, Node>();
  private nextId: number;
  /** True once anything was changed. */
  changed = false;

  constructor(readonly original: Graph) {
    this.nodes = [...original.nodes];
    this.outputs = original.outputs.map((o) => ({ ...o }));
    for (const v of [...original.inputs, ...original.weights]) this.types.set(v.id, v.type);
    for (const n of this.nodes) this.define(n);
    this.nextId = nextValueId(original);
  }

  private define(n: Node): void {
    for (const o of n.outputs) {
      this.types.set(o.id, o.type);
      this.producers.set(o.id, n);
    }
  }

  /** A snapshot of the live nodes, in order. */
  liveNodes(): readonly Node[] {
    return [...this.nodes];
  }

  /** True while `n` is still part of the graph. */
  has(n: Node): boolean {
    return this.nodes.includes(n);
  }

  /** The type of `v`; a value the graph does not define (or a missing operand) is a compiler bug. */
  typeOf(v: ValueId | undefined): TensorType {
    const t = v === undefined ? undefined : this.types.get(v);
    if (!t) throw new InternalCompilerError(v === undefined ? 'a pass asked for the type of a missing operand' : `a pass read %${v}, which the graph does not define`);
    return t;
  }

  /** The node defining `v`, or undefined for inputs and weights. */
  producer(v: ValueId): Node | undefined {
    return this.producers.get(v);
  }

  /** The weight named for `v`, when `v` is a graph weight. */
  weightOf(v: ValueId): Graph['weights'][number] | undefined {
    return this.original.weights.find((w) => w.id === v);
  }

  /** How many times `v` is read by live nodes and graph outputs. */
  uses(v: ValueId): number {
    let n = 0;
    for (const node of this.nodes) for (const i of node.inputs) if (i === v) n++;
    for (const o of this.outputs) if (o.id === v) n++;
    return n;
  }

  /** The live nodes reading `v`. */
  usersOf(v: ValueId): Node[] {
    return this.nodes.filter((n) => n.inputs.includes(v));
  }

  /** True when `v` is a graph output. */
  isOutput(v: ValueId): boolean {
    return this.outputs.some((o) => o.id === v);
  }

  /** Inserts a node right before `anchor` (so it may read anything `anchor` may) and returns its outputs. */
  insertBefore<K extends OpKind>(anchor: Node, op: K, attrs: OpAttrs[K], inputs: readonly ValueId[], label?: string): Value[] {
    const at = this.nodes.indexOf(anchor);
    if (at < 0) throw new InternalCompilerError(`a pass inserted a node before ${describeNode(anchor.op, anchor.outputs[0]?.id, anchor.label)}, which is no longer in the graph`);
    const where = describeNode(op, this.nextId, label);
    const types = this.infer(op, attrs, inputs, where);
    const outputs = types.map((t) => ({ id: this.nextId++, type: tensorType(t.dtype, t.shape) }));
    const node = { op, attrs, inputs: [...inputs], outputs, ...(label === undefined ? {} : { label }) } as unknown as Node;
    this.nodes.splice(at, 0, node);
    this.define(node);
    this.changed = true;
    return outputs;
  }

  /** The output types of a new node; a shape rule it breaks means the pass built it wrong. */
  private infer<K extends OpKind>(op: K, attrs: OpAttrs[K], inputs: readonly ValueId[], where: string): TensorType[] {
    try {
      return inferNode(op, attrs, inputs.map((v) => this.typeOf(v)), where);
    } catch (e) {
      if (e instanceof ShapeError) throw new InternalCompilerError(`a pass built an ill-typed node: ${e.message}`, {}, { cause: e });
      throw e;
    }
  }

  /** Makes every reader of `from` (nodes and graph outputs) read `to` instead. */
  replaceUses(from: ValueId, to: ValueId): void {
    if (from === to) return;
    let touched = false;
    this.nodes = this.nodes.map((n) => {
      if (!n.inputs.includes(from)) return n;
      touched = true;
      const copy = { ...n, inputs: n.inputs.map((v) => (v === from ? to : v)) } as Node;
      this.define(copy);
      return copy;
    });
    for (const o of this.outputs) {
      if (o.id !== from) continue;
      o.id = to;
      touched = true;
    }
    if (touched) this.changed = true;
  }

  /** Removes nodes none of whose outputs is read; returns how many were removed. */
  removeDead(): number {
    const live = new Set<ValueId>(this.outputs.map((o) => o.id));
    const keep: Node[] = [];
    for (let i = this.nodes.length - 1; i >= 0; i--) {
      const n = this.nodes[i]!;
      if (!n.outputs.some((o) => live.has(o.id))) continue;
      keep.push(n);
      for (const v of n.inputs) live.add(v);
    }
    const removed = this.nodes.length - keep.length;
    if (removed > 0) {
      this.nodes = keep.reverse();
      this.changed = true;
    }
    return removed;
  }

  /** The edited graph (the original object when nothing changed). */
  finish(): Graph {
    if (!this.changed) return this.original;
    return freezeGraph({ ...this.original, inputs: [...this.original.inputs], weights: [...this.original.weights], nodes: this.nodes, outputs: this.outputs });
  }
}
