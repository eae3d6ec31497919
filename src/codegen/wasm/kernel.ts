// What a wasm kernel family receives and provides. A kernel is one exported function of the
// model's module, specialised to one node: every size, stride and byte address is a literal
// (the layout places every tensor of the model at a fixed address in one linear memory).
//
// A kernel's function takes three i32 parameters, `lo`, `hi` and `share`: the range of work
// units it runs, and which share of the work this call is. Alone it gets [0, units) as share 0;
// with threads, share s of T gets its slice of that range, so each family declares how it splits
// (GEMM column panels, attention (batch, head) pairs, rows, flat ranges of vectors) simply by
// what one unit is. A share's scratch starts at `scratch + share * scratchBytes`.
import type { NodeOf } from '../../ir/graph.ts';
import type { TensorType } from '../../ir/types.ts';
import type { OpKind } from '../../ops/attrs.ts';
import type { FunctionBuilder } from './encoder.ts';

/** Which SIMD instruction set a module is emitted for: relaxed adds f32x4.relaxed_madd. */
export type SimdLevel = 'relaxed' | 'plain';

/** A node as a family sees it before addresses exist. */
export interface WasmNodeInfo<K extends OpKind> {
  readonly node: NodeOf<K>;
  readonly inputs: readonly TensorType[];
  readonly outputs: readonly TensorType[];
  /** Per input: is it known when the model is created (a weight, a constant, a static value)? */
  readonly staticInputs: readonly boolean[];
  /** The module's SIMD level. */
  readonly simd: SimdLevel;
}

/** One node to lower, with the absolute byte address of everything it touches. */
export interface WasmKernelInput<K extends OpKind> extends WasmNodeInfo<K> {
  /** Byte address of each input tensor. */
  readonly x: readonly number[];
  /** Byte address of each output tensor. */
  readonly y: readonly number[];
  /** Byte address of the kernel's scratch (`scratchBytes` per share, shares back to back), if it asked. */
  readonly scratch?: number;
  /** Byte address of the node's prepared data (`preparedBytes`), filled once by its `prepare` function. */
  readonly prepared?: number;
}

/** Locals of a kernel function: its unit range and share number. */
export interface UnitRange {
  /** Local index of the first unit (inclusive). */
  readonly lo: number;
  /** Local index of the end of the range (exclusive). */
  readonly hi: number;
  /** Local index of the share number (0 alone): its scratch is at `scratch + share * scratchBytes`. */
  readonly share: number;
}

/**
 * A family of wasm kernels (contractions, rows, attention, ...). `accepts` says whether the
 * family has a kernel for this node; the cost model (cost.ts) then decides whether it is worth
 * running in wasm rather than the TS kernel over views of the same memory.
 */
export interface WasmKernelFamily<K extends OpKind = OpKind> {
  /** Why this family exists, for docs and `--explain` output. */
  readonly name: string;
  accepts(n: WasmNodeInfo<K>): boolean;
  /** Work units of the node (at least 1); one share runs a contiguous range of them. */
  units(n: WasmNodeInfo<K>): number;
  /** Bytes of scratch one share needs while the kernel runs (0 or absent: none). */
  scratchBytes?(n: WasmNodeInfo<K>): number;
  /**
   * Bytes of data the node prepares once, when the model is created (packed weight panels from
   * its static operands; see `staticInputs`). 0 or absent: none.
   */
  preparedBytes?(n: WasmNodeInfo<K>): number;
  /**
   * Inputs whose data the prepared region replaces: the kernel never reads them at run time (a
   * GEMM's B once packed). A weight or static value read only this way needs no copy of its own
   * after create: the layout stages it in the arena, which is free until the first run.
   */
  consumes?(n: WasmNodeInfo<K>): readonly number[];
  /** Writes the body of the `prepare` function (no parameters), run once after weights are in memory. */
  emitPrepare?(f: FunctionBuilder, k: WasmKernelInput<K>): void;
  /** Writes the kernel body; its parameters are the unit range and the share number. */
  emit(f: FunctionBuilder, k: WasmKernelInput<K>, range: UnitRange): void;
}

/** Byte size of one element of each dtype as wasm stores it (the same as typed arrays). */
export const WASM_ELEMENT_BYTES = { f32: 4, i32: 4, i64: 8, bool: 1 } as const;
