// The 2-D contraction at the heart of matmul and gemm: out[i,j] = epilogue(sum_k A[i,k] B[k,j]).
// Register-blocked 4x4 (sixteen accumulators, eight loads per k step), with the rows cut into
// cache tiles so an A tile stays in L2 while a 4-column panel of B stays in L1. Strides are
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

/** A contraction to emit. A is [M,K], B is [K,N], the output is dense [M,N] at `out` + `outBase`. */
export interface Contraction {
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly dtype: DType;
  readonly a: MatrixRef;
  readonly b: MatrixRef;
  readonly out: string;
  readonly outBase: string;
  /** The stored value for accumulator `acc` at row `i`, column `j` (default: acc itself). */
  readonly epilogue?: (acc: string, i: string, j: string) => string;
  /** Wraps the stored value for the output dtype. */
  readonly store: (value: string) => string;
}

/** Register block edge. */
const R = 4;
/** Rows per cache tile: an A tile of MC x K stays in L2 while B panels stream through L1. */
const MC = 64;

const plus = (base: string, e: string): string => (base === '0' ? e : e === '0' ? base : `${base} + ${e}`);
const times = (v: string, s: number): string => (s === 0 ? '0' : s === 1 ? v : `${v} * ${s}`);
const at = (v: number, s: number): string => (v * s === 0 ? '' : ` + ${v * s}`);

/** Emits the whole contraction: blocked main part, then the ragged right columns and bottom rows. */
export function emitContraction(w: CodeBlockWriter, c: Contraction): void {
  const m4 = c.m - (c.m % R);
  const n4 = c.n - (c.n % R);
  if (m4 > 0 && n4 > 0) emitBlocked(w, c, m4, n4);
  if (n4 < c.n && m4 > 0) emitScalar(w, c, [0, m4], [n4, c.n]);
  if (m4 < c.m) emitScalar(w, c, [m4, c.m], [0, c.n]);
}

function ld(c: Contraction, arr: string, idx: string): string {
  return c.dtype === 'i64' ? `Number(${arr}[${idx}])` : `${arr}[${idx}]`;
}

function writeOut(w: CodeBlockWriter, c: Contraction, acc: string, i: string, j: string, idx: string): void {
  const v = c.epilogue ? c.epilogue(acc, i, j) : acc;
  w.writeLine(`${c.out}[${idx}] = ${c.store(v)};`);
}

function emitBlocked(w: CodeBlockWriter, c: Contraction, m4: number, n4: number): void {
  const { a, b } = c;
  const tiled = m4 > MC;
  const rowLoop = (body: () => void): void => {
    if (!tiled) {
      w.write(`for (let i = 0; i < ${m4}; i += ${R}) `).block(body);
      return;
    }
    w.write(`for (let it = 0; it < ${m4}; it += ${MC}) `).block(() => {
      w.writeLine(`const iEnd = Math.min(it + ${MC}, ${m4});`);
      w.write(`for (let j = 0; j < ${n4}; j += ${R}) `).block(() => {
        w.write(`for (let i = it; i < iEnd; i += ${R}) `).block(body);
      });
    });
  };
  const block = (): void => {
    const accs = [0, 1, 2, 3].flatMap((r) => [0, 1, 2, 3].map((q) => `c${r}${q}`));
    w.writeLine(`let ${accs.map((x) => `${x} = 0`).join(', ')};`);
    w.writeLine(`let pa = ${plus(a.base, times('i', a.rowStride))};`);
    w.writeLine(`let pb = ${plus(b.base, times('j', b.colStride))};`);
    w.write(`for (let k = 0; k < ${c.k}; k++) `).block(() => {
      w.writeLine(`const ${[0, 1, 2, 3].map((r) => `a${r} = ${ld(c, a.arr, `pa${at(r, a.rowStride)}`)}`).join(', ')};`);
      w.writeLine(`const ${[0, 1, 2, 3].map((q) => `b${q} = ${ld(c, b.arr, `pb${at(q, b.colStride)}`)}`).join(', ')};`);
      for (let r = 0; r < R; r++) w.writeLine([0, 1, 2, 3].map((q) => `c${r}${q} += a${r} * b${q};`).join(' '));
      w.writeLine(`pa += ${a.colStride}; pb += ${b.rowStride};`);
    });
    w.writeLine(`const o = ${plus(c.outBase, `i * ${c.n} + j`)};`);
    for (let r = 0; r < R; r++) {
      for (let q = 0; q < R; q++) {
        const row = r === 0 ? 'i' : `i + ${r}`;
        const col = q === 0 ? 'j' : `j + ${q}`;
        writeOut(w, c, `c${r}${q}`, row, col, `o${at(1, r * c.n + q)}`);
      }
    }
  };
  if (tiled) rowLoop(block);
  else w.write(`for (let j = 0; j < ${n4}; j += ${R}) `).block(() => rowLoop(block));
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
      writeOut(w, c, 'acc', 'i', 'j', plus(c.outBase, `i * ${c.n} + j`));
    });
  });
}
