// The wasm convolution family: conv (f32, any number of spatial dims, groups, strides,
// dilations, pads, optional bias) as the contraction family's register blocks over im2col panels
// (see conv-plan.ts for the formulation). A unit is one segment of one output row of one
// (image, group). It first writes its im2col columns into the share's scratch, already as k-major
// panels of 8 positions (position q of the segment is lane q % 8 of panel q / 8): per tap of the
// outer dims, its input row is inside or not (a whole run of zeros, memory.fill); per tap of the
// last dim, the positions [a, b) that read inside the input are copied (at stride 1 a panel row
// of two vectors at a time) and the rest zeroed, for every input channel. Then each panel runs
// the blocks of gemm-block.ts over the group's output channels (W read in place as A), with the
// bias as the store's epilogue, storing 4 positions of one channel at a time straight into the NCHW output.
import type { FunctionBuilder } from '../encoder.ts';
import type { UnitRange, WasmKernelFamily, WasmKernelInput } from '../kernel.ts';
import { VecMath } from './vmath.ts';
import { type BlockContext, NR, emitBlock, storeReads } from './gemm-block.ts';
import { type ConvGeometry, convGeometry, convScratchBytes, convUnits } from './conv-plan.ts';

/** Tunables: register block rows (default 6 with relaxed SIMD and no bias, else 4, as the GEMM). */
export interface ConvOptions {
  readonly mr?: number;
}

/** Bytes from one k step of a panel to the next, and of one panel. */
const STEP = NR * 4;
const panelBytes = (g: ConvGeometry): number => g.depth * STEP;

/** Locals of one conv kernel function (the block's, then the unit's and the packing loops'). */
interface Locals extends BlockContext {
  readonly g: ConvGeometry;
  readonly mr: number;
  readonly i32: Record<'u' | 'tmp' | 'seg' | 'row' | 'gi' | 'ni' | 's0' | 'xg' | 'scratch' | 'outPlane' | 'rowOff' | 'valid' | 'tl' | 'shift' | 'lo' | 'hi' | 'a' | 'b' | 'q' | 'c' | 'src' | 'dst' | 'pp' | 'dq' | 'sq', number>;
  /** i32 locals: the outer output coordinates of the unit's row. */
  readonly o: readonly number[];
}

function locals(f: FunctionBuilder, k: WasmKernelInput<'conv'>, g: ConvGeometry, mr: number): Locals {
  const i32 = (): number => f.local('i32');
  const v128 = (): number => f.local('v128');
  const reads = storeReads(g.gemm);
  const names = ['u', 'tmp', 'seg', 'row', 'gi', 'ni', 's0', 'xg', 'scratch', 'outPlane', 'rowOff', 'valid', 'tl', 'shift', 'lo', 'hi', 'a', 'b', 'q', 'c', 'src', 'dst', 'pp', 'dq', 'sq'] as const;
  return {
    f, plan: g.gemm, simd: k.simd, vm: new VecMath(f, k.simd), bStep: STEP, bHalf: 16,
    i: i32(), pb0: i32(), pbEnd: i32(), pa: i32(), pb: i32(), aBase: i32(), outBase: i32(), outRow: i32(),
    readBases: reads.map(i32), readRows: reads.map(i32),
    acc: Array.from({ length: mr }, () => [v128(), v128()]),
    splat: v128(), bv: [v128(), v128()],
    inputs: Array.from({ length: Math.max(reads.length, 1) }, v128),
    steps: (g.gemm.program?.steps ?? []).map(v128),
    g, mr,
    i32: Object.fromEntries(names.map((n) => [n, i32()])) as Locals['i32'],
    o: g.p.output.slice(0, -1).map(i32),
  };
}

/** Decodes unit `u` into (image, group, row, segment) and sets the unit's bases. */
function emitUnitSetup(L: Locals, k: WasmKernelInput<'conv'>): void {
  const { f, g } = L;
  const v = L.i32;
  const split = (from: number, by: number, rem: number, quot: number): void => {
    f.get(from).i32(by).op('i32.rem_u').set(rem).get(from).i32(by).op('i32.div_u').set(quot);
  };
  split(v.u, g.segs, v.seg, v.tmp);
  split(v.tmp, g.rows, v.row, v.tmp);
  split(v.tmp, g.p.group, v.gi, v.ni);
  f.get(v.seg).i32(g.seg).op('i32.mul').set(v.s0);
  const outer = g.p.output.slice(0, -1);
  const st = outer.map((_, d) => outer.slice(d + 1).reduce((s, x) => s * x, 1));
  L.o.forEach((o, d) => {
    f.get(v.row);
    if (st[d] !== 1) f.i32(st[d]!).op('i32.div_u');
    if (d > 0) f.i32(outer[d]!).op('i32.rem_u');
    f.set(o);
  });
  // xg = x + (ni * C + gi * cg) * inSize * 4; the group's weights, bias and output plane likewise.
  const plane = (channels: number, perGroup: number, size: number, addr: number, local: number): void => {
    f.get(v.ni).i32(channels).op('i32.mul').get(v.gi).i32(perGroup).op('i32.mul').op('i32.add').i32(size * 4).op('i32.mul').i32(addr).op('i32.add').set(local);
  };
  plane(g.p.inChannels, g.cg, g.inSize, k.x[0]!, v.xg);
  plane(g.p.outChannels, g.ocg, g.outSize, k.y[0]!, v.outPlane);
  f.get(v.outPlane).get(v.row).i32(g.wOut).op('i32.mul').get(v.s0).op('i32.add').i32(4).op('i32.mul').op('i32.add').set(v.outPlane);
  f.get(v.gi).i32(g.ocg * g.depth * 4).op('i32.mul').i32(k.x[1]!).op('i32.add').set(L.aBase);
  if (g.gemm.extras.length > 0) f.get(v.gi).i32(g.ocg * 4).op('i32.mul').i32(k.x[2]!).op('i32.add').set(L.readBases[0]!);
}

/** while (cond()) body(); cond pushes an i32. */
function whileLoop(f: FunctionBuilder, cond: () => void, body: () => void): void {
  f.block(() => {
    cond();
    f.op('i32.eqz').brIf(0);
    f.loop(() => {
      body();
      cond();
      f.brIf(0);
    });
  });
}

/** Pushes the scratch address of position q of the current column: dst + (q / 8) * panel + (q % 8) * 4. */
function at(L: Locals): void {
  const { f } = L;
  const { dst, q } = L.i32;
  f.get(dst).get(q).i32(3).op('i32.shr_u').i32(panelBytes(L.g)).op('i32.mul').op('i32.add');
  f.get(q).i32(7).op('i32.and').i32(2).op('i32.shl').op('i32.add');
}

/** One column (one input channel and tap) of `len` positions: zeros, the run [a, b) from the input, zeros to the padded end. */
function emitColumn(L: Locals, len: number): void {
  const { f, g } = L;
  const { q, a, b, src } = L.i32;
  const sLast = g.strides[g.strides.length - 1]!;
  const next = (): void => void f.get(q).i32(1).op('i32.add').set(q);
  const zero = (): void => {
    at(L);
    f.f32(0).mem('f32.store');
  };
  const copy = (): void => {
    at(L);
    f.get(src).get(q).i32(sLast * 4).op('i32.mul').op('i32.add').mem('f32.load').mem('f32.store');
  };
  f.i32(0).set(q);
  whileLoop(f, () => f.get(q).get(a).op('i32.lt_s'), () => (zero(), next()));
  if (sLast === 1) {
    whileLoop(f, () => f.get(q).get(b).op('i32.lt_s').get(q).i32(3).op('i32.and').i32(0).op('i32.ne').op('i32.and'), () => (copy(), next()));
    // 4 lanes while q is not at a panel start, then whole panel rows of 8 (two vectors), then the last 4.
    const vectors = (count: 1 | 2): void => {
      at(L);
      f.set(L.i32.dq).get(src).get(q).i32(4).op('i32.mul').op('i32.add').set(L.i32.sq);
      for (let h = 0; h < count; h++) f.get(L.i32.dq).get(L.i32.sq).mem('v128.load', 16 * h, 0).mem('v128.store', 16 * h, 0);
      f.get(q).i32(4 * count).op('i32.add').set(q);
    };
    const fits = (n: number): void => void f.get(q).i32(n).op('i32.add').get(b).op('i32.le_s');
    whileLoop(f, () => (fits(4), f.get(q).i32(4).op('i32.and').i32(0).op('i32.ne').op('i32.and')), () => vectors(1));
    whileLoop(f, () => fits(8), () => vectors(2));
    whileLoop(f, () => fits(4), () => vectors(1));
  }
  whileLoop(f, () => f.get(q).get(b).op('i32.lt_s'), () => (copy(), next()));
  whileLoop(f, () => f.get(q).i32(Math.ceil(len / NR) * NR).op('i32.lt_s'), () => (zero(), next()));
}

/** Pops two i32 values x, y and sets local `into` to min(x, y) or max(x, y) (tmp is clobbered). */
function minMax(L: Locals, into: number, max: boolean): void {
  const { f } = L;
  const t = L.i32.tmp;
  f.set(t).set(into);
  f.get(into).get(t).get(into).get(t).op(max ? 'i32.gt_s' : 'i32.lt_s').op('select').set(into);
}

/** The columns of outer tap `ti` (its input row valid, at plane offset rowOff): every last-dim tap, every channel. */
function emitTapRow(L: Locals, ti: number, len: number): void {
  const { f, g } = L;
  const v = L.i32;
  const r = g.strides.length - 1;
  const [sLast, dLast, pLast, wIn] = [g.strides[r]!, g.dilations[r]!, g.padsBegin[r]!, g.input[r]!];
  f.for(v.tl, 0, g.kernel[r]!, 1, () => {
    f.get(v.tl).i32(dLast).op('i32.mul').i32(pLast).op('i32.sub').set(v.shift);
    // lo = shift >= 0 ? 0 : ceil(-shift / s); hi = floor((wIn - 1 - shift) / s) + 1 (0 when negative); both within [0, wOut].
    f.i32(0).i32(pLast).get(v.tl).i32(dLast).op('i32.mul').op('i32.sub').i32(sLast - 1).op('i32.add').i32(sLast).op('i32.div_u');
    f.get(v.shift).i32(0).op('i32.ge_s').op('select').set(v.lo);
    f.get(v.lo).i32(g.wOut);
    minMax(L, v.lo, false);
    f.i32(wIn - 1).get(v.shift).op('i32.sub').tee(v.hi).i32(sLast).op('i32.div_s').i32(1).op('i32.add').i32(0).get(v.hi).i32(0).op('i32.ge_s').op('select').set(v.hi);
    f.get(v.hi).i32(g.wOut);
    minMax(L, v.hi, false);
    f.get(v.hi).get(v.lo);
    minMax(L, v.hi, true);
    // a = clamp(lo - s0, 0, len), b = clamp(hi - s0, a, len): the segment's run inside the input.
    f.get(v.lo).get(v.s0).op('i32.sub').i32(0);
    minMax(L, v.a, true);
    f.get(v.a).i32(len);
    minMax(L, v.a, false);
    f.get(v.hi).get(v.s0).op('i32.sub').get(v.a);
    minMax(L, v.b, true);
    f.get(v.b).i32(len);
    minMax(L, v.b, false);
    f.get(v.rowOff).get(v.s0).i32(sLast).op('i32.mul').op('i32.add').get(v.shift).op('i32.add').i32(4).op('i32.mul').get(v.xg).op('i32.add').set(v.src);
    f.get(v.tl).i32(ti * g.kernel[r]!).op('i32.add').i32(STEP).op('i32.mul').get(v.scratch).op('i32.add').set(v.dst);
    f.for(v.c, 0, g.cg, 1, () => {
      emitColumn(L, len);
      f.get(v.src).i32(g.inSize * 4).op('i32.add').set(v.src);
      f.get(v.dst).i32(g.taps * STEP).op('i32.add').set(v.dst);
    });
  });
}

/** Zeros of outer tap `ti` whose input row is in the pads: its kLast columns of every channel, in every panel. */
function emitZeroRow(L: Locals, ti: number, len: number): void {
  const { f, g } = L;
  const v = L.i32;
  const kLast = g.kernel[g.kernel.length - 1]!;
  f.for(v.c, 0, g.cg, 1, () => {
    f.get(v.c).i32(g.taps * STEP).op('i32.mul').i32(ti * kLast * STEP).op('i32.add').get(v.scratch).op('i32.add').set(v.dst);
    f.for(v.pp, 0, Math.ceil(len / NR), 1, () => {
      f.get(v.dst).get(v.pp).i32(panelBytes(g)).op('i32.mul').op('i32.add').i32(0).i32(kLast * STEP).op('memory.fill');
    });
  });
}

/** The im2col panels of a segment of `len` positions. */
function emitPack(L: Locals, len: number): void {
  const { f, g } = L;
  const v = L.i32;
  const outerK = g.kernel.slice(0, -1);
  const count = outerK.reduce((s, x) => s * x, 1);
  for (let ti = 0; ti < count; ti++) {
    const t = outerK.map((_, d) => Math.floor(ti / outerK.slice(d + 1).reduce((s, x) => s * x, 1)) % outerK[d]!);
    f.i32(0).set(v.rowOff).i32(1).set(v.valid);
    t.forEach((td, d) => {
      f.get(L.o[d]!).i32(g.strides[d]!).op('i32.mul').i32(td * g.dilations[d]! - g.padsBegin[d]!).op('i32.add').tee(v.tmp);
      f.i32(g.input[d]!).op('i32.lt_u').get(v.valid).op('i32.and').set(v.valid);
      f.get(v.rowOff).get(v.tmp).i32(g.inStrides[d]!).op('i32.mul').op('i32.add').set(v.rowOff);
    });
    if (t.length === 0) emitTapRow(L, ti, len);
    else f.get(v.valid).if(() => emitTapRow(L, ti, len), () => emitZeroRow(L, ti, len));
  }
}

/** The register blocks of one panel of `width` columns at pb0, output at outBase. */
function emitPanel(L: Locals, width: number): void {
  const { f, g, mr } = L;
  f.get(L.pb0).i32(panelBytes(g)).op('i32.add').set(L.pbEnd);
  const full = g.ocg - (g.ocg % mr);
  f.for(L.i, 0, full, mr, () => emitBlock(L, mr, width));
  if (g.ocg % mr > 0) {
    f.i32(full).set(L.i);
    emitBlock(L, g.ocg % mr, width);
  }
}

/** Packs a segment of `len` positions, then runs its panels. */
function emitSegment(L: Locals, len: number): void {
  const { f, g } = L;
  const v = L.i32;
  emitPack(L, len);
  const panels = Math.ceil(len / NR);
  const lastWidth = len - (panels - 1) * NR;
  f.get(v.scratch).set(L.pb0).get(v.outPlane).set(L.outBase);
  const advance = (): void => {
    f.get(L.pb0).i32(panelBytes(g)).op('i32.add').set(L.pb0);
    f.get(L.outBase).i32(NR * 4).op('i32.add').set(L.outBase);
  };
  f.for(v.pp, 0, panels - 1, 1, () => (emitPanel(L, NR), advance()));
  emitPanel(L, lastWidth);
}

/** The conv family with register blocks of MR x 8 over im2col panels. */
export function convFamily(o: ConvOptions = {}): WasmKernelFamily<'conv'> {
  const rows = (k: { simd: string }, g: ConvGeometry): number => o.mr ?? (k.simd === 'relaxed' && !g.gemm.program ? 6 : 4);
  return {
    name: `conv as im2col panels of ${NR} positions under the contraction's register blocks (W read in place as A)`,
    accepts: (n) => [...n.inputs, ...n.outputs].every((t) => t.dtype === 'f32') && n.outputs[0]!.shape.every((d) => d > 0),
    units: (n) => convUnits(convGeometry(n)),
    scratchBytes: (n) => convScratchBytes(convGeometry(n)),
    emit(f, k, range: UnitRange) {
      const g = convGeometry(k);
      const L = locals(f, k, g, rows(k, g));
      const v = L.i32;
      f.get(range.share).i32(convScratchBytes(g)).op('i32.mul').i32(k.scratch!).op('i32.add').set(v.scratch);
      f.get(range.lo).set(v.u);
      whileLoop(f, () => f.get(v.u).get(range.hi).op('i32.lt_s'), () => {
        emitUnitSetup(L, k);
        if (g.lastSeg === g.seg) emitSegment(L, g.seg);
        else f.get(v.seg).i32(g.segs - 1).op('i32.eq').if(() => emitSegment(L, g.lastSeg), () => emitSegment(L, g.seg));
        f.get(v.u).i32(1).op('i32.add').set(v.u);
      });
    },
  };
}

/** The family as the backend registers it. */
export const convKernels = convFamily();
