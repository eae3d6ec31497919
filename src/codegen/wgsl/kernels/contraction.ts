// WGSL matmul and gemm: one invocation per output element, a k loop over literal strides, then
// bias and the epilogue program. (Workgroup tiling is the next step for GPU speed.)
import type { Shape } from '../../../ir/types.ts';
import { numel } from '../../../ir/types.ts';
import { broadcastShapes } from '../../../ops/util.ts';
import { epilogueInputCount } from '../../../ops/matmul.ts';
import { broadcastStrides } from '../../loops.ts';
import { type WgslEmitter, type WgslInput, decodeOffsets, guard } from '../kernel.ts';
import { f32Literal, load, store } from '../types.ts';
import { wgslProgram } from './elementwise.ts';

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

/** The value stored for accumulator `acc`: the epilogue over it and the extras at the output's coordinates. */
function finish(k: WgslInput<'matmul' | 'gemm'>, acc: string): { code: string; value: string } {
  const ex = extras(k);
  const program = k.node.attrs.epilogue;
  if (!program) return { code: '', value: acc };
  const out = k.outputs[0]!;
  const { code, names } = decodeOffsets(out.shape, ex.map((i) => broadcastStrides(out.shape, k.inputs[i]!.shape)), 'gidx', 'e');
  const loads = ex.map((i, e) => `let x${e} = ${load(k.inputs[i]!.dtype, k.x[i]!, names[e]!)};`);
  const p = wgslProgram(program, [acc, ...ex.map((_, e) => `x${e}`)], [out, ...ex.map((i) => k.inputs[i]!)]);
  return { code: [code, ...loads, p.code].join('\n'), value: p.result };
}

const matmul: WgslEmitter<'matmul'> = (k) => {
  const [as, bs] = [k.inputs[0]!.shape, k.inputs[1]!.shape];
  const a = matrix(as, k.node.attrs.transA, true);
  const b = matrix(bs, k.node.attrs.transB, false);
  const out = k.outputs[0]!;
  const batch = broadcastShapes(a.batch, b.batch);
  const [m, n, kk] = [a.rows, b.cols, a.cols];
  const total = numel(batch) * m * n;
  const bShape = [...batch, m, n];
  const aSt = [...broadcastStrides(batch, a.batch).map((s) => s * a.rows * a.cols), a.rs, 0];
  const bSt = [...broadcastStrides(batch, b.batch).map((s) => s * b.rows * b.cols), 0, b.cs];
  const { code, names } = decodeOffsets(bShape, [aSt, bSt], 'gidx', 'm');
  const t = out.dtype === 'f32' ? 'f32' : 'i32';
  const fin = finish(k, 'acc');
  const body = [
    guard(total), code,
    `var acc: ${t} = ${t === 'f32' ? '0.0' : '0i'};`,
    `for (var q = 0u; q < ${kk}u; q++) {`,
    `  acc += ${load(k.inputs[0]!.dtype, k.x[0]!, `${names[0]} + q * ${a.cs}u`)} * ${load(k.inputs[1]!.dtype, k.x[1]!, `${names[1]} + q * ${b.rs}u`)};`,
    '}',
    fin.code,
    store(out.dtype, k.y[0]!, 'gidx', fin.value),
  ];
  return { invocations: total, body: body.filter(Boolean).join('\n') };
};

const gemm: WgslEmitter<'gemm'> = (k) => {
  const { transA, transB, alpha, beta } = k.node.attrs;
  const as = k.inputs[0]!.shape;
  const out = k.outputs[0]!;
  const a = transA ? matrix(as, true, true) : { batch: [], rows: numel(as.slice(0, -1)), cols: as.at(-1)!, rs: as.at(-1)!, cs: 1 };
  const b = matrix(k.inputs[1]!.shape, transB, false);
  const total = a.rows * b.cols;
  const hasC = beta !== 0 && k.inputs.length - extras(k).length > 2;
  const cLoad = (): string => {
    const { code, names } = decodeOffsets(out.shape, [broadcastStrides(out.shape, k.inputs[2]!.shape)], 'gidx', 'c');
    return `${code}\nacc = acc + ${f32Literal(beta)} * ${load('f32', k.x[2]!, names[0]!)};`;
  };
  const fin = finish(k, 'acc');
  const body = [
    guard(total),
    `let i = gidx / ${b.cols}u;`,
    `let j = gidx % ${b.cols}u;`,
    'var acc = 0.0;',
    `for (var q = 0u; q < ${a.cols}u; q++) {`,
    `  acc += ${load('f32', k.x[0]!, `i * ${a.rs}u + q * ${a.cs}u`)} * ${load('f32', k.x[1]!, `q * ${b.rs}u + j * ${b.cs}u`)};`,
    '}',
    alpha === 1 ? '' : `acc = ${f32Literal(alpha)} * acc;`,
    hasC ? cLoad() : '',
    fin.code,
    store('f32', k.y[0]!, 'gidx', fin.value),
  ];
  return { invocations: total, body: body.filter(Boolean).join('\n') };
};

/** The contraction emitters. */
export const wgslContraction = { matmul, gemm };
