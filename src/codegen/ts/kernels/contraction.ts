// The 2-D contraction at the heart of matmul and gemm: out[i,j] = epilogue(sum_k A[i,k] B[k,j]).
// Register-blocked 4x4 (sixteen accumulators, eight loads per k step). Each 4-column panel of B
// is first packed into a contiguous K x 4 scratch (one stream instead of four strided ones) and
// reused by every row block; rows are cut into tiles so an A tile stays in L2. Strides are
// literals, so one emitter serves plain, transposed and broadcast operands.
import type { CodeBlockWriter } from 'ts-morph';
import type { DType } from '../../../ir/types.ts';

/** How an operand is read: element (r, c) of the logical matrix is at base + r*rowStride + c*colStride. */
export interface MatrixRef {
  readonly arr: string;
  readonly base: string;
  readonly rowStride: number;
  readonly colStride: number;
}

/** A contraction to emit. A is [M,K], B is [K,N]; the output [M,N] is at `out` + `outBase` (dense unless strides are given). */
export interface Contraction {
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly dtype: DType;
  readonly a: MatrixRef;
  readonly b: MatrixRef;
  readonly out: string;
  readonly outBase: string;
  /** Output element strides (default: dense rows of N). */
  readonly outRowStride?: number;
  readonly outColStride?: number;
  /** Add into the output instead of overwriting it. */
  readonly accumulate?: boolean;
  /** f64 working space of contractionScratch(m, k) elements for packed B panels (else allocated per call). */
  readonly scratch?: string;
  /** One plain i, j, k loop nest: no blocking, no packing (-O0). */
  readonly simple?: boolean;
  /**
   * The stored value for accumulator `acc` at row `i`, column `j` (default: acc itself). It may
   * first write statements to `w`, naming them with `acc` as a prefix.
   */
  readonly epilogue?: (acc: string, i: string, j: string, w: CodeBlockWriter) => string;
  /** Wraps the stored value for the output dtype. */
  readonly store: (value: string) => string;
}

/** Register block edge. */
const R = 4;
/** Rows per cache tile: an A tile of MC x K stays in L2 while a packed B panel stays in L1. */
const MC = 256;
/** Pack B panels only when at least this many 4-row blocks reuse each one. */
const PACK_MIN_BLOCKS = 2;

const plus = (base: string, e: string): string => (base === '0' ? e : e === '0' ? base : `${base} + ${e}`);
const times = (v: string, s: number): string => (s === 0 ? '0' : s === 1 ? v : `${v} * ${s}`);
const at = (v: number, s: number): string => (v * s === 0 ? '' : ` + ${v * s}`);

/** f64 scratch elements a contraction of `m` rows over `k` uses to pack B panels (0: it packs none). */
export function contractionScratch(m: number, k: number): number {
  return (m - (m % R)) / R >= PACK_MIN_BLOCKS ? k * R : 0;
}

/** Emits the whole contraction: 4-row panels, then a 2-row and a 1-row panel for the ragged bottom. */
export function emitContraction(w: CodeBlockWriter, c: Contraction): void {
  if (c.simple) {
    emitScalar(w, c, [0, c.m], [0, c.n]);
    return;
  }
  const m4 = c.m - (c.m % R);
  if (m4 > 0) emitPanels(w, c, R, 0, m4);
  let i0 = m4;
  if (c.m - i0 >= 2) {
    emitPanels(w, c, 2, i0, i0 + 2);
    i0 += 2;
  }
  if (c.m - i0 === 1) emitPanels(w, c, 1, i0, i0 + 1);
}

function ld(c: Contraction, arr: string, idx: string): string {
  return c.dtype === 'i64' ? `Number(${arr}[${idx}])` : `${arr}[${idx}]`;
}

function writeOut(w: CodeBlockWriter, c: Contraction, acc: string, i: string, j: string, idx: string): void {
  const v = c.epilogue ? c.epilogue(acc, i, j, w) : acc;
  w.writeLine(`${c.out}[${idx}] ${c.accumulate ? '+=' : '='} ${c.store(v)};`);
}

/** Output strides: (row, column). */
function outStrides(c: Contraction): [number, number] {
  return [c.outRowStride ?? c.n, c.outColStride ?? 1];
}

/** The output index of (i, j): `outBase + i*rowStride + j*colStride`. */
function outIndex(c: Contraction, i: string, j: string): string {
  const [rs, cs] = outStrides(c);
  return plus(c.outBase, [times(i, rs), times(j, cs)].filter((t) => t !== '0').join(' + ') || '0');
}

/**
 * Rows [from, to) in panels of `rows` rows: blocks of rows x 4 columns, then the ragged right
 * columns one at a time. Tall 4-row runs are cut into MC-row tiles (j inside each tile).
 */
function emitPanels(w: CodeBlockWriter, c: Contraction, rows: number, from: number, to: number): void {
  const n4 = c.n - (c.n % R);
  const iLoop = (lo: string, hi: string, body: () => void): void => {
    if (to - from === rows) {
      w.writeLine(`const i = ${from};`);
      body();
    } else w.write(`for (let i = ${lo}; i < ${hi}; i += ${rows}) `).block(body);
  };
  const packed = rows === R && (to - from) / R >= PACK_MIN_BLOCKS;
  const jLoop = (body: () => void): void =>
    void w.write(`for (let j = 0; j < ${n4}; j += ${R}) `).block(() => {
      if (packed) emitPack(w, c);
      body();
    });
  if (n4 > 0) {
    w.write('').block(() => {
      if (packed) w.writeLine(c.scratch ? `const pk = ${c.scratch};` : `const pk = new Float64Array(${c.k * R});`);
      if (to - from > MC && rows === R) {
        w.write(`for (let it = ${from}; it < ${to}; it += ${MC}) `).block(() => {
          w.writeLine(`const iEnd = Math.min(it + ${MC}, ${to});`);
          jLoop(() => iLoop('it', 'iEnd', () => emitBlock(w, c, rows, packed)));
        });
      } else jLoop(() => iLoop(String(from), String(to), () => emitBlock(w, c, rows, packed)));
    });
  }
  if (n4 < c.n) emitScalar(w, c, [from, to], [n4, c.n]);
}

/** Copies the 4-column panel of B starting at column j into `pk`, k-major: pk[4k + q] = B[k, j + q]. */
function emitPack(w: CodeBlockWriter, c: Contraction): void {
  const { b } = c;
  w.writeLine(`let pb = ${plus(b.base, times('j', b.colStride))};`);
  w.write(`for (let k = 0; k < ${4 * c.k}; k += 4) `).block(() => {
    w.writeLine([0, 1, 2, 3].map((q) => `pk[k${q ? ` + ${q}` : ''}] = ${ld(c, b.arr, `pb${at(q, b.colStride)}`)};`).join(' '));
    w.writeLine(`pb += ${b.rowStride};`);
  });
}

/** One block: `rows` x 4 accumulators over the whole K (B from the packed panel when `packed`), then the stores. */
function emitBlock(w: CodeBlockWriter, c: Contraction, rows: number, packed = false): void {
  const { a, b } = c;
  const rs = [...Array(rows).keys()];
  const qs = [0, 1, 2, 3];
  w.writeLine(`let ${rs.flatMap((r) => qs.map((q) => `c${r}${q} = 0`)).join(', ')};`);
  w.writeLine(`let pa = ${plus(a.base, times('i', a.rowStride))};`);
  w.writeLine(packed ? 'let pb = 0;' : `let pb = ${plus(b.base, times('j', b.colStride))};`);
  w.write(`for (let k = 0; k < ${c.k}; k++) `).block(() => {
    w.writeLine(`const ${rs.map((r) => `a${r} = ${ld(c, a.arr, `pa${at(r, a.rowStride)}`)}`).join(', ')};`);
    const bq = (q: number): string => (packed ? `pk[pb${q ? ` + ${q}` : ''}]` : ld(c, b.arr, `pb${at(q, b.colStride)}`));
    w.writeLine(`const ${qs.map((q) => `b${q} = ${bq(q)}`).join(', ')};`);
    for (const r of rs) w.writeLine(qs.map((q) => `c${r}${q} += a${r} * b${q};`).join(' '));
    w.writeLine(`pa += ${a.colStride}; pb += ${packed ? R : b.rowStride};`);
  });
  w.writeLine(`const o = ${outIndex(c, 'i', 'j')};`);
  const [ors, ocs] = outStrides(c);
  for (const r of rs) {
    for (const q of qs) writeOut(w, c, `c${r}${q}`, r === 0 ? 'i' : `i + ${r}`, q === 0 ? 'j' : `j + ${q}`, `o${at(1, r * ors + q * ocs)}`);
  }
}
function emitScalar(w: CodeBlockWriter, c: Contraction, [i0, i1]: number[], [j0, j1]: number[]): void {
  const { a, b } = c;
  w.write(`for (let i = ${i0}; i < ${i1}; i++) `).block(() => {
    w.write(`for (let j = ${j0}; j < ${j1}; j++) `).block(() => {
      w.writeLine('let acc = 0;');
      w.writeLine(`let pa = ${plus(a.base, times('i', a.rowStride))};`);
      w.writeLine(`let pb = ${plus(b.base, times('j', b.colStride))};`);
      w.write(`for (let k = 0; k < ${c.k}; k++) `).block(() => {
        w.writeLine(`acc += ${ld(c, a.arr, 'pa')} * ${ld(c, b.arr, 'pb')};`);
        w.writeLine(`pa += ${a.colStride}; pb += ${b.rowStride};`);
      });
      writeOut(w, c, 'acc', 'i', 'j', outIndex(c, 'i', 'j'));
    });
  });
}
