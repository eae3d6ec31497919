// Sizes, scratch layout and shared emitter state of the blocked wasm attention kernel
// (attention.ts drives it; attention-scores.ts and attention-values.ts emit its two halves).
// One unit is MR query rows of one (batch, head); keys go by tiles of `tile` keys with an online
// softmax, so a share's scratch is bounded by the tile, not by the sequence:
//
//   q        MR rows of Q, each headDim floats rounded up to whole vectors (tail lanes 0)
//   scores   MR rows of `tile` floats: the tile's scores, then its probabilities
//   o        MR rows of valueDim floats (vector-rounded): the rescaled accumulator (several tiles only)
//   stats    vectors, lane r for row r: the running max and sum, this tile's rescale factor,
//            1 / sum; and the i32 lanes [0, 1, 2, 3] (kept in memory, not in registers the
//            score block needs)
import type { OpAttrs } from '../../../ops/attrs.ts';
import type { FunctionBuilder } from '../encoder.ts';
import type { SimdLevel, WasmKernelInput } from '../kernel.ts';
import type { VecMath } from './vmath.ts';

/** Query rows of one unit (the row statistics live in the four lanes of one vector). */
export const MR = 4;

/** Keys of one score block: MR/2 pairs of rows x 4 keys, 8 f32x4 accumulators along headDim. */
export const KEY_GROUP = 4;

/** Value-dim vectors per row in a P V block: MR x 2 accumulators, 2 V vectors and a splat in registers. */
export const PV_VECS = 2;

/** Keys up to this many run as one tile (no rescaling); longer sequences go by tiles of TILE. */
export const SINGLE_TILE_MAX = 256;
export const TILE = 128;

const up4 = (n: number): number => Math.ceil(n / 4) * 4;

/** Sizes and byte offsets (from a share's scratch) of one attention node's kernel. */
export interface AttnPlan {
  readonly a: OpAttrs['attention'];
  /** headDim and valueDim rounded up to whole vectors. */
  readonly d4: number;
  readonly dv4: number;
  /** Keys in whole groups of KEY_GROUP (the rest, seqK % 4, is the static tail group). */
  readonly full4: number;
  /** Keys per tile (a multiple of 4), and whether there is more than one tile. */
  readonly tile: number;
  readonly multi: boolean;
  /** Query blocks per (batch, head). */
  readonly blocks: number;
  readonly qOff: number;
  readonly sOff: number;
  readonly oOff: number;
  readonly maxOff: number;
  readonly sumOff: number;
  readonly alphaOff: number;
  readonly invOff: number;
  readonly lanesOff: number;
  /** Scratch bytes of one share. */
  readonly bytes: number;
}

/** The plan of an attention node. With `weights`, every key is one tile (its probabilities are an output). */
export function attnPlan(a: OpAttrs['attention']): AttnPlan {
  const [d4, dv4] = [up4(a.headDim), up4(a.valueDim)];
  const single = a.weights || a.seqK <= SINGLE_TILE_MAX;
  const tile = single ? up4(a.seqK) : TILE;
  const multi = !single && a.seqK > tile;
  const qOff = 0;
  const sOff = qOff + 4 * MR * d4;
  const oOff = sOff + 4 * MR * tile;
  const maxOff = oOff + (multi ? 4 * MR * dv4 : 0);
  const [sumOff, alphaOff, invOff, lanesOff] = [maxOff + 16, maxOff + 32, maxOff + 48, maxOff + 64];
  return { a, d4, dv4, full4: a.seqK - (a.seqK % 4), tile, multi, blocks: Math.ceil(a.seqQ / MR), qOff, sOff, oOff, maxOff, sumOff, alphaOff, invOff, lanesOff, bytes: lanesOff + 16 };
}

/** The emitter's state for one kernel function: the plan and the locals every part reads. */
export interface AttnCtx {
  readonly f: FunctionBuilder;
  readonly k: WasmKernelInput<'attention'>;
  readonly p: AttnPlan;
  readonly simd: SimdLevel;
  readonly vm: VecMath;
  /** i32: this share's scratch (absolute address). */
  readonly sc: number;
  /** i32: each row's query index, clamped to the last row (rows past seqQ repeat it; their stores write the same values). */
  readonly ir: readonly number[];
  /** i32: flat (batch, head) index, and byte offsets of this (batch, head) in K, V, the mask and the output. */
  readonly bh: number;
  readonly kbh: number;
  readonly vbh: number;
  readonly mbh: number;
  readonly obh: number;
  /** i32: the tile's first key and its end (exclusive, causal cut included). */
  readonly t0: number;
  readonly te: number;
}

/** acc += a * b for the two vectors on the stack, fused under relaxed SIMD. */
export function madd(f: FunctionBuilder, simd: SimdLevel, acc: number): void {
  if (simd === 'relaxed') f.get(acc).op('f32x4.relaxed_madd').set(acc);
  else f.op('f32x4.mul').get(acc).op('f32x4.add').set(acc);
}

/** Pushes `n` (1..4) f32 lanes at address local `p` + `offset`, zero in the other lanes (never reading past them). */
export function loadLanes(f: FunctionBuilder, p: number, offset: number, n: number): void {
  if (n === 4) f.get(p).mem('v128.load', offset, 2);
  else if (n === 1) f.get(p).mem('v128.load32_zero', offset);
  else {
    f.get(p).mem('v128.load64_zero', offset, 2);
    if (n === 3) f.get(p).mem('f32.load', offset + 8).lane('f32x4.replace_lane', 2);
  }
}

/** Stores the first `n` (1..4) lanes of v128 local `v` at address local `p` + `offset`. */
export function storeLanes(f: FunctionBuilder, p: number, offset: number, v: number, n: number): void {
  if (n === 4) f.get(p).get(v).mem('v128.store', offset, 2);
  else for (let l = 0; l < n; l++) f.get(p).get(v).lane('f32x4.extract_lane', l).mem('f32.store', offset + 4 * l);
}

/** Sets i32 local `dst` to local `base` + local `i` * `bytes`. */
export function addrOf(f: FunctionBuilder, dst: number, base: number, i: number, bytes: number): void {
  f.get(base);
  if (bytes !== 0) f.get(i).i32(bytes).op('i32.mul', 'i32.add');
  f.set(dst);
}

/** do { body() } while ((p += step) < end), for i32 address locals p and end (unsigned: memory may pass 2 GiB; the caller knows p < end on entry). */
export function stepLoop(f: FunctionBuilder, p: number, step: number, end: number, body: () => void): void {
  f.loop(() => {
    body();
    f.get(p).i32(step).op('i32.add').tee(p).get(end).op('i32.lt_u').brIf(0);
  });
}
