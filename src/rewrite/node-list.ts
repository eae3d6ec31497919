// The editor's node order: a linked list with constant-time membership, insertion before any node
// and in-place replacement, and an integer tag per node so that order comparisons are one `<`.
// Tags are kept by the order-maintenance scheme of Bender, Cole, Demaine, Farach-Colton and Zito
// ("Two simplified algorithms for maintaining order in a list", 2002): when two neighbours have
// no tag between them, the smallest aligned tag range around them that is sparse enough is
// relabelled evenly, which costs O(log n) amortised per insertion.
import { InternalCompilerError } from '../errors.ts';
import type { Node } from '../ir/graph.ts';
import type { RewriteWork } from './work.ts';

/** Tags are integers in [0, 2^TAG_BITS). */
const TAG_BITS = 50;
const UNIVERSE = 2 ** TAG_BITS;
/** Density parameter: a range of 2^i tags may hold (2 / T)^i nodes (T in (1, 2)). */
const T = 1.4;

interface Entry {
  node: Node | undefined; // undefined only for the sentinel before the first node
  tag: number;
  prev: Entry | undefined;
  next: Entry | undefined;
}

/** Nodes in order, with O(1) has/replace/remove, amortised O(log n) insertion and O(1) order tests. */
export class NodeList {
  private readonly head: Entry = { node: undefined, tag: 0, prev: undefined, next: undefined };
  private readonly entries = new Map<Node, Entry>();

  constructor(nodes: readonly Node[], private readonly work: RewriteWork) {
    const step = Math.floor(UNIVERSE / (nodes.length + 2));
    let last = this.head;
    nodes.forEach((node, i) => {
      const e: Entry = { node, tag: (i + 1) * step, prev: last, next: undefined };
      last.next = e;
      this.entries.set(node, e);
      last = e;
    });
    work.scanned += nodes.length;
  }

  get size(): number {
    return this.entries.size;
  }

  has(n: Node): boolean {
    return this.entries.has(n);
  }

  /** The nodes in order (a copy). */
  toArray(): Node[] {
    const out: Node[] = [];
    for (let e = this.head.next; e; e = e.next) out.push(e.node!);
    this.work.scanned += out.length;
    return out;
  }

  /**
   * Calls `visit` on each node in order, while the list changes: a node replaced in place or
   * inserted ahead of the walk is visited when the walk reaches it; one inserted behind it is not.
   */
  walk(visit: (n: Node) => void): void {
    for (let e = this.head.next; e; e = e.next) {
      this.work.scanned++;
      visit(e.node!);
    }
  }

  /** True when `a` comes before `b`; both must be in the list. */
  precedes(a: Node, b: Node): boolean {
    return this.entry(a).tag < this.entry(b).tag;
  }

  /** Puts `n` right before `anchor`; false when `anchor` is not in the list. */
  insertBefore(anchor: Node, n: Node): boolean {
    const at = this.entries.get(anchor);
    if (!at) return false;
    const before = at.prev!;
    if (at.tag - before.tag < 2) this.relabel(before);
    const e: Entry = { node: n, tag: before.tag + Math.floor((at.tag - before.tag) / 2), prev: before, next: at };
    before.next = e;
    at.prev = e;
    this.entries.set(n, e);
    return true;
  }

  /** Puts `copy` where `old` was. */
  replace(old: Node, copy: Node): void {
    const e = this.entry(old);
    this.entries.delete(old);
    e.node = copy;
    this.entries.set(copy, e);
  }

  remove(n: Node): void {
    const e = this.entry(n);
    this.entries.delete(n);
    e.prev!.next = e.next;
    if (e.next) e.next.prev = e.prev;
  }

  private entry(n: Node): Entry {
    const e = this.entries.get(n);
    if (!e) throw new InternalCompilerError(`a pass asked about node %${n.outputs[0]?.id}, which is no longer in the graph`);
    return e;
  }

  /** Makes room after `x`: relabels evenly the smallest aligned tag range around it that is not overfull. */
  private relabel(x: Entry): void {
    let [first, last, count] = [x, x, 1];
    for (let bits = 1; bits <= TAG_BITS; bits++) {
      const size = 2 ** bits;
      const lo = Math.floor(x.tag / size) * size;
      while (first.prev && first.prev.tag >= lo) [first, count] = [first.prev, count + 1];
      while (last.next && last.next.tag < lo + size) [last, count] = [last.next, count + 1];
      if (count > (2 / T) ** bits) continue;
      const step = Math.floor(size / count);
      let e: Entry | undefined = first;
      for (let i = 0; i < count; i++, e = e!.next) e!.tag = lo + i * step;
      this.work.scanned += count;
      return;
    }
    throw new InternalCompilerError(`the rewrite editor's node order is full (${this.entries.size} nodes)`);
  }
}
