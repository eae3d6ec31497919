// The register block of the wasm contraction: rows x 8 output columns held in 2*rows v128
// accumulators over the whole K, A read in place (one v128.load32_splat per row and k), B from
// a k-major panel of 8 columns (two v128 loads per k); every displacement inside a k step is a
// memarg offset. Then the store: alpha, beta * C and the epilogue program on each 4-lane half,
// 4-lane stores, or lane by lane for the last columns of a ragged panel.
import type { FunctionBuilder } from '../encoder.ts';
import type { SimdLevel } from '../kernel.ts';
import { emitVectorProgram } from './elementwise.ts';
import type { VecMath } from './vmath.ts';
import type { GemmPlan, StridedRef } from './gemm-plan.ts';

/** Output columns of one panel (two f32x4 accumulators per row). */
export const NR = 8;

/** Locals and sizes shared by every block of one kernel function. */
export interface BlockContext {
  readonly f: FunctionBuilder;
  readonly plan: GemmPlan;
  readonly simd: SimdLevel;
  /** Vector math (exp, tanh, erf...) for the epilogue, with its temporaries. */
  readonly vm: VecMath;
  /** Bytes from one k step of the B panel to the next, and from the panel's first to its second 4 columns. */
  readonly bStep: number;
  readonly bHalf: number;
  /** i32 local: A at row 0 of this batch. */
  readonly aBase: number;
  /** i32 locals: the current row, the panel's B start and end (exclusive), the A and B cursors. */
  readonly i: number;
  readonly pb0: number;
  readonly pbEnd: number;
  readonly pa: number;
  readonly pb: number;
  /** i32 locals: the output and each operand read by the store (C first, then the extras), at row 0 of this panel. */
  readonly outBase: number;
  readonly readBases: readonly number[];
  /** i32 locals: the same at row i. */
  readonly outRow: number;
  readonly readRows: readonly number[];
  /** v128 locals: accumulators [row][half], the A splat, the two B vectors, program inputs and steps. */
  readonly acc: readonly (readonly number[])[];
  readonly splat: number;
  readonly bv: readonly number[];
  readonly inputs: readonly number[];
  readonly steps: readonly number[];
}

/** The operands the store reads, in the order of `readBases`: C (when read), then the epilogue's extras. */
export function storeReads(plan: GemmPlan): StridedRef[] {
  return [...(plan.c ? [plan.c] : []), ...plan.extras.map((e) => e.ref)];
}

/** acc += s * b, fused when the module is relaxed. */
function madd(c: BlockContext, acc: number, b: number): void {
  const { f } = c;
  if (c.simd === 'relaxed') f.get(c.splat).get(b).get(acc).op('f32x4.relaxed_madd').set(acc);
  else f.get(c.splat).get(b).op('f32x4.mul').get(acc).op('f32x4.add').set(acc);
}

/** Sets local `l` to base + i * stride (bytes). */
function atRow(c: BlockContext, l: number, base: number, strideBytes: number): void {
  c.f.get(base);
  if (strideBytes !== 0) c.f.get(c.i).i32(strideBytes).op('i32.mul').op('i32.add');
  c.f.set(l);
}

/**
 * One block of `rows` rows at row local `i` and `width` (1..8) valid columns of the panel
 * whose B starts at local `pb0`: the k loop, then the store.
 */
export function emitBlock(c: BlockContext, rows: number, width: number): void {
  const { f, plan } = c;
  const halves = width > 4 ? 2 : 1;
  for (let r = 0; r < rows; r++) for (let h = 0; h < halves; h++) f.f32x4(0).set(c.acc[r]![h]!);
  atRow(c, c.pa, c.aBase, plan.a.row * 4);
  f.get(c.pb0).set(c.pb);
  f.loop(() => {
    for (let h = 0; h < halves; h++) f.get(c.pb).mem('v128.load', h * c.bHalf).set(c.bv[h]!);
    for (let r = 0; r < rows; r++) {
      f.get(c.pa).mem('v128.load32_splat', r * plan.a.row * 4).set(c.splat);
      for (let h = 0; h < halves; h++) madd(c, c.acc[r]![h]!, c.bv[h]!);
    }
    f.get(c.pa).i32(plan.a.col * 4).op('i32.add').set(c.pa);
    f.get(c.pb).i32(c.bStep).op('i32.add').tee(c.pb).get(c.pbEnd).op('i32.ne').brIf(0);
  });
  emitStore(c, rows, width);
}

/** Pushes the 4 lanes of operand `ref` at (row i + r, half h) from its row cursor `p`; `lanes` < 4 reads only those. */
function loadRead(c: BlockContext, ref: StridedRef, p: number, r: number, h: number, lanes: number, into: number): void {
  const { f } = c;
  const off = r * ref.row * 4 + h * 16 * ref.col;
  if (ref.col === 0) f.get(p).mem('v128.load32_splat', off);
  else if (lanes === 4) f.get(p).mem('v128.load', off, 2);
  else {
    f.get(p).mem('v128.load32_zero', off).set(into);
    for (let l = 1; l < lanes; l++) f.get(into).get(p).mem('f32.load', off + 4 * l).lane('f32x4.replace_lane', l).set(into);
    return;
  }
  f.set(into);
}

/** Stores local `v` at (row i + r, half h) of the output, `lanes` of its 4 lanes. */
function storeOut(c: BlockContext, v: number, r: number, h: number, lanes: number): void {
  const { f } = c;
  const off = r * c.plan.n * 4 + h * 16;
  if (lanes === 4) f.get(c.outRow).get(v).mem('v128.store', off, 2);
  else for (let l = 0; l < lanes; l++) f.get(c.outRow).get(v).lane('f32x4.extract_lane', l).mem('f32.store', off + 4 * l);
}

/** alpha, beta * C, the epilogue program and the stores of the block's accumulators. */
function emitStore(c: BlockContext, rows: number, width: number): void {
  const { f, plan } = c;
  const reads = storeReads(plan);
  atRow(c, c.outRow, c.outBase, plan.n * 4);
  reads.forEach((ref, e) => atRow(c, c.readRows[e]!, c.readBases[e]!, ref.row * 4));
  for (let r = 0; r < rows; r++) {
    for (let h = 0; h * 4 < width; h++) {
      const lanes = Math.min(4, width - 4 * h);
      const acc = c.acc[r]![h]!;
      if (plan.alpha !== 1) f.get(acc).f32x4(plan.alpha).op('f32x4.mul').set(acc);
      let e0 = 0;
      if (plan.c) {
        loadRead(c, plan.c, c.readRows[0]!, r, h, lanes, c.inputs[0]!);
        f.get(acc).get(c.inputs[0]!);
        if (plan.beta !== 1) f.f32x4(plan.beta).op('f32x4.mul');
        f.op('f32x4.add').set(acc);
        e0 = 1;
      }
      let result = acc;
      if (plan.program) {
        plan.extras.forEach((x, e) => loadRead(c, x.ref, c.readRows[e0 + e]!, r, h, lanes, c.inputs[e]!));
        result = emitVectorProgram(f, c.vm, plan.program, [acc, ...c.inputs.slice(0, plan.extras.length)], c.steps);
      }
      storeOut(c, result, r, h, lanes);
    }
  }
}
