// matmul and gemm kernels: operand layouts (transposes, 1-D operands, broadcast batches)
// become literal strides of one blocked contraction; gemm's alpha, beta and C become its epilogue.
import type { CodeBlockWriter } from 'ts-morph';
import { type Shape, numel } from '../../../ir/types.ts';
import { broadcastShapes } from '../../../ops/util.ts';
import { broadcastStrides, denseStrides, emitLoops, mergeDims } from '../../loops.ts';
import { type KernelInput, inArg, outArg } from '../kernel.ts';
import { load, numberLiteral, storeValue } from '../names.ts';
import { type MatrixRef, emitContraction } from './contraction.ts';

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

/** Batched, broadcasting matmul: a loop nest over the batch around one contraction. */
export function emitMatmul(w: CodeBlockWriter, k: KernelInput<'matmul'>): void {
  const [as, bs] = [k.inputs[0]!.shape, k.inputs[1]!.shape];
  const a = operandA(as, k.node.attrs.transA);
  const b = operandB(bs, k.node.attrs.transB);
  const out = k.outputs[0]!;
  const batch = broadcastShapes(a.batch, b.batch);
  const m = a.rows;
  const n = b.cols;
  const scale = (st: number[], by: number): number[] => st.map((s) => s * by);
  const operands = [
    { strides: scale(denseStrides(batch), m * n) },
    { strides: scale(broadcastStrides(batch, a.batch), a.rows * a.cols) },
    { strides: scale(broadcastStrides(batch, b.batch), b.rows * b.cols) },
  ];
  emitLoops(w, batch, operands, ([ob, ab, bb]) => {
    emitContraction(w, {
      m, n, k: a.cols,
      dtype: out.dtype,
      a: matrixRef(inArg(0), ab!, a),
      b: matrixRef(inArg(1), bb!, b),
      out: outArg(0),
      outBase: ob!,
      store: (v) => storeValue(v, out.dtype),
    });
  }, 'b');
}

/** gemm: alpha * op(A) @ op(B) + beta * C, with C folded into the store when its broadcast is linear. */
export function emitGemm(w: CodeBlockWriter, k: KernelInput<'gemm'>): void {
  const { transA, transB, alpha, beta } = k.node.attrs;
  const as = k.inputs[0]!.shape;
  const out = k.outputs[0]!.shape;
  const a = transA ? operandA(as, true) : { batch: [], rows: numel(as.slice(0, -1)), cols: as[as.length - 1]!, rowStride: as[as.length - 1]!, colStride: 1 };
  const b = operandB(k.inputs[1]!.shape, transB);
  const cShape = beta !== 0 ? k.inputs[2]?.shape : undefined;
  const cLinear = cShape ? linearBias(out, cShape) : undefined;
  const scaled = (acc: string): string => (alpha === 1 ? acc : `${numberLiteral(alpha)} * ${acc}`);
  const betaTimes = (v: string): string => (beta === 1 ? v : `${numberLiteral(beta)} * ${v}`);
  emitContraction(w, {
    m: a.rows, n: b.cols, k: a.cols,
    dtype: 'f32',
    a: matrixRef(inArg(0), '0', a),
    b: matrixRef(inArg(1), '0', b),
    out: outArg(0),
    outBase: '0',
    epilogue: (acc, i, j) => {
      if (!cLinear) return scaled(acc);
      const term = (v: string, s: number): string => (s === 0 ? '' : s === 1 ? v : `(${v}) * ${s}`);
      const idx = [term(i, cLinear.row), term(j, cLinear.col)]
        .filter(Boolean).join(' + ') || '0';
      return `${scaled(acc)} + ${betaTimes(`${inArg(2)}[${idx}]`)}`;
    },
    store: (v) => v,
  });
  if (cShape && !cLinear) emitBiasPass(w, out, cShape, betaTimes);
}

/** Strides (per output row, per output column) of C when its broadcast index is linear in both. */
function linearBias(out: Shape, c: Shape): { row: number; col: number } | undefined {
  const st = broadcastStrides(out, c);
  const col = st[st.length - 1] ?? 0;
  const lead = mergeDims(out.slice(0, -1), [{ strides: st.slice(0, -1) }]);
  if (lead.shape.length > 1) return undefined;
  return { row: lead.strides[0]?.[0] ?? 0, col };
}

/** Fallback for an irregular C broadcast: add beta * C in a second pass over the output. */
function emitBiasPass(w: CodeBlockWriter, out: Shape, c: Shape, betaTimes: (v: string) => string): void {
  emitLoops(w, out, [{ strides: denseStrides(out) }, { strides: broadcastStrides(out, c) }], ([o, ci]) => {
    w.writeLine(`${outArg(0)}[${o}] += ${betaTimes(load(inArg(2), ci!, 'f32'))};`);
  }, 'c');
}
