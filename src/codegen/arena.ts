// Arena placement for the memory plan: greedy by size over live intervals, with two indexes so
// that placing B buffers costs O(B (MAX_CLASHES + log B)) instead of comparing every pair.

/** What placement reads and writes of a buffer. */
export interface ArenaBuffer {
  readonly id: number;
  /** First and last node index using it. */
  readonly first: number;
  readonly last: number;
  offset: number;
}

/**
 * Clashing buffers a gap search looks at. A buffer whose live interval meets more placed buffers
 * than this (only graphs with that many values alive at once: a wide fan-out) goes above all of
 * them instead of into the lowest gap between them.
 */
export const MAX_CLASHES = 64;

/**
 * Greedy by size: largest buffers first (ties by id), each at the lowest offset that does not
 * overlap a placed buffer whose live interval intersects its own (or above them all, past
 * MAX_CLASHES of them). Returns the arena size; `work` counts the index's steps (for tests).
 */
export function placeArena<B extends ArenaBuffer>(bufs: readonly B[], bytesOf: (b: B) => number, work: { steps: number } = { steps: 0 }): number {
  const order = [...bufs].sort((a, b) => bytesOf(b) - bytesOf(a) || a.id - b.id);
  const placed = new PlacedByFirst(bufs, work);
  const tops = new Skyline(bufs);
  let peak = 0;
  for (const s of order) {
    const bytes = bytesOf(s);
    const clashes = placed.meeting(s.first, s.last, MAX_CLASHES + 1);
    let offset = 0;
    if (clashes.length > MAX_CLASHES) offset = tops.highest(s.first, s.last);
    else {
      clashes.sort((a, b) => a.offset - b.offset || a.id - b.id);
      for (const p of clashes) {
        if (offset + bytes <= p.offset) break;
        offset = Math.max(offset, p.offset + bytesOf(p));
      }
    }
    s.offset = offset;
    placed.add(s);
    tops.raise(s.first, s.last, offset + bytes);
    peak = Math.max(peak, offset + bytes);
  }
  return peak;
}

/**
 * The placed buffers, as leaves of a max tree ordered by first use: each leaf holds its
 * buffer's last use once placed. The buffers meeting [a, b] are the placed leaves among those
 * with first <= b whose last >= a; the tree finds k of them in O((k + 1) log B).
 */
class PlacedByFirst<B extends ArenaBuffer> {
  private readonly sorted: B[];
  private readonly leafOf = new Map<number, number>();
  private readonly size: number;
  private readonly maxLast: Float64Array;

  constructor(bufs: readonly B[], private readonly work: { steps: number }) {
    this.sorted = [...bufs].sort((a, b) => a.first - b.first || a.id - b.id);
    this.sorted.forEach((s, i) => this.leafOf.set(s.id, i));
    this.size = 1 << Math.ceil(Math.log2(Math.max(1, this.sorted.length)));
    this.maxLast = new Float64Array(2 * this.size).fill(-Infinity);
  }

  add(s: B): void {
    let i = this.size + this.leafOf.get(s.id)!;
    this.maxLast[i] = s.last;
    for (i >>= 1; i >= 1; i >>= 1) this.maxLast[i] = Math.max(this.maxLast[2 * i]!, this.maxLast[2 * i + 1]!);
  }

  /** Up to `limit` placed buffers live at some point of [a, b]. */
  meeting(a: number, b: number, limit: number): B[] {
    // Leaves [0, end) start no later than b.
    let [lo, hi] = [0, this.sorted.length];
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.sorted[mid]!.first <= b) lo = mid + 1;
      else hi = mid;
    }
    const end = lo;
    const out: B[] = [];
    const stack: [number, number, number][] = [[1, 0, this.size]];
    while (stack.length > 0 && out.length < limit) {
      const [node, from, to] = stack.pop()!;
      this.work.steps++;
      if (from >= end || this.maxLast[node]! < a) continue;
      if (to - from === 1) {
        out.push(this.sorted[from]!);
        continue;
      }
      const mid = (from + to) >> 1;
      stack.push([2 * node + 1, mid, to], [2 * node, from, mid]);
    }
    return out;
  }
}

/**
 * Over node indices: the highest top (offset + bytes) of any placed buffer live at each index,
 * as a segment tree with range-max updates and range-max queries, O(log N) each.
 */
class Skyline {
  private readonly base: number;
  private readonly size: number;
  /** The max raised over a node's whole range, and the max anywhere below it. */
  private readonly whole: Float64Array;
  private readonly below: Float64Array;

  constructor(bufs: readonly ArenaBuffer[]) {
    let [lo, hi] = [0, 0];
    for (const s of bufs) [lo, hi] = [Math.min(lo, s.first), Math.max(hi, s.last)];
    this.base = lo;
    this.size = 1 << Math.ceil(Math.log2(hi - lo + 1));
    this.whole = new Float64Array(2 * this.size);
    this.below = new Float64Array(2 * this.size);
  }

  raise(a: number, b: number, top: number): void {
    this.update(1, 0, this.size, a - this.base, b - this.base + 1, top);
  }

  highest(a: number, b: number): number {
    return this.query(1, 0, this.size, a - this.base, b - this.base + 1);
  }

  private update(node: number, from: number, to: number, a: number, b: number, top: number): void {
    if (b <= from || to <= a) return;
    this.below[node] = Math.max(this.below[node]!, top);
    if (a <= from && to <= b) {
      this.whole[node] = Math.max(this.whole[node]!, top);
      return;
    }
    const mid = (from + to) >> 1;
    this.update(2 * node, from, mid, a, b, top);
    this.update(2 * node + 1, mid, to, a, b, top);
  }

  private query(node: number, from: number, to: number, a: number, b: number): number {
    if (b <= from || to <= a) return 0;
    if (a <= from && to <= b) return this.below[node]!;
    const mid = (from + to) >> 1;
    return Math.max(this.whole[node]!, this.query(2 * node, from, mid, a, b), this.query(2 * node + 1, mid, to, a, b));
  }
}
