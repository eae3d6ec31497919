// A mutable working copy of a graph for rewrites: insert nodes before an anchor, redirect uses,
// drop dead nodes, then freeze back into a Graph. Types of new nodes come from the op rules.
// The editor only runs inside passes, on typed graphs: every failure here is a compiler bug.
//
// Cost: the editor keeps use lists, so each query and edit costs the size of what it touches (a
// node's inputs, a value's readers), never the size of the graph; only liveNodes, removeDead and
// finish walk every node. Its work is counted in a RewriteWork (src/rewrite/work.ts).
import { InternalCompilerError, ShapeError } from '../errors.ts';
import { type Graph, type Node, type Output, type Value, type ValueId, type Weight, freezeGraph, liveMask, nextValueId } from '../ir/graph.ts';
import { type TensorType, tensorType } from '../ir/types.ts';
import type { OpAttrs, OpKind } from '../ops/attrs.ts';
import { describeNode, inferNode } from '../ops/infer.ts';
import { NodeList } from './node-list.ts';
import { type RewriteWork, newWork } from './work.ts';

/** Editable graph: node list in topological order, value types, producers and use lists. */
export class GraphEditor {
  private readonly list: NodeList;
  private readonly outputs: { name: string; id: ValueId }[];
  // Indexed by value id (ids are small non-negative integers): arrays, not hash maps.
  private readonly types: (TensorType | undefined)[] = [];
  private readonly producers: (Node | undefined)[] = [];
  /** Built on the first question about readers (a pass that asks none never pays for them). */
  private useLists: UseLists | undefined;
  /** The graph outputs naming each value. */
  private readonly outputsOf = new Map<ValueId, { name: string; id: ValueId }[]>();
  private readonly weights: ReadonlyMap<ValueId, Weight>;
  private nextId: number;
  /** True once anything was changed. */
  changed = false;

  constructor(readonly original: Graph, readonly work: RewriteWork = newWork()) {
    this.list = new NodeList(original.nodes, work);
    this.outputs = original.outputs.map((o) => ({ ...o }));
    for (const o of this.outputs) this.addOutputRef(o);
    this.weights = new Map(original.weights.map((w) => [w.id, w]));
    for (const v of [...original.inputs, ...original.weights]) this.types[v.id] = v.type;
    for (const n of original.nodes) this.enter(n);
    this.nextId = nextValueId(original);
  }

  /** Records `n`'s outputs and its reads. */
  private enter(n: Node): void {
    for (const o of n.outputs) {
      this.types[o.id] = o.type;
      this.producers[o.id] = n;
    }
    this.useLists?.add(n);
  }

  /** Forgets `n`'s reads (its outputs keep their types and producer). */
  private leave(n: Node): void {
    this.useLists?.remove(n);
  }

  private addOutputRef(o: { name: string; id: ValueId }): void {
    const list = this.outputsOf.get(o.id);
    if (list) list.push(o);
    else this.outputsOf.set(o.id, [o]);
    this.useLists?.count(o.id, 1);
  }

  /** The use lists, built now if no one asked before. */
  private uses_(): UseLists {
    if (!this.useLists) {
      const lists = new UseLists();
      for (const n of this.list.toArray()) lists.add(n);
      for (const o of this.outputs) lists.count(o.id, 1);
      this.useLists = lists;
    }
    return this.useLists;
  }

  /** A snapshot of the live nodes, in order. */
  liveNodes(): readonly Node[] {
    return this.list.toArray();
  }

  /** Calls `visit` on each live node in order while rules edit the graph (see NodeList.walk). */
  walk(visit: (n: Node) => void): void {
    this.list.walk(visit);
  }

  /** True while `n` is still part of the graph. */
  has(n: Node): boolean {
    return this.list.has(n);
  }

  /** True when live node `a` comes before live node `b`. */
  precedes(a: Node, b: Node): boolean {
    return this.list.precedes(a, b);
  }

  /** The type of `v`; a value the graph does not define (or a missing operand) is a compiler bug. */
  typeOf(v: ValueId | undefined): TensorType {
    const t = v === undefined ? undefined : this.types[v];
    if (!t) throw new InternalCompilerError(v === undefined ? 'a pass asked for the type of a missing operand' : `a pass read %${v}, which the graph does not define`);
    return t;
  }

  /** The node defining `v`, or undefined for inputs and weights. */
  producer(v: ValueId): Node | undefined {
    return this.producers[v];
  }

  /** The weight named for `v`, when `v` is a graph weight. */
  weightOf(v: ValueId): Weight | undefined {
    return this.weights.get(v);
  }

  /** How many times `v` is read by live nodes and graph outputs. */
  uses(v: ValueId): number {
    return this.uses_().useCount[v] ?? 0;
  }

  /** The live nodes reading `v`, each once, in no particular order. */
  usersOf(v: ValueId): Node[] {
    const users = this.uses_().readersOf(v);
    this.work.scanned += users.length;
    return users;
  }

  /** How many distinct live nodes read `v`. */
  readerCount(v: ValueId): number {
    return this.uses_().readerCount(v);
  }

  /** True when `v` is a graph output. */
  isOutput(v: ValueId): boolean {
    return this.outputsOf.has(v);
  }

  /** Inserts a node right before `anchor` (so it may read anything `anchor` may) and returns its outputs. */
  insertBefore<K extends OpKind>(anchor: Node, op: K, attrs: OpAttrs[K], inputs: readonly ValueId[], label?: string): Value[] {
    if (!this.list.has(anchor)) throw new InternalCompilerError(`a pass inserted a node before ${describeNode(anchor.op, anchor.outputs[0]?.id, anchor.label)}, which is no longer in the graph`);
    const where = describeNode(op, this.nextId, label);
    const types = this.infer(op, attrs, inputs, where);
    const outputs = types.map((t) => ({ id: this.nextId++, type: tensorType(t.dtype, t.shape) }));
    const node = { op, attrs, inputs: [...inputs], outputs, ...(label === undefined ? {} : { label }) } as unknown as Node;
    this.list.insertBefore(anchor, node);
    this.enter(node);
    this.work.rebuilds++;
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
    const users = this.usersOf(from);
    for (const n of users) {
      const copy = { ...n, inputs: n.inputs.map((v) => (v === from ? to : v)) } as Node;
      this.leave(n);
      this.list.replace(n, copy);
      this.enter(copy);
      this.work.rebuilds++;
    }
    const outs = this.outputsOf.get(from);
    if (outs) {
      this.outputsOf.delete(from);
      this.useLists?.count(from, -outs.length);
      for (const o of outs) {
        o.id = to;
        this.addOutputRef(o);
      }
    }
    if (users.length > 0 || outs) this.changed = true;
  }

  /** Removes nodes none of whose outputs is read; returns how many were removed. */
  removeDead(): number {
    const nodes = this.list.toArray();
    const keep = liveMask(nodes, this.outputs, this.nextId);
    let removed = 0;
    for (let i = nodes.length - 1; i >= 0; i--) {
      if (keep[i]) continue;
      this.leave(nodes[i]!);
      this.list.remove(nodes[i]!);
      removed++;
    }
    if (removed > 0) this.changed = true;
    return removed;
  }

  /** The edited graph (the original object when nothing changed). */
  finish(): Graph {
    if (!this.changed) return this.original;
    const outputs: Output[] = this.outputs;
    return freezeGraph({ ...this.original, inputs: [...this.original.inputs], weights: [...this.original.weights], nodes: this.liveNodes(), outputs });
  }
}

/**
 * For each value (by id), the nodes reading it with how many of their inputs it is, and its
 * total reads. A value read once by one node (most values) holds that node itself, not a map.
 */
class UseLists {
  private readonly readers: (Node | Map<Node, number> | undefined)[] = [];
  /** Reads by nodes in the list and by graph outputs. */
  readonly useCount: number[] = [];

  add(n: Node): void {
    for (const v of n.inputs) {
      const r = this.readers[v];
      if (r === undefined) this.readers[v] = n;
      else if (r instanceof Map) r.set(n, (r.get(n) ?? 0) + 1);
      else this.readers[v] = r === n ? new Map([[n, 2]]) : new Map([[r, 1], [n, 1]]);
      this.count(v, 1);
    }
  }

  remove(n: Node): void {
    for (const v of n.inputs) {
      const r = this.readers[v]!;
      if (!(r instanceof Map)) this.readers[v] = undefined;
      else {
        const k = r.get(n)! - 1;
        if (k > 0) r.set(n, k);
        else r.delete(n);
      }
      this.count(v, -1);
    }
  }

  readersOf(v: ValueId): Node[] {
    const r = this.readers[v];
    return r === undefined ? [] : r instanceof Map ? [...r.keys()] : [r];
  }

  readerCount(v: ValueId): number {
    const r = this.readers[v];
    return r === undefined ? 0 : r instanceof Map ? r.size : 1;
  }

  count(v: ValueId, by: number): void {
    this.useCount[v] = (this.useCount[v] ?? 0) + by;
  }
}
