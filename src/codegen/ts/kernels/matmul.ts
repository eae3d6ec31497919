// matmul and gemm kernels: operand layouts (transposes, 1-D operands, broadcast batches)
// become literal strides of one blocked contraction; gemm's alpha, beta and C become its epilogue.
import type { CodeBlockWriter } from 'ts-morph';
import { type Shape, numel } from '../../../ir/types.ts';
import { broadcastShapes } from '../../../ops/util.ts';
import { broadcastStrides, denseStrides, emitLoops, mergeDims } from '../../loops.ts';
import { type KernelInput, inArg, outArg } from '../kernel.ts';
import { load, numberLiteral, storeValue } from '../names.ts';
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

/** How the store reads one epilogue extra input: a base per batch, then strides per row and column. */
interface ExtraRef {
  readonly arr: string;
  readonly batchStrides: readonly number[];
  readonly row: number;
  readonly col: number;
}

/** The epilogue's extra inputs of a kernel (the trailing node inputs). */
function extras(k: KernelInput<'matmul' | 'gemm'>): { index: number; shape: Shape }[] {
  const n = k.node.attrs.epilogue ? k.node.attrs.epilogue.inputs - 1 : 0;
  return k.inputs.slice(k.inputs.length - n).map((t, i) => ({ index: k.inputs.length - n + i, shape: t.shape }));
}

/**
 * The store's value with the epilogue applied: the rounded contraction result and each extra's
 * element feed the program. `bases[e]` is extra e's batch offset expression.
 */
function epilogueValue(w: CodeBlockWriter, k: KernelInput<'matmul' | 'gemm'>, refs: readonly ExtraRef[], bases: readonly string[], value: string, acc: string, i: string, j: string): string {
  const program = k.node.attrs.epilogue;
  if (!program) return value;
  const args = [`${acc}_r`];
  w.writeLine(`const ${acc}_r = Math.fround(${value});`);
  refs.forEach((r, e) => {
    const idx = [bases[e] === '0' ? '' : bases[e]!, r.row ? `(${i}) * ${r.row}` : '', r.col ? `(${j}) * ${r.col}` : ''].filter(Boolean).join(' + ') || '0';
    w.writeLine(`const ${acc}_x${e} = ${r.arr}[${idx}];`);
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
  const refs = extras(k).map((x): ExtraRef => {
    const st = broadcastStrides(out.shape, x.shape);
    const nb = batch.length;
    return { arr: inArg(x.index), batchStrides: st.slice(0, nb), row: as.length === 1 ? 0 : st[nb]!, col: bs.length === 1 ? 0 : st[st.length - 1]! };
  });
  const operands = [
    { strides: scale(denseStrides(batch), m * n) },
    { strides: scale(broadcastStrides(batch, a.batch), a.rows * a.cols) },
    { strides: scale(broadcastStrides(batch, b.batch), b.rows * b.cols) },
    ...refs.map((r) => ({ strides: r.batchStrides })),
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
      ...(refs.length || k.node.attrs.epilogue ? { epilogue: (acc: string, i: string, j: string, wr: CodeBlockWriter) => epilogueValue(wr, k, refs, eb, acc, acc, i, j) } : {}),
      store: (v) => storeValue(v, out.dtype),
    });
  }, 'b');
}

/** gemm: alpha * op(A) @ op(B) + beta * C and the epilogue, folded into the store when C and the extras broadcast linearly. */
export function emitGemm(w: CodeBlockWriter, k: KernelInput<'gemm'>): void {
  const { transA, transB, alpha, beta } = k.node.attrs;
  const as = k.inputs[0]!.shape;
  const out = k.outputs[0]!.shape;
  const a = transA ? operandA(as, true) : { batch: [], rows: numel(as.slice(0, -1)), cols: as[as.length - 1]!, rowStride: as[as.length - 1]!, colStride: 1 };
  const b = operandB(k.inputs[1]!.shape, transB);
  const nExtra = extras(k).length;
  const cShape = beta !== 0 && k.inputs.length - nExtra > 2 ? k.inputs[2]!.shape : undefined;
  const cLinear = cShape ? linearBias(out, cShape) : undefined;
  const refs = extras(k).map((x) => ({ x, lin: linearBias(out, x.shape) }));
  const fused = (!cShape || cLinear) && refs.every((r) => r.lin);
  const scaled = (acc: string): string => (alpha === 1 ? acc : `${numberLiteral(alpha)} * ${acc}`);
  const betaTimes = (v: string): string => (beta === 1 ? v : `${numberLiteral(beta)} * ${v}`);
  const term = (v: string, s: number): string => (s === 0 ? '' : s === 1 ? v : `(${v}) * ${s}`);
  emitContraction(w, {
    m: a.rows, n: b.cols, k: a.cols,
    dtype: 'f32',
    a: matrixRef(inArg(0), '0', a),
    b: matrixRef(inArg(1), '0', b),
    out: outArg(0),
    outBase: '0',
    ...(k.scratch ? { scratch: k.scratch } : {}),
    ...(k.simple ? { simple: true } : {}),
    epilogue: (acc, i, j, wr) => {
      if (!fused) return scaled(acc);
      const idx = [term(i, cLinear?.row ?? 0), term(j, cLinear?.col ?? 0)].filter(Boolean).join(' + ') || '0';
      const value = cLinear ? `${scaled(acc)} + ${betaTimes(`${inArg(2)}[${idx}]`)}` : scaled(acc);
      const extraRefs = refs.map((r) => ({ arr: inArg(r.x.index), batchStrides: [], row: r.lin!.row, col: r.lin!.col }));
      return epilogueValue(wr, k, extraRefs, extraRefs.map(() => '0'), value, acc, i, j);
    },
    store: (v) => v,
  });
  if (!fused) emitEpiloguePass(w, k, out, cShape, betaTimes);
}

/** Strides (per output row, per output column) of an operand broadcast to `out`, when its index is linear in both. */
function linearBias(out: Shape, c: Shape): { row: number; col: number } | undefined {
  const st = broadcastStrides(out, c);
  const col = st[st.length - 1] ?? 0;
  const lead = mergeDims(out.slice(0, -1), [{ strides: st.slice(0, -1) }]);
  if (lead.shape.length > 1) return undefined;
  return { row: lead.strides[0]?.[0] ?? 0, col };
}

/** Fallback for irregular broadcasts: add beta * C, then apply the epilogue, in a second pass over the output. */
function emitEpiloguePass(w: CodeBlockWriter, k: KernelInput<'gemm'>, out: Shape, c: Shape | undefined, betaTimes: (v: string) => string): void {
  const ex = extras(k);
  const operands = [{ strides: denseStrides(out) }, ...(c ? [{ strides: broadcastStrides(out, c) }] : []), ...ex.map((x) => ({ strides: broadcastStrides(out, x.shape) }))];
  emitLoops(w, out, operands, ([o, ...rest]) => {
    const ci = c ? rest.shift() : undefined;
    let value = ci ? `${outArg(0)}[${o}] + ${betaTimes(load(inArg(2), ci, 'f32'))}` : `${outArg(0)}[${o}]`;
    if (k.node.attrs.epilogue) {
      w.writeLine(`const r = Math.fround(${value});`);
      const args = ['r', ...rest.map((idx, e) => load(inArg(ex[e]!.index), idx!, k.inputs[ex[e]!.index]!.dtype))];
      value = emitProgram(w, k.node.attrs.epilogue, args, [k.outputs[0]!, ...ex.map((x) => k.inputs[x.index]!)]);
    }
    w.writeLine(`${outArg(0)}[${o}] = ${value};`);
  }, 'c');
}
