// A register-blocked f32x4 micro-kernel over one k-major column panel: for `rows` rows of A
// (read in place, one v128.load32_splat per row and k) and a panel of PC columns (PC / 4 vector
// loads per k), acc[r][v] += A[r, k] * panel[k, 4v..4v+4) for every k. The accumulators are
// v128 locals the caller initialises and reads afterwards (epilogues stay with the caller).
// All displacements inside a k step are memarg offsets; k is not unrolled (it did not pay).
import type { FunctionBuilder } from '../encoder.ts';
import type { SimdLevel } from '../kernel.ts';

/** Locals one function's micro-kernels share. */
export class PanelLocals {
  readonly ap: number;
  readonly wp: number;
  readonly end: number;
  readonly splat: number[] = [];
  readonly w: number;
  /** acc[r][v], allocated as asked. */
  private readonly accs: number[][] = [];

  constructor(readonly f: FunctionBuilder) {
    [this.ap, this.wp, this.end, this.w] = [f.local('i32'), f.local('i32'), f.local('i32'), f.local('v128')];
  }

  /** The accumulator of row r, vector v. */
  acc(r: number, v: number): number {
    while (this.accs.length <= r) this.accs.push([]);
    const row = this.accs[r]!;
    while (row.length <= v) row.push(this.f.local('v128'));
    return row[v]!;
  }

  splatOf(r: number): number {
    while (this.splat.length <= r) this.splat.push(this.f.local('v128'));
    return this.splat[r]!;
  }
}

/** What one micro-kernel call reads. */
export interface PanelBlock {
  readonly rows: number;
  /** Vectors per panel row (PC / 4). */
  readonly vecs: number;
  readonly k: number;
  /** Pushes the byte address of A[row 0, k 0]; A's row stride in bytes. */
  readonly a: () => void;
  readonly aRowBytes: number;
  /** Pushes the byte address of the panel (k = 0). */
  readonly w: () => void;
}

/** acc[r][v] = (a * b) + acc[r][v], with a and b on the stack: fused under relaxed SIMD. */
export function madd(f: FunctionBuilder, simd: SimdLevel, acc: number): void {
  f.get(acc);
  if (simd === 'relaxed') f.op('f32x4.relaxed_madd');
  else f.op('f32x4.add');
  f.set(acc);
}

/** Emits the k loop of one block (k >= 1). */
export function emitPanelBlock(L: PanelLocals, simd: SimdLevel, b: PanelBlock): void {
  const { f } = L;
  b.a();
  f.tee(L.ap).i32(b.k * 4).op('i32.add').set(L.end);
  b.w();
  f.set(L.wp);
  f.loop(() => {
    for (let r = 0; r < b.rows; r++) f.get(L.ap).mem('v128.load32_splat', r * b.aRowBytes).set(L.splatOf(r));
    for (let v = 0; v < b.vecs; v++) {
      f.get(L.wp).mem('v128.load', 16 * v).set(L.w);
      for (let r = 0; r < b.rows; r++) {
        f.get(L.splatOf(r)).get(L.w);
        if (simd === 'plain') f.op('f32x4.mul');
        madd(f, simd, L.acc(r, v));
      }
    }
    f.get(L.wp).i32(16 * b.vecs).op('i32.add').set(L.wp);
    f.get(L.ap).i32(4).op('i32.add').tee(L.ap).get(L.end).op('i32.lt_u').brIf(0);
  });
}

/**
 * Runs `body(rows, r0)` over `n` rows in blocks of `mr`: a loop over the full blocks (the i32
 * local `r0` holds the block's first row) and one static tail block of n % mr rows.
 */
export function rowBlocks(f: FunctionBuilder, r0: number, n: number, mr: number, body: (rows: number) => void): void {
  const full = Math.floor(n / mr);
  if (full > 0) f.for(r0, 0, full * mr, mr, () => body(mr));
  if (n % mr > 0) {
    f.i32(full * mr).set(r0);
    body(n % mr);
  }
}
