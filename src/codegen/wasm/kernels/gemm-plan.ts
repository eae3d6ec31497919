// The wasm contraction family's view of a matmul or gemm node: every operand as literal element
// strides over (batch, row, column), with the batch decoded from one flat batch index. 1-D
// operands, transposes and broadcast batch dims become strides; gemm's alpha and beta * C and the
// node's epilogue program are what the store applies. Pure data: no code is emitted here.
import { type Shape, numel, stridesOf } from '../../../ir/types.ts';
import type { ElementwiseProgram } from '../../../ops/program.ts';
import { broadcastShapes, broadcastStrides } from '../../../ops/util.ts';
import { mergeDims } from '../../loops.ts';
import type { WasmNodeInfo } from '../kernel.ts';

/** Element (batch b, row r, column c) of an operand is at index sum_t(b_t * batch[t]) + r*row + c*col. */
export interface StridedRef {
  /** Element stride per output batch dim (0 where the operand is broadcast). */
  readonly batch: readonly number[];
  readonly row: number;
  readonly col: number;
}

/** A contraction out[b, i, j] = epilogue(alpha * sum_k A[b,i,k] B[b,k,j] + beta * C[b,i,j]). */
export interface GemmPlan {
  /** The output's batch dims (after broadcasting); [] for gemm and unbatched matmul. */
  readonly batch: readonly number[];
  readonly m: number;
  readonly n: number;
  readonly k: number;
  /** A as (batch, i, k). */
  readonly a: StridedRef;
  /** B as (batch, k, j); its batch strides count B matrices (the index of its packed panels). */
  readonly b: StridedRef;
  /** Distinct B matrices stored (numel of B's own batch dims). */
  readonly bMatrices: number;
  /** Elements of one stored B matrix. */
  readonly bMatrixSize: number;
  readonly alpha: number;
  readonly beta: number;
  /** gemm's C as (batch, i, j), when it is read (beta != 0). */
  readonly c?: StridedRef;
  /** The epilogue and its extra inputs as (batch, i, j), in program input order 1.. */
  readonly program?: ElementwiseProgram;
  readonly extras: readonly { readonly input: number; readonly ref: StridedRef }[];
}

/** A stored operand seen as a batch of matrices with element strides. */
interface Operand {
  readonly batch: Shape;
  readonly rows: number;
  readonly cols: number;
  readonly row: number;
  readonly col: number;
}

/** [..., R, C] (or its transpose) as rows x cols; a 1-D operand is one row (A) or one column (B). */
function operand(s: Shape, trans: boolean, oneD: 'row' | 'col'): Operand {
  if (s.length === 1) return oneD === 'row' ? { batch: [], rows: 1, cols: s[0]!, row: 0, col: 1 } : { batch: [], rows: s[0]!, cols: 1, row: 1, col: 0 };
  const [r, c] = [s[s.length - 2]!, s[s.length - 1]!];
  const batch = s.slice(0, -2);
  return trans ? { batch, rows: c, cols: r, row: 1, col: c } : { batch, rows: r, cols: c, row: c, col: 1 };
}

/** The trailing inputs of a node that feed its epilogue. */
function extraInputs(n: WasmNodeInfo<'matmul' | 'gemm'>): number[] {
  // As ops/matmul.ts's epilogueInputCount (not imported: that module pulls in the op table).
  const count = n.node.attrs.epilogue ? n.node.attrs.epilogue.inputs - 1 : 0;
  return Array.from({ length: count }, (_, e) => n.inputs.length - count + e);
}

/** The plan of a matmul node (any case the op accepts). */
function planMatmul(n: WasmNodeInfo<'matmul'>): GemmPlan {
  const [as, bs] = [n.inputs[0]!.shape, n.inputs[1]!.shape];
  const a = operand(as, n.node.attrs.transA, 'row');
  const b = operand(bs, n.node.attrs.transB, 'col');
  const batch = broadcastShapes(a.batch, b.batch);
  const nb = batch.length;
  const out = n.outputs[0]!.shape;
  const matrix = (inBatch: Shape, size: number): number[] => broadcastStrides(batch, inBatch).map((s) => s * size);
  const extras = extraInputs(n).map((input) => {
    const st = broadcastStrides(out, n.inputs[input]!.shape);
    const ref = { batch: st.slice(0, nb), row: as.length === 1 ? 0 : st[nb]!, col: bs.length === 1 ? 0 : st[st.length - 1]! };
    return { input, ref };
  });
  return {
    batch, m: a.rows, n: b.cols, k: a.cols,
    a: { batch: matrix(a.batch, a.rows * a.cols), row: a.row, col: a.col },
    b: { batch: broadcastStrides(batch, b.batch), row: b.row, col: b.col },
    bMatrices: numel(b.batch),
    bMatrixSize: b.rows * b.cols,
    alpha: 1, beta: 0,
    ...(n.node.attrs.epilogue ? { program: n.node.attrs.epilogue } : {}),
    extras,
  };
}

/** (i, j) strides of an operand broadcast to a gemm output `out` viewed as [M, N]; undefined when not linear in i. */
function gemmRef(out: Shape, shape: Shape): StridedRef | undefined {
  const st = broadcastStrides(out, shape);
  const lead = mergeDims(out.slice(0, -1), [{ strides: st.slice(0, -1) }]);
  if (lead.shape.length > 1) return undefined;
  return { batch: [], row: lead.strides[0]?.[0] ?? 0, col: st[st.length - 1] ?? 0 };
}

/** The plan of a gemm node, or undefined when an operand broadcast over its rows is not linear in the row. */
function planGemm(n: WasmNodeInfo<'gemm'>): GemmPlan | undefined {
  const { transA, transB, alpha, beta } = n.node.attrs;
  const as = n.inputs[0]!.shape;
  const out = n.outputs[0]!.shape;
  const k = as[as.length - 1]!;
  const a: Operand = transA ? operand(as, true, 'row') : { batch: [], rows: numel(as.slice(0, -1)), cols: k, row: k, col: 1 };
  const b = operand(n.inputs[1]!.shape, transB, 'col');
  const extraIdx = extraInputs(n);
  const hasC = beta !== 0 && n.inputs.length - extraIdx.length > 2;
  const c = hasC ? gemmRef(out, n.inputs[2]!.shape) : undefined;
  const extras = extraIdx.map((input) => ({ input, ref: gemmRef(out, n.inputs[input]!.shape) }));
  if ((hasC && !c) || extras.some((e) => !e.ref)) return undefined;
  return {
    batch: [], m: a.rows, n: b.cols, k: a.cols,
    a: { batch: [], row: a.row, col: a.col },
    b: { batch: [], row: b.row, col: b.col },
    bMatrices: 1,
    bMatrixSize: b.rows * b.cols,
    alpha, beta: hasC ? beta : 0,
    ...(c ? { c } : {}),
    ...(n.node.attrs.epilogue ? { program: n.node.attrs.epilogue } : {}),
    extras: extras.map((e) => ({ input: e.input, ref: e.ref! })),
  };
}

/** The plan of a contraction node; undefined when the family has no kernel for its layout. */
export function planContraction(n: WasmNodeInfo<'matmul' | 'gemm'>): GemmPlan | undefined {
  return n.node.op === 'gemm' ? planGemm(n as WasmNodeInfo<'gemm'>) : planMatmul(n as WasmNodeInfo<'matmul'>);
}

/** Row-major strides of the output batch dims, to decode a flat batch index into its dims. */
export function batchDecode(batch: readonly number[]): number[] {
  return stridesOf(batch);
}
