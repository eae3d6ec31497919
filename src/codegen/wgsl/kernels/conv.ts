// WGSL conv and convTranspose as implicit GEMMs on the workgroup-tiled contraction of
// tiled-matmul.ts: per (image, group) batch, rows are the group's output channels, columns the
// output positions, and K runs over (input channel, tap). The im2col matrix is never stored: a
// helper function computes each staged element from the input (0 in the pads), and for
// convTranspose the input element a tap gathers from (0 where the stride skips it); weights are
// read with literal strides (conv) or through the transposed layout (convTranspose). The bias is
// added in the store, whose flat index is already NCHW.
import { numel, stridesOf } from '../../../ir/types.ts';
import { planConv, planConvTranspose, type ConvPlan } from '../../../ops/conv.ts';
import type { WindowAttrs } from '../../../ops/window.ts';
import type { GroupedKernel, WgslEmitter, WgslInput } from '../kernel.ts';
import { load, store } from '../types.ts';
import { contractionKernel } from './tiled-matmul.ts';

/** WGSL lines decoding u32 `flat` over `dims` into `let name0.. : i32` coordinates. */
function decode(flat: string, dims: readonly number[], name: string): string[] {
  const st = stridesOf(dims);
  return dims.map((n, d) => `let ${name}${d} = i32((${flat} / ${st[d]}u) % ${n}u);`);
}

/** The input offset of input coordinates i0.. (already range-checked). */
const inputOffset = (dims: readonly number[]): string => stridesOf(dims).map((s, d) => `u32(i${d}) * ${s}u`).join(' + ');

/** conv's im2col element (kk, col) of the batch whose input planes start at word `xb`. */
function im2colFn(xBase: number, p: ConvPlan, a: WindowAttrs): string {
  const ks = numel(p.kernel);
  const body = [
    `let ic = kk / ${ks}u;`,
    ...decode(`(kk % ${ks}u)`, p.kernel, 't'),
    ...decode('col', p.output, 'o'),
    ...p.input.map((_, d) => `let i${d} = o${d} * ${a.strides[d]} + t${d} * ${a.dilations[d]} - ${a.pads[d]};`),
    `if (${p.input.map((n, d) => `i${d} < 0 || i${d} >= ${n}`).join(' || ')}) { return 0.0; }`,
    `return ${load('f32', xBase, `xb + ic * ${numel(p.input)}u + ${inputOffset(p.input)}`)};`,
  ];
  return `fn conv_col(xb: u32, kk: u32, col: u32) -> f32 {\n${body.map((l) => `  ${l}`).join('\n')}\n}`;
}

/** convTranspose's gathered element (kk, col): the input a tap of output position col reads, if the stride reaches it. */
function gatherFn(xBase: number, p: ConvPlan, a: WindowAttrs): string {
  const ks = numel(p.kernel);
  const body = [
    `let ic = kk / ${ks}u;`,
    ...decode(`(kk % ${ks}u)`, p.kernel, 't'),
    ...decode('col', p.output, 'f'),
    ...p.input.flatMap((n, d) => [
      `let q${d} = f${d} + ${a.pads[d]} - t${d} * ${a.dilations[d]};`,
      `if (q${d} < 0 || q${d} % ${a.strides[d]} != 0 || q${d} / ${a.strides[d]} >= ${n}) { return 0.0; }`,
      `let i${d} = q${d} / ${a.strides[d]};`,
    ]),
    `return ${load('f32', xBase, `xb + ic * ${numel(p.input)}u + ${inputOffset(p.input)}`)};`,
  ];
  return `fn convt_col(xb: u32, kk: u32, col: u32) -> f32 {\n${body.map((l) => `  ${l}`).join('\n')}\n}`;
}

/** The store of output element `oidx` (NCHW): the bias of its channel added when there is one. */
function biasStore(k: WgslInput<'conv' | 'convTranspose'>, p: ConvPlan) {
  const outSize = numel(p.output);
  return (acc: string, oidx: string): string => {
    const v = k.inputs.length > 2 ? `${acc} + ${load('f32', k.x[2]!, `(${oidx} / ${outSize}u) % ${p.outChannels}u`)}` : acc;
    return store('f32', k.y[0]!, oidx, v);
  };
}

/** The batch code shared by both: bi = image * group + g; xb is the group's first input plane. */
function batchCode(p: ConvPlan): string {
  const cg = p.inChannels / p.group;
  return [`let gi = bi % ${p.group}u;`, `let xb = (bi / ${p.group}u * ${p.inChannels}u + gi * ${cg}u) * ${numel(p.input)}u;`].join('\n');
}

/** Adds module-scope helper functions to a kernel. */
const withDecls = (kernel: GroupedKernel, decls: string): GroupedKernel => ({ ...kernel, decls: [kernel.decls ?? '', decls].filter(Boolean).join('\n') });

const conv: WgslEmitter<'conv'> = (k) => {
  const p = planConv(k.inputs, k.node.attrs);
  const [cg, ocg] = [p.inChannels / p.group, p.outChannels / p.group];
  const depth = cg * numel(p.kernel);
  const kernel = contractionKernel({
    m: ocg, n: numel(p.output), k: depth, batches: p.batch * p.group, type: 'f32',
    a: { base: k.x[1]!, dtype: 'f32', rs: depth, cs: 1, batch: `gi * ${ocg * depth}u` },
    b: { base: 0, dtype: 'f32', rs: 0, cs: 1, batch: '0u', read: (r, c) => ({ ok: 'true', value: `conv_col(xb, ${r}, ${c})` }) },
    batchCode: batchCode(p),
    store: biasStore(k, p),
  });
  return withDecls(kernel, im2colFn(k.x[0]!, p, k.node.attrs));
};

const convTranspose: WgslEmitter<'convTranspose'> = (k) => {
  const p = planConvTranspose(k.inputs, k.node.attrs);
  const [cg, ocg] = [p.inChannels / p.group, p.outChannels / p.group];
  const ks = numel(p.kernel);
  // A (oc, kk = ic * taps + t) is w[g * cg + ic, oc, t]: not one stride over kk.
  const weight = (r: string, c: string): string => load('f32', k.x[1]!, `((gi * ${cg}u + ${c} / ${ks}u) * ${ocg}u + ${r}) * ${ks}u + ${c} % ${ks}u`);
  const kernel = contractionKernel({
    m: ocg, n: numel(p.output), k: cg * ks, batches: p.batch * p.group, type: 'f32',
    a: { base: 0, dtype: 'f32', rs: 0, cs: 1, batch: '0u', read: (r, c) => ({ ok: 'true', value: weight(r, c) }) },
    b: { base: 0, dtype: 'f32', rs: 0, cs: 1, batch: '0u', read: (r, c) => ({ ok: 'true', value: `convt_col(xb, ${r}, ${c})` }) },
    batchCode: batchCode(p),
    store: biasStore(k, p),
  });
  return withDecls(kernel, gatherFn(k.x[0]!, p, k.node.attrs));
};

/** The convolution emitters. */
export const wgslConv = { conv, convTranspose };
