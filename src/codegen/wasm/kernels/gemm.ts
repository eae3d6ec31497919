// The wasm contraction family: matmul and gemm (f32), every layout the op accepts (batch dims
// broadcast either side, transA/transB, 1-D operands, gemm alpha, beta and C broadcast) and the
// fused epilogue as f32x4 code on the register block before its store. Epilogue steps are those of
// the elementwise family's vector table (add, sub, mul, div, max, min, neg, abs, sqrt, relu,
// reciprocal, exp, log, tanh, sigmoid, erf, gelu, identity) with every value f32; a node whose
// epilogue has any other step (pow, comparisons, where, casts to integers) is not accepted.
//
// B is used as panels of NR = 8 columns, k-major (K x 8 floats, columns past N zero):
//   - B static (a weight, constant, static value): packed once by `prepare` into `prepared`;
//   - else each unit packs its panel into its share's `scratch` first (the default), or, with
//     `inPlaceB`, B with contiguous columns is read in place (its ragged last panel packed).
//     Measured (one core, loaded machine, 3 runs): 10x512 @ 512x512 packed 26-29 GFLOP/s vs in
//     place 23-26; an attention-like 8 x 128x128 @ 128x64 within noise of each other (33-47).
// A is read in place with v128.load32_splat; the output is blocked MR x 8 (MR a parameter).
//
// The register block is MR x 8: 6 rows with relaxed SIMD when the store reads nothing (no C, no
// epilogue): 12 accumulators + 2 B vectors + 1 splat fill V8's ~15 allocatable xmm registers, and
// it ran 1.06-1.21x MR 4 on 512³, 128x512x{512,2048} and 10x512x512 (Xeon, quiet machine,
// scripts/bench/wasm-gemm-mr.ts). With a bias or an epilogue the store's registers make it spill:
// MHA 1x128x512 (bias gemms) ran 34 GFLOP/s with 6 rows against 46 with 4, so those keep 4. Plain
// SIMD keeps 4 (mul + add holds a product live per FMA; MR 4, 5 and 6 were within 3%).
//
// Work units: (batch, row chunk, column panel), panel fastest. One chunk holds every row unless a
// batch has fewer than 4 panels; then rows are cut into chunks (multiples of 12, so of either MR)
// so that threads still get several units. The grid depends on the shape only, never on MR: the
// relaxed and plain binaries share one loader, which splits their kernels by the same units. A unit
// packs (if it must) its panel once and runs all its row blocks; the edge rows (M % MR) run in the
// last chunk with a smaller block.
import { programTypes } from '../../../ops/program.ts';
import type { FunctionBuilder } from '../encoder.ts';
import type { SimdLevel, UnitRange, WasmKernelFamily, WasmKernelInput, WasmNodeInfo } from '../kernel.ts';
import { vectorisable } from './elementwise.ts';
import { VecMath } from './vmath.ts';
import { type BlockContext, NR, emitBlock, storeReads } from './gemm-block.ts';
import { type GemmPlan, type StridedRef, batchDecode, planContraction } from './gemm-plan.ts';

type Contraction = 'matmul' | 'gemm';

/** Tunables of the family: register block rows (by default 6 with relaxed SIMD and a plain store, else 4), and whether a dynamic B with contiguous columns is read in place. */
export interface GemmOptions {
  readonly mr?: number;
  readonly inPlaceB: boolean;
}

/** Row chunks are multiples of this (a multiple of every default MR), so the grid is MR-free. */
const CHUNK_QUANTUM = 12;

/** The register block rows for an instruction set. */
const blockRows = (o: GemmOptions, simd: SimdLevel, plan: GemmPlan): number =>
  o.mr ?? (simd === 'relaxed' && !plan.c && !plan.program ? 6 : 4);

/** How a kernel gets its B panels. */
type BMode = 'prepared' | 'in-place' | 'scratch';

/** The sizes of a kernel's unit grid. */
interface Grid {
  readonly plan: GemmPlan;
  readonly mode: BMode;
  readonly batches: number;
  readonly panels: number;
  /** Valid columns of the last panel (1..8). */
  readonly lastWidth: number;
  readonly chunks: number;
  /** Rows of one chunk (a multiple of MR and of CHUNK_QUANTUM). */
  readonly chunkRows: number;
  /** The register block rows. */
  readonly mr: number;
  /** Rows covered by full MR blocks, and the edge rows after them. */
  readonly fullRows: number;
  readonly edgeRows: number;
}

function grid(n: WasmNodeInfo<Contraction>, o: GemmOptions): Grid {
  const plan = planContraction(n)!;
  const mr = blockRows(o, n.simd, plan);
  const mode: BMode = n.staticInputs[1] ? 'prepared' : o.inPlaceB && plan.b.col === 1 ? 'in-place' : 'scratch';
  const panels = Math.ceil(plan.n / NR);
  // Chunks cut by the shape alone (see the header): quanta of rows, spread over `want` chunks.
  const quantum = o.mr === undefined ? CHUNK_QUANTUM : mr;
  const quanta = Math.ceil(plan.m / quantum);
  const want = panels >= 4 || quanta <= 1 ? 1 : Math.ceil(4 / panels);
  const chunkRows = Math.ceil(quanta / want) * quantum;
  const chunks = Math.ceil(plan.m / chunkRows);
  const batches = plan.batch.reduce((a, b) => a * b, 1);
  return { plan, mode, batches, panels, lastWidth: plan.n - (panels - 1) * NR, chunks, chunkRows, mr, fullRows: plan.m - (plan.m % mr), edgeRows: plan.m % mr };
}

/** Bytes of one packed panel. */
const panelBytes = (g: Grid): number => g.plan.k * NR * 4;

/** Pushes the element offset of a batch-strided operand at flat batch local `bi`, times `scale` bytes. */
function batchOffset(f: FunctionBuilder, g: Grid, strides: readonly number[], bi: number, scale: number): void {
  const decode = batchDecode(g.plan.batch);
  f.i32(0);
  strides.forEach((s, t) => {
    if (s === 0) return;
    f.get(bi);
    if (decode[t] !== 1) f.i32(decode[t]!).op('i32.div_u');
    if (t > 0) f.i32(g.plan.batch[t]!).op('i32.rem_u');
    f.i32(s * scale).op('i32.mul').op('i32.add');
  });
}

/** Packs one panel: K rows of `width` columns from local `src` (advanced by B's strides) to local `dst` (advanced by K x 8 floats). */
function emitPack(f: FunctionBuilder, g: Grid, src: number, dst: number, end: number, width: number): void {
  const { b } = g.plan;
  f.get(dst).i32(panelBytes(g)).op('i32.add').set(end);
  f.loop(() => {
    if (width === NR && b.col === 1) {
      for (const h of [0, 16]) f.get(dst).get(src).mem('v128.load', h, 2).mem('v128.store', h);
    } else {
      for (let q = 0; q < width; q++) f.get(dst).get(src).mem('f32.load', q * b.col * 4).mem('f32.store', q * 4);
      for (let q = width; q < NR; q++) f.get(dst).f32(0).mem('f32.store', q * 4);
    }
    f.get(src).i32(b.row * 4).op('i32.add').set(src);
    f.get(dst).i32(NR * 4).op('i32.add').tee(dst).get(end).op('i32.ne').brIf(0);
  });
}

/** Locals of one kernel function. */
interface Locals extends BlockContext {
  /** i32: this share's scratch (scratch + share * scratchBytes). */
  readonly scratch: number;
  readonly u: number;
  readonly bi: number;
  readonly chunk: number;
  readonly panel: number;
  readonly src: number;
  readonly dst: number;
  readonly end: number;
}

function locals(f: FunctionBuilder, n: WasmNodeInfo<Contraction>, g: Grid, mr: number): Locals {
  const i32 = (): number => f.local('i32');
  const v128 = (): number => f.local('v128');
  const reads = storeReads(g.plan);
  const p = g.plan.program;
  return {
    f, plan: g.plan, simd: n.simd, vm: new VecMath(f, n.simd),
    bStep: g.mode === 'in-place' ? g.plan.b.row * 4 : NR * 4, bHalf: 16,
    scratch: i32(), u: i32(), bi: i32(), chunk: i32(), panel: i32(), src: i32(), dst: i32(), end: i32(),
    i: i32(), pb0: i32(), pbEnd: i32(), pa: i32(), pb: i32(), aBase: i32(), outBase: i32(), outRow: i32(),
    readBases: reads.map(i32), readRows: reads.map(i32),
    acc: Array.from({ length: mr }, () => [v128(), v128()]),
    splat: v128(), bv: [v128(), v128()],
    inputs: Array.from({ length: Math.max(reads.length, 1) }, v128),
    steps: (p?.steps ?? []).map(v128),
  };
}

/** Sets the unit's batch, chunk and panel locals and its A, B, output and store-operand bases. */
function emitUnitSetup(L: Locals, k: WasmKernelInput<Contraction>, g: Grid): void {
  const { f, plan } = L;
  const perBatch = g.chunks * g.panels;
  const split = (v: number, by: number, q: number, r: number): void => {
    f.get(v).i32(by).op('i32.div_u').set(q).get(v).i32(by).op('i32.rem_u').set(r);
  };
  split(L.u, perBatch, L.bi, L.src);
  split(L.src, g.panels, L.chunk, L.panel);
  const base = (addr: number, strides: readonly number[], local: number, colBytes: number): void => {
    batchOffset(f, g, strides, L.bi, 4);
    f.i32(addr).op('i32.add');
    if (colBytes !== 0) f.get(L.panel).i32(colBytes * NR).op('i32.mul').op('i32.add');
    f.set(local);
  };
  base(k.x[0]!, plan.a.batch, L.aBase, 0);
  // The output is dense: batch bi starts at bi * M * N.
  base(k.y[0]!, batchDecode(plan.batch).map((s) => s * plan.m * plan.n), L.outBase, 4);
  const reads: StridedRef[] = storeReads(plan);
  const readInputs = [...(plan.c ? [2] : []), ...plan.extras.map((e) => e.input)];
  reads.forEach((ref, e) => base(k.x[readInputs[e]!]!, ref.batch, L.readBases[e]!, ref.col * 4));
  if (g.mode === 'prepared') {
    batchOffset(f, g, plan.b.batch, L.bi, g.panels * panelBytes(g));
    f.i32(k.prepared!).op('i32.add').get(L.panel).i32(panelBytes(g)).op('i32.mul').op('i32.add').set(L.pb0);
  } else base(k.x[1]!, plan.b.batch.map((s) => s * plan.bMatrixSize), L.src, plan.b.col * 4);
}

/** Whether a panel of `width` columns is packed into scratch by the unit that runs it. */
function packsPanel(g: Grid, width: number): boolean {
  return g.mode === 'scratch' || (g.mode === 'in-place' && width < NR);
}

/** The row blocks of one panel of `width` columns whose B starts at pb0 (packing it first when it must). */
function emitPanel(L: Locals, k: WasmKernelInput<Contraction>, g: Grid, mr: number, width: number): void {
  const { f, plan } = L;
  if (packsPanel(g, width)) {
    f.get(L.scratch).set(L.dst);
    emitPack(f, g, L.src, L.dst, L.end, width);
    f.get(L.scratch).set(L.pb0);
  } else if (g.mode === 'in-place') f.get(L.src).set(L.pb0);
  const step = g.mode === 'in-place' && width === NR ? plan.b.row * 4 : NR * 4;
  const ctx: BlockContext = { ...L, bStep: step };
  f.get(L.pb0).i32(plan.k * step).op('i32.add').set(L.pbEnd);
  if (g.chunks === 1) f.for(L.i, 0, g.fullRows, mr, () => emitBlock(ctx, mr, width));
  else {
    // i from chunk * chunkRows to min(that + chunkRows, fullRows).
    // The last chunk may hold edge rows only (its start at or past fullRows): test before the first block.
    f.get(L.chunk).i32(g.chunkRows).op('i32.mul').set(L.i);
    f.get(L.i).i32(g.chunkRows).op('i32.add').tee(L.end).i32(g.fullRows).get(L.end).i32(g.fullRows).op('i32.lt_s').op('select').set(L.end);
    f.block(() => {
      f.get(L.i).get(L.end).op('i32.ge_s').brIf(0);
      f.loop(() => {
        emitBlock(ctx, mr, width);
        f.get(L.i).i32(mr).op('i32.add').tee(L.i).get(L.end).op('i32.lt_s').brIf(0);
      });
    });
  }
  if (g.edgeRows > 0) {
    const edge = (): void => {
      f.i32(g.fullRows).set(L.i);
      emitBlock(ctx, g.edgeRows, width);
    };
    if (g.chunks === 1) edge();
    else f.get(L.chunk).i32(g.chunks - 1).op('i32.eq').if(edge);
  }
}

/** The contraction family with register blocks of MR x 8 (`o.mr`, or by instruction set). */
export function gemmFamily(o: GemmOptions = { inPlaceB: false }): WasmKernelFamily<Contraction> {
  return {
    name: `contractions (matmul, gemm) as ${o.mr ?? '6 (relaxed, plain store) or 4'}x${NR} f32x4 register blocks over 8-column k-major B panels`,
    accepts(n) {
      const f32 = [...n.inputs, ...n.outputs].every((t) => t.dtype === 'f32');
      const plan = f32 ? planContraction(n) : undefined;
      if (!plan || plan.m * plan.n * plan.k === 0) return false;
      if (!plan.program) return true;
      const types = programTypes(plan.program, [n.outputs[0]!, ...plan.extras.map((e) => n.inputs[e.input]!)]);
      return vectorisable(plan.program) && types.every((t) => t.dtype === 'f32');
    },
    units: (n) => {
      const g = grid(n, o);
      return g.batches * g.chunks * g.panels;
    },
    scratchBytes: (n) => {
      const g = grid(n, o);
      return packsPanel(g, NR) || packsPanel(g, g.lastWidth) ? panelBytes(g) : 0;
    },
    preparedBytes: (n) => {
      const g = grid(n, o);
      return g.mode === 'prepared' ? g.plan.bMatrices * g.panels * panelBytes(g) : 0;
    },
    consumes: (n) => (grid(n, o).mode === 'prepared' ? [1] : []),
    emitPrepare(f, k) {
      const g = grid(k, o);
      const { b } = g.plan;
      const [q, p, src, dst, end] = [f.local('i32'), f.local('i32'), f.local('i32'), f.local('i32'), f.local('i32')];
      f.i32(k.prepared!).set(dst);
      const panelAt = (): void => {
        f.get(q).i32(g.plan.bMatrixSize * 4).op('i32.mul').i32(k.x[1]!).op('i32.add');
        f.get(p).i32(NR * b.col * 4).op('i32.mul').op('i32.add').set(src);
      };
      f.for(q, 0, g.plan.bMatrices, 1, () => {
        f.for(p, 0, g.panels - 1, 1, () => {
          panelAt();
          emitPack(f, g, src, dst, end, NR);
        });
        f.i32(g.panels - 1).set(p);
        panelAt();
        emitPack(f, g, src, dst, end, g.lastWidth);
      });
    },
    emit(f, k, range: UnitRange) {
      const g = grid(k, o);
      const L = locals(f, k, g, g.mr);
      if (k.scratch !== undefined) f.get(range.share).i32(panelBytes(g)).op('i32.mul').i32(k.scratch).op('i32.add').set(L.scratch);
      f.get(range.lo).set(L.u);
      f.block(() => {
        f.get(L.u).get(range.hi).op('i32.ge_s').brIf(0);
        f.loop(() => {
          emitUnitSetup(L, k, g);
          if (g.lastWidth === NR) emitPanel(L, k, g, g.mr, NR);
          else if (g.panels === 1) emitPanel(L, k, g, g.mr, g.lastWidth);
          else {
            f.get(L.panel).i32(g.panels - 1).op('i32.eq').if(
              () => emitPanel(L, k, g, g.mr, g.lastWidth),
              () => emitPanel(L, k, g, g.mr, NR),
            );
          }
          f.get(L.u).i32(1).op('i32.add').tee(L.u).get(range.hi).op('i32.lt_s').brIf(0);
        });
      });
    },
  };
}

/** The family as the backend registers it. */
export const gemmKernels = gemmFamily();
