// matmul and gemm kernels: operand layouts (transposes, 1-D operands, broadcast batches)
// become literal strides of one blocked contraction; gemm's alpha, beta and C become its epilogue.
import type { CodeBlockWriter } from 'ts-morph';
import { type Shape, numel, stridesOf } from '../../../ir/types.ts';
import { broadcastShapes } from '../../../ops/util.ts';
import { epilogueInputCount } from '../../../ops/matmul.ts';
import { broadcastStrides, denseStrides, emitLoops, mergeDims } from '../../loops.ts';
import { type KernelInput, inArg, outArg } from '../kernel.ts';
import { numberLiteral, storeValue } from '../names.ts';
import { type MatrixRef, emitContraction } from './contraction.ts';
import { emitProgram } from './program.ts';

/** A stored operand seen as a batch of matrices: logical rows x cols, with element strides. */
interface Operand {
  readonly batch: Shape;
  readonly rows: number;
  readonly cols: number;
  readonly rowStride: number;
  readonly colStride: number;
}

/** Operand A of matmul: [..., M, K] (or [..., K, M] with transA); a 1-D A is one row. */
function operandA(s: Shape, trans: boolean): Operand {
  if (s.length === 1) return { batch: [], rows: 1, cols: s[0]!, rowStride: 0, colStride: 1 };
  const [r, c] = [s[s.length - 2]!, s[s.length - 1]!];
  const batch = s.slice(0, -2);
  return trans ? { batch, rows: c, cols: r, rowStride: 1, colStride: c } : { batch, rows: r, cols: c, rowStride: c, colStride: 1 };
}

/** Operand B of matmul: [..., K, N] (or [..., N, K] with transB); a 1-D B is one column. */
function operandB(s: Shape, trans: boolean): Operand {
  if (s.length === 1) return { batch: [], rows: s[0]!, cols: 1, rowStride: 1, colStride: 0 };
  const [r, c] = [s[s.length - 2]!, s[s.length - 1]!];
  const batch = s.slice(0, -2);
  return trans ? { batch, rows: c, cols: r, rowStride: 1, colStride: c } : { batch, rows: r, cols: c, rowStride: c, colStride: 1 };
}

function matrixRef(arr: string, base: string, o: Operand): MatrixRef {
  return { arr, base, rowStride: o.rowStride, colStride: o.colStride };
}

/** How the store reads one epilogue extra input: its array and its element index for output (i, j). */
interface ExtraRef {
  readonly arr: string;
  readonly at: (i: string, j: string) => string;
}

/** The epilogue's extra inputs of a kernel (the trailing node inputs). */
function extras(k: KernelInput<'matmul' | 'gemm'>): { index: number; shape: Shape }[] {
  const n = epilogueInputCount(k.node.attrs);
  return k.inputs.slice(k.inputs.length - n).map((t, i) => ({ index: k.inputs.length - n + i, shape: t.shape }));
}

/** `base + i*row + j*col`, omitting zero terms. */
function linearIndex(base: string, i: string, row: number, j: string, col: number): string {
  const term = (v: string, s: number): string => (s === 0 ? '' : s === 1 ? `(${v})` : `(${v}) * ${s}`);
  return [base === '0' ? '' : base, term(i, row), term(j, col)].filter(Boolean).join(' + ') || '0';
}

/** The store's value with the epilogue applied: the rounded contraction result and each extra's element feed the program. */
function epilogueValue(w: CodeBlockWriter, k: KernelInput<'matmul' | 'gemm'>, refs: readonly ExtraRef[], value: string, acc: string, i: string, j: string): string {
  const program = k.node.attrs.epilogue;
  if (!program) return value;
  const args = [`${acc}_r`];
  w.writeLine(`const ${acc}_r = Math.fround(${value});`);
  refs.forEach((r, e) => {
    w.writeLine(`const ${acc}_x${e} = ${r.arr}[${r.at(i, j)}];`);
    args.push(`${acc}_x${e}`);
  });
  const types = [k.outputs[0]!, ...extras(k).map((x) => k.inputs[x.index]!)];
  return emitProgram(w, program, args, types, `${acc}_s`);
}

/** Batched, broadcasting matmul: a loop nest over the batch around one contraction (epilogue in its store). */
export function emitMatmul(w: CodeBlockWriter, k: KernelInput<'matmul'>): void {
  const [as, bs] = [k.inputs[0]!.shape, k.inputs[1]!.shape];
  const a = operandA(as, k.node.attrs.transA);
  const b = operandB(bs, k.node.attrs.transB);
  const out = k.outputs[0]!;
  const batch = broadcastShapes(a.batch, b.batch);
  const m = a.rows;
  const n = b.cols;
  const scale = (st: number[], by: number): number[] => st.map((s) => s * by);
  const nb = batch.length;
  const extraStrides = extras(k).map((x) => {
    const st = broadcastStrides(out.shape, x.shape);
    return { x, batch: st.slice(0, nb), row: as.length === 1 ? 0 : st[nb]!, col: bs.length === 1 ? 0 : st[st.length - 1]! };
  });
  const operands = [
    { strides: scale(denseStrides(batch), m * n) },
    { strides: scale(broadcastStrides(batch, a.batch), a.rows * a.cols) },
    { strides: scale(broadcastStrides(batch, b.batch), b.rows * b.cols) },
    ...extraStrides.map((r) => ({ strides: r.batch })),
  ];
  emitLoops(w, batch, operands, ([ob, ab, bb, ...eb]) => {
    emitContraction(w, {
      m, n, k: a.cols,
      dtype: out.dtype,
      a: matrixRef(inArg(0), ab!, a),
      b: matrixRef(inArg(1), bb!, b),
      out: outArg(0),
      outBase: ob!,
      ...(k.scratch ? { scratch: k.scratch } : {}),
      ...(k.simple ? { simple: true } : {}),
      ...(k.node.attrs.epilogue
        ? {
            epilogue: (acc: string, i: string, j: string, wr: CodeBlockWriter) => {
              const refs = extraStrides.map((r, e): ExtraRef => ({ arr: inArg(r.x.index), at: (ii, jj) => linearIndex(eb[e]!, ii, r.row, jj, r.col) }));
              return epilogueValue(wr, k, refs, acc, acc, i, j);
            },
          }
        : {}),
      store: (v) => storeValue(v, out.dtype),
    });
  }, 'b');
}

/** gemm: alpha * op(A) @ op(B) + beta * C and the epilogue, all in the contraction's store. */
export function emitGemm(w: CodeBlockWriter, k: KernelInput<'gemm'>): void {
  const { transA, transB, alpha, beta } = k.node.attrs;
  const as = k.inputs[0]!.shape;
  const out = k.outputs[0]!.shape;
  const a = transA ? operandA(as, true) : { batch: [], rows: numel(as.slice(0, -1)), cols: as[as.length - 1]!, rowStride: as[as.length - 1]!, colStride: 1 };
  const b = operandB(k.inputs[1]!.shape, transB);
  const n = b.cols;
  const nExtra = extras(k).length;
  const cShape = beta !== 0 && k.inputs.length - nExtra > 2 ? k.inputs[2]!.shape : undefined;
  const scaled = (acc: string): string => (alpha === 1 ? acc : `${numberLiteral(alpha)} * ${acc}`);
  const betaTimes = (v: string): string => (beta === 1 ? v : `${numberLiteral(beta)} * ${v}`);
  const ref = (arr: string, shape: Shape): ExtraRef => ({ arr, at: operandIndex(out, shape, n) });
  const c = cShape ? ref(inArg(2), cShape) : undefined;
  const refs = extras(k).map((x) => ref(inArg(x.index), x.shape));
  emitContraction(w, {
    m: a.rows, n, k: a.cols,
    dtype: 'f32',
    a: matrixRef(inArg(0), '0', a),
    b: matrixRef(inArg(1), '0', b),
    out: outArg(0),
    outBase: '0',
    ...(k.scratch ? { scratch: k.scratch } : {}),
    ...(k.simple ? { simple: true } : {}),
    epilogue: (acc, i, j, wr) => {
      const value = c ? `${scaled(acc)} + ${betaTimes(`${c.arr}[${c.at(i, j)}]`)}` : scaled(acc);
      return epilogueValue(wr, k, refs, value, acc, i, j);
    },
    store: (v) => v,
  });
}

/**
 * The index of an operand broadcast to the gemm output `out` (viewed as [M, n]) at row i,
 * column j: linear when its leading dims merge, else decoded from the flat index i*n + j.
 */
function operandIndex(out: Shape, shape: Shape, n: number): (i: string, j: string) => string {
  const st = broadcastStrides(out, shape);
  const col = st[st.length - 1] ?? 0;
  const lead = mergeDims(out.slice(0, -1), [{ strides: st.slice(0, -1) }]);
  if (lead.shape.length <= 1) return (i, j) => linearIndex('0', i, lead.strides[0]?.[0] ?? 0, j, col);
  const outStrides = stridesOf(out);
  return (i, j) => {
    const flat = `((${i}) * ${n} + (${j}))`;
    const terms = out.map((d, t) => (st[t] === 0 ? '' : `(Math.floor(${flat} / ${outStrides[t]}) % ${d}) * ${st[t]}`)).filter(Boolean);
    return terms.join(' + ') || '0';
  };
}
