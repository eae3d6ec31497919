// The compile-time memory plan shared by the backends: which buffer holds each value, and
// where every intermediate lives in one preallocated arena.
//
// - View ops (reshape, squeeze, unsqueeze, identity) reuse their input's buffer: no kernel.
// - An elementwise node (or a matmul's bias or epilogue input) that dies at its node, with the
//   output's dtype and shape, is overwritten in place by the output.
// - Nodes that read only weights and constants (a weight concatenation, say) are static: they
//   run once when the model is created, into buffers of their own.
// - A node that updates its input 0 (cacheWrite) writes into that input's buffer when nothing
//   else reads it; a weight read only there is model state (a KV cache), updated by every run.
// - Graph outputs get buffers of their own (fresh per run); a kernel writes into them directly.
// - A kernel that needs working space (attention tiles, packed matmul panels, recurrent state)
//   gets a scratch buffer in the arena, live only while that kernel runs (static kernels too:
//   they run once before the arena holds anything). Its elements are f64 under the TS layout
//   and one 4-byte word under the WGSL layout.
// - Remaining intermediates are placed by greedy-by-size over their live intervals (arena.ts), so
//   buffers whose lifetimes do not overlap share bytes.
import { type Graph, type Node, type ValueId, valueTypes } from '../ir/graph.ts';
import { DTYPE_BYTES, type DType, type TensorType, numel } from '../ir/types.ts';
import { OPS, inGroup } from '../ops/table.ts';
import { sameShape } from '../ir/types.ts';
import { checkConstantIndices } from '../ops/gather.ts';
import { placeArena } from './arena.ts';

/** Where a buffer comes from. */
export type StorageKind = 'input' | 'weight' | 'constant' | 'static' | 'output' | 'arena';

/** Element type of a buffer: a tensor dtype, or f64 for kernel scratch. */
export type StorageType = DType | 'f64';

const STORAGE_BYTES: Readonly<Record<StorageType, number>> = { ...DTYPE_BYTES, f64: 8 };

/** One buffer. Several values may share it (views, in-place results). */
export interface Storage {
  readonly id: number;
  readonly kind: StorageKind;
  readonly dtype: StorageType;
  readonly length: number;
  /** Byte offset in the arena (arena storages only). */
  offset: number;
  /** Index into graph inputs, weights or outputs, or the node index of a constant. */
  readonly index: number;
  /** First and last node index using it (outputs live to the end). */
  first: number;
  last: number;
}

/** The plan: a storage per value, and the arena size. */
export interface MemoryPlan {
  readonly storages: readonly Storage[];
  readonly storageOf: ReadonlyMap<ValueId, number>;
  /** Nodes that need no kernel: their output is a view of their input. */
  readonly views: ReadonlySet<Node>;
  /** Nodes computed once, when the model is created (they depend on weights and constants only). */
  readonly statics: ReadonlySet<Node>;
  /** The scratch buffer of each kernel that asked for one. */
  readonly scratch: ReadonlyMap<Node, number>;
  /** Graph outputs that must be copied from another buffer (an input, a weight, a shared output). */
  readonly copies: ReadonlyArray<{ readonly output: number; readonly from: number }>;
  /** Peak bytes of intermediates: the arena size. */
  readonly arenaBytes: number;
}

/** Byte alignment of every arena buffer (enough for any typed-array view). */
export const ARENA_ALIGN = 16;

/** Elements of working space a backend's kernel for `n` needs (0 for none): f64 in the TS backend, u32 words in WGSL. */
export type ScratchNeed = (n: Node, inputs: readonly TensorType[]) => number;

/** How a backend lays out buffers: bytes per element of each type, and the arena alignment. */
export interface BufferLayout {
  readonly elementBytes: (t: StorageType) => number;
  readonly align: number;
}

/** The TS backend's layout: typed arrays of each dtype's natural size, 16-byte alignment. */
export const TYPED_ARRAY_LAYOUT: BufferLayout = { elementBytes: (t) => STORAGE_BYTES[t], align: ARENA_ALIGN };

/** Computes the memory plan of `g` (assumes shape inference has run). */
export function planMemory(g: Graph, scratch: ScratchNeed = () => 0, layout: BufferLayout = TYPED_ARRAY_LAYOUT): MemoryPlan {
  // Every backend plans first: constant gather indices out of range fail here, before any code.
  checkConstantIndices(g);
  const b = new PlanBuilder(g, scratch);
  return b.finish(layout);
}

class PlanBuilder {
  readonly storages: Storage[] = [];
  readonly storageOf = new Map<ValueId, number>();
  readonly views = new Set<Node>();
  readonly statics = new Set<Node>();
  readonly scratch = new Map<Node, number>();
  private readonly staticValues = new Set<ValueId>();
  readonly copies: { output: number; from: number }[] = [];
  private readonly outputOf = new Map<ValueId, number>();
  /** The last node reading any value bound to each storage (views and in-place results share one). */
  private readonly lastRead = new Map<number, number>();
  private readonly types: Map<ValueId, TensorType>;
  /** The last node reading each value (Infinity for graph outputs). */
  private readonly lastUse: Map<ValueId, number>;
  /** How many nodes read each value. */
  private readonly readerCount = new Map<ValueId, number>();

  constructor(readonly g: Graph, private readonly need: ScratchNeed) {
    this.types = valueTypes(g);
    this.lastUse = this.lastUses();
    g.outputs.forEach((o, i) => {
      if (!this.outputOf.has(o.id)) this.outputOf.set(o.id, i);
    });
    g.inputs.forEach((v, i) => this.bind(v.id, this.add('input', v.type.dtype, numel(v.type.shape), i, -1)));
    g.weights.forEach((v, i) => {
      this.bind(v.id, this.add('weight', v.type.dtype, numel(v.type.shape), i, -1));
      this.staticValues.add(v.id);
    });
    g.nodes.forEach((n, i) => this.placeNode(n, i));
    this.placeOutputs();
    for (const s of this.storages) this.touch(s);
  }

  private add(kind: StorageKind, dtype: StorageType, length: number, index: number, first: number): Storage {
    const s: Storage = { id: this.storages.length, kind, dtype, length, offset: 0, index, first, last: first };
    this.storages.push(s);
    return s;
  }

  private bind(v: ValueId, s: Storage): void {
    this.storageOf.set(v, s.id);
    const use = this.lastUse.get(v);
    if (use !== undefined) this.lastRead.set(s.id, Math.max(this.lastRead.get(s.id) ?? -Infinity, use));
  }

  private lastUses(): Map<ValueId, number> {
    const last = new Map<ValueId, number>();
    this.g.nodes.forEach((n, i) => {
      n.inputs.forEach((v) => last.set(v, i));
      for (const v of new Set(n.inputs)) this.readerCount.set(v, (this.readerCount.get(v) ?? 0) + 1);
    });
    for (const o of this.g.outputs) last.set(o.id, Infinity);
    return last;
  }

  /** Chooses the buffer of each output of node `i`. */
  private placeNode(n: Node, i: number): void {
    const out = n.outputs[0]!;
    if (n.op === 'constant') {
      this.bind(out.id, this.add('constant', out.type.dtype, numel(out.type.shape), i, i));
      this.staticValues.add(out.id);
      return;
    }
    const isStatic = n.inputs.every((v) => this.staticValues.has(v));
    if (isStatic) for (const o of n.outputs) this.staticValues.add(o.id);
    if (OPS[n.op].view) {
      this.views.add(n);
      this.bind(out.id, this.storages[this.storageOf.get(n.inputs[0]!)!]!);
      return;
    }
    // Scratch is live only at node i; a static node runs before any run uses the arena.
    const scratch = this.need(n, n.inputs.map((v) => this.types.get(v)!));
    if (scratch > 0) this.scratch.set(n, this.add('arena', 'f64', scratch, -1, i).id);
    if (isStatic) {
      this.statics.add(n);
      for (const o of n.outputs) this.bind(o.id, this.add('static', o.type.dtype, numel(o.type.shape), i, i));
      return;
    }
    const reuse = this.updatedInPlace(n, i) ?? this.inPlaceCandidate(n, i);
    for (const o of n.outputs) {
      const s = o === out && reuse ? reuse : this.add('arena', o.type.dtype, numel(o.type.shape), -1, i);
      this.bind(o.id, s);
    }
  }

  /** An arena buffer of an input that dies here and has the output's type, for elementwise nodes. */
  private inPlaceCandidate(n: Node, i: number): Storage | undefined {
    if (n.outputs.length !== 1 || this.outputOf.has(n.outputs[0]!.id)) return undefined;
    const out = n.outputs[0]!.type;
    for (const v of inPlaceReadable(n)) {
      const s = this.storages[this.storageOf.get(v)!]!;
      if (s.kind !== 'arena' || s.dtype !== out.dtype || s.length !== numel(out.shape)) continue;
      if (!sameShape(this.types.get(v)!.shape, out.shape)) continue;
      if (this.storageLastUse(s) === i) return s;
    }
    return undefined;
  }

  /**
   * For an op that updates input 0 (cacheWrite): input 0's buffer, when nothing else reads it. A
   * weight qualifies when this node is its only reader: it is then model state, updated in place
   * by every run (a KV cache), and no static node can have read it at create.
   */
  private updatedInPlace(n: Node, i: number): Storage | undefined {
    if (!OPS[n.op].updatesInput0 || this.outputOf.has(n.outputs[0]!.id)) return undefined;
    const v = n.inputs[0]!;
    const s = this.storages[this.storageOf.get(v)!]!;
    if (s.kind === 'weight') return this.readers(v) === 1 && n.inputs.indexOf(v, 1) < 0 ? s : undefined;
    if (s.kind !== 'arena' || n.inputs.indexOf(v, 1) >= 0) return undefined;
    return this.storageLastUse(s) === i ? s : undefined;
  }

  /** How many nodes read `v`. */
  private readers(v: ValueId): number {
    return this.readerCount.get(v) ?? 0;
  }

  /** The last node reading any value that lives in `s` (at least its first use). */
  private storageLastUse(s: Storage): number {
    return Math.max(s.first, this.lastRead.get(s.id) ?? -Infinity);
  }

  /** Gives each graph output its own buffer, or records a copy when it cannot own one. */
  private placeOutputs(): void {
    const owned = new Set<number>();
    this.g.outputs.forEach((o, k) => {
      const s = this.storages[this.storageOf.get(o.id)!]!;
      if (s.kind === 'arena' && !owned.has(s.id)) {
        this.storages[s.id] = { ...s, kind: 'output', index: k };
        owned.add(s.id);
        return;
      }
      const copy = this.add('output', s.dtype, s.length, k, this.g.nodes.length);
      this.copies.push({ output: copy.id, from: s.id });
    });
  }

  private touch(s: Storage): void {
    s.last = s.kind === 'output' ? Infinity : this.storageLastUse(s);
  }

  finish(layout: BufferLayout): MemoryPlan {
    const arenaBytes = placeArena(this.storages.filter((s) => s.kind === 'arena'), (s) => storageBytes(s, layout));
    return { storages: this.storages, storageOf: this.storageOf, views: this.views, statics: this.statics, scratch: this.scratch, copies: this.copies, arenaBytes };
  }
}

/**
 * Inputs a node reads only at each output element's own index, just before writing it: every
 * input of an elementwise node; C and the epilogue inputs of a matmul or gemm (never A or B,
 * which every output element reads widely). Any of them of the output's shape may share its buffer.
 */
function inPlaceReadable(n: Node): readonly ValueId[] {
  if (inGroup(n.op, 'elementwise')) return n.inputs;
  if (n.op === 'matmul' || n.op === 'gemm') {
    const [a, b] = n.inputs;
    return n.inputs.slice(2).filter((v) => v !== a && v !== b);
  }
  return [];
}

/** Bytes of a storage under `layout`, rounded up to the arena alignment. */
export function storageBytes(s: Storage, layout: BufferLayout = TYPED_ARRAY_LAYOUT): number {
  const raw = s.length * layout.elementBytes(s.dtype);
  return Math.max(layout.align, Math.ceil(raw / layout.align) * layout.align);
}

/** Kernel calls per run: nodes that are neither constants, views nor static, plus output copies. */
export function kernelCalls(g: Graph, plan: MemoryPlan): number {
  return g.nodes.filter((n) => n.op !== 'constant' && !plan.views.has(n) && !plan.statics.has(n)).length + plan.copies.length;
}
