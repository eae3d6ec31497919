// WGSL movement kernels: one invocation per output element (per input element for split),
// reading through literal strides; gather checks each index against the axis.
import { numel, stridesOf } from '../../../ir/types.ts';
import { slicePlan } from '../../../ops/combine.ts';
import { normAxis } from '../../../ops/util.ts';
import { broadcastStrides, denseStrides } from '../../loops.ts';
import { type WgslEmitter, type WgslInput, type WgslKernel, decodeOffsets, guard } from '../kernel.ts';
import { load, store } from '../types.ts';

/** out[i] = in[offset + sum(coord_d * strides[d])] over the output shape. */
function stridedCopy(k: WgslInput<'transpose' | 'expand' | 'slice'>, from: readonly number[], base = 0): WgslKernel {
  const out = k.outputs[0]!;
  const n = numel(out.shape);
  const { code, names } = decodeOffsets(out.shape, [denseStrides(out.shape), from], 'gidx');
  const src = base === 0 ? names[1]! : `${base >>> 0}u + ${names[1]}`;
  return { invocations: n, body: [guard(n), code, store(out.dtype, k.y[0]!, names[0]!, load(out.dtype, k.x[0]!, src))].join('\n') };
}

const transpose: WgslEmitter<'transpose'> = (k) => {
  const st = stridesOf(k.inputs[0]!.shape);
  return stridedCopy(k, k.node.attrs.perm.map((p) => st[p]!));
};

const expand: WgslEmitter<'expand'> = (k) => stridedCopy(k, broadcastStrides(k.outputs[0]!.shape, k.inputs[0]!.shape));

const slice: WgslEmitter<'slice'> = (k) => {
  const st = stridesOf(k.inputs[0]!.shape);
  const plan = slicePlan(k.inputs[0]!.shape, k.node.attrs);
  return stridedCopy(k, plan.map((p, d) => p.step * st[d]!), plan.reduce((acc, p, d) => acc + p.start * st[d]!, 0));
};

/** Per output element: the input whose range along the axis holds it. */
const concat: WgslEmitter<'concat'> = (k) => {
  const out = k.outputs[0]!;
  const axis = normAxis(k.node.attrs.axis, out.shape.length);
  const n = numel(out.shape);
  const inner = numel(out.shape.slice(axis + 1));
  const len = out.shape[axis]!;
  const lines = [guard(n), `let outer = gidx / ${len * inner}u;`, `let a = (gidx / ${inner}u) % ${len}u;`, `let e = gidx % ${inner}u;`];
  let start = 0;
  k.inputs.forEach((t, i) => {
    const size = t.shape[axis]!;
    if (size === 0) return;
    const src = `(outer * ${size}u + (a - ${start}u)) * ${inner}u + e`;
    lines.push(`if (a >= ${start}u && a < ${start + size}u) { ${store(out.dtype, k.y[0]!, 'gidx', load(t.dtype, k.x[i]!, src))} }`);
    start += size;
  });
  return { invocations: n, body: lines.join('\n') };
};

/** Per input element: the output whose range along the axis holds it. */
const split: WgslEmitter<'split'> = (k) => {
  const x = k.inputs[0]!;
  const axis = normAxis(k.node.attrs.axis, x.shape.length);
  const n = numel(x.shape);
  const inner = numel(x.shape.slice(axis + 1));
  const len = x.shape[axis]!;
  const lines = [guard(n), `let outer = gidx / ${len * inner}u;`, `let a = (gidx / ${inner}u) % ${len}u;`, `let e = gidx % ${inner}u;`];
  let start = 0;
  k.outputs.forEach((t, i) => {
    const size = t.shape[axis]!;
    if (size === 0) return;
    const dst = `(outer * ${size}u + (a - ${start}u)) * ${inner}u + e`;
    lines.push(`if (a >= ${start}u && a < ${start + size}u) { ${store(x.dtype, k.y[i]!, dst, load(x.dtype, k.x[0]!, 'gidx'))} }`);
    start += size;
  });
  return { invocations: n, body: lines.join('\n') };
};

/**
 * gather. The GPU cannot throw: an out-of-range index sets the node's bounds flag (1, then the
 * index) and writes 0; the host reads the flag back with the outputs and raises the IndexError.
 */
const gather: WgslEmitter<'gather'> = (k) => {
  const [data, idx] = [k.inputs[0]!, k.inputs[1]!];
  const out = k.outputs[0]!;
  const axis = normAxis(k.node.attrs.axis, data.shape.length);
  const dim = data.shape[axis]!;
  const inner = numel(data.shape.slice(axis + 1));
  const count = numel(idx.shape);
  const n = numel(out.shape);
  if (n === 0) return { invocations: 0, body: '' };
  const body = [
    guard(n),
    `let outer = gidx / ${count * inner}u;`,
    `let q = (gidx / ${inner}u) % ${count}u;`,
    `let e = gidx % ${inner}u;`,
    `let raw = ${load(idx.dtype, k.x[1]!, 'q')};`,
    `let r = select(raw, raw + ${dim}i, raw < 0i);`,
    `if (r < 0i || r >= ${dim}i) {${k.flag === undefined ? '' : ` mem[${k.flag}u] = 1u; mem[${k.flag + 1}u] = bitcast<u32>(raw);`} ${store(out.dtype, k.y[0]!, 'gidx', out.dtype === 'f32' ? '0.0' : out.dtype === 'bool' ? '0u' : '0i')} return; }`,
    store(out.dtype, k.y[0]!, 'gidx', load(data.dtype, k.x[0]!, `(outer * ${dim}u + u32(r)) * ${inner}u + e`)),
  ];
  return { invocations: n, body: body.join('\n') };
};

/** The movement emitters. */
export const wgslMovement = { transpose, expand, slice, concat, split, gather };
