// WGSL matmul and gemm: the workgroup contraction kernels of tiled-matmul.ts over literal strides
// (transposition, 1-D promotion and batch broadcasting are only strides), with alpha, the gemm
// bias and the epilogue program applied in the store.
import type { Shape } from '../../../ir/types.ts';
import { numel } from '../../../ir/types.ts';
import { broadcastShapes } from '../../../ops/util.ts';
import { epilogueInputCount } from '../../../ops/matmul.ts';
import { broadcastStrides } from '../../loops.ts';
import { type WgslEmitter, type WgslInput, decodeOffsets } from '../kernel.ts';
import { f32Literal, load, store } from '../types.ts';
import { wgslProgram } from './elementwise.ts';
import { contractionKernel } from './tiled-matmul.ts';

/** Logical [rows, cols] of a stored operand and its strides, as the TS backend reads it. */
function matrix(s: Shape, trans: boolean, isA: boolean): { batch: Shape; rows: number; cols: number; rs: number; cs: number } {
  if (s.length === 1) return isA ? { batch: [], rows: 1, cols: s[0]!, rs: 0, cs: 1 } : { batch: [], rows: s[0]!, cols: 1, rs: 1, cs: 0 };
  const [r, c] = [s[s.length - 2]!, s[s.length - 1]!];
  const batch = s.slice(0, -2);
  return trans ? { batch, rows: c, cols: r, rs: 1, cs: c } : { batch, rows: r, cols: c, rs: c, cs: 1 };
}

/** The epilogue's extra inputs (trailing node inputs). */
function extras(k: WgslInput<'matmul' | 'gemm'>): number[] {
  const n = epilogueInputCount(k.node.attrs);
  return Array.from({ length: n }, (_, i) => k.inputs.length - n + i);
}

/**
 * Statements storing output element `oidx` (flat, u32) of value `value`: the epilogue over it and
 * the extras at the output's coordinates.
 */
function finish(k: WgslInput<'matmul' | 'gemm'>, value: string, oidx: string): string {
  const ex = extras(k);
  const program = k.node.attrs.epilogue;
  const out = k.outputs[0]!;
  if (!program) return store(out.dtype, k.y[0]!, oidx, value);
  const { code, names } = decodeOffsets(out.shape, ex.map((i) => broadcastStrides(out.shape, k.inputs[i]!.shape)), oidx, 'e');
  const loads = ex.map((i, e) => `let x${e} = ${load(k.inputs[i]!.dtype, k.x[i]!, names[e]!)};`);
  const p = wgslProgram(program, [value, ...ex.map((_, e) => `x${e}`)], [out, ...ex.map((i) => k.inputs[i]!)]);
  return [code, ...loads, p.code, store(out.dtype, k.y[0]!, oidx, p.result)].join('\n');
}

const matmul: WgslEmitter<'matmul'> = (k) => {
  const a = matrix(k.inputs[0]!.shape, k.node.attrs.transA, true);
  const b = matrix(k.inputs[1]!.shape, k.node.attrs.transB, false);
  const batch = broadcastShapes(a.batch, b.batch);
  const aSt = broadcastStrides(batch, a.batch).map((s) => s * a.rows * a.cols);
  const bSt = broadcastStrides(batch, b.batch).map((s) => s * b.rows * b.cols);
  const { code, names } = decodeOffsets(batch, [aSt, bSt], 'bi', 'm');
  return contractionKernel({
    m: a.rows, n: b.cols, k: a.cols, batches: numel(batch),
    type: k.outputs[0]!.dtype === 'f32' ? 'f32' : 'i32',
    a: { base: k.x[0]!, dtype: k.inputs[0]!.dtype, rs: a.rs, cs: a.cs, batch: names[0]! },
    b: { base: k.x[1]!, dtype: k.inputs[1]!.dtype, rs: b.rs, cs: b.cs, batch: names[1]! },
    batchCode: code,
    store: (acc, oidx) => finish(k, acc, oidx),
  });
};

const gemm: WgslEmitter<'gemm'> = (k) => {
  const { transA, transB, alpha, beta } = k.node.attrs;
  const as = k.inputs[0]!.shape;
  const out = k.outputs[0]!;
  const a = transA ? matrix(as, true, true) : { rows: numel(as.slice(0, -1)), cols: as.at(-1)!, rs: as.at(-1)!, cs: 1 };
  const b = matrix(k.inputs[1]!.shape, transB, false);
  const hasC = beta !== 0 && k.inputs.length - extras(k).length > 2;
  const store = (acc: string, oidx: string): string => {
    const scaled = alpha === 1 ? acc : `${f32Literal(alpha)} * ${acc}`;
    if (!hasC) return finish(k, scaled, oidx);
    const { code, names } = decodeOffsets(out.shape, [broadcastStrides(out.shape, k.inputs[2]!.shape)], oidx, 'c');
    return [code, `let g = ${scaled} + ${f32Literal(beta)} * ${load('f32', k.x[2]!, names[0]!)};`, finish(k, 'g', oidx)].join('\n');
  };
  return contractionKernel({
    m: a.rows, n: b.cols, k: a.cols, batches: 1, type: 'f32',
    a: { base: k.x[0]!, dtype: 'f32', rs: a.rs, cs: a.cs, batch: '0u' },
    b: { base: k.x[1]!, dtype: 'f32', rs: b.rs, cs: b.cs, batch: '0u' },
    batchCode: '',
    store,
  });
};

/** The contraction emitters. */
export const wgslContraction = { matmul, gemm };
