// Movement kernels: every one is a strided copy (one loop nest) whose strides and offsets are
// literals; gather adds one data-dependent offset per index.
import type { CodeBlockWriter } from 'ts-morph';
import { type Shape, numel, stridesOf } from '../../../ir/types.ts';
import { normAxis } from '../../../ops/util.ts';
import { type LoopOperand, broadcastStrides, denseStrides, emitLoops } from '../../loops.ts';
import { type KernelEmitter, inArg, outArg } from '../kernel.ts';
import { slicePlan } from '../../../ops/combine.ts';
import { describeNode } from '../../../ops/infer.ts';
import { tsString } from '../names.ts';

/** Copies `src` (read through `from`) into `dst` (written through `to`) over `shape`. */
function emitCopy(w: CodeBlockWriter, shape: Shape, dst: string, to: LoopOperand, src: string, from: LoopOperand): void {
  emitLoops(w, shape, [to, from], ([o, i]) => w.writeLine(`${dst}[${o}] = ${src}[${i}];`));
}

const transpose: KernelEmitter<'transpose'> = (w, k) => {
  const inStrides = stridesOf(k.inputs[0]!.shape);
  const out = k.outputs[0]!.shape;
  emitCopy(w, out, outArg(0), { strides: denseStrides(out) }, inArg(0), { strides: k.node.attrs.perm.map((p) => inStrides[p]!) });
};

const expand: KernelEmitter<'expand'> = (w, k) => {
  const out = k.outputs[0]!.shape;
  emitCopy(w, out, outArg(0), { strides: denseStrides(out) }, inArg(0), { strides: broadcastStrides(out, k.inputs[0]!.shape) });
};

const slice: KernelEmitter<'slice'> = (w, k) => {
  const inStrides = stridesOf(k.inputs[0]!.shape);
  const out = k.outputs[0]!.shape;
  if (numel(out) === 0) return;
  const plan = slicePlan(k.inputs[0]!.shape, k.node.attrs);
  const base = plan.reduce((acc, p, d) => acc + p.start * inStrides[d]!, 0);
  const from = { strides: plan.map((p, d) => p.step * inStrides[d]!), base: String(base) };
  emitCopy(w, out, outArg(0), { strides: denseStrides(out) }, inArg(0), from);
};

const concat: KernelEmitter<'concat'> = (w, k) => {
  const out = k.outputs[0]!.shape;
  const axis = normAxis(k.node.attrs.axis, out.length);
  const outStrides = denseStrides(out);
  let offset = 0;
  k.inputs.forEach((t, i) => {
    if (numel(t.shape) > 0) {
      emitCopy(w, t.shape, outArg(0), { strides: outStrides, base: String(offset * outStrides[axis]!) }, inArg(i), { strides: denseStrides(t.shape) });
    }
    offset += t.shape[axis]!;
  });
};

const split: KernelEmitter<'split'> = (w, k) => {
  const shape = k.inputs[0]!.shape;
  const axis = normAxis(k.node.attrs.axis, shape.length);
  const inStrides = denseStrides(shape);
  let offset = 0;
  k.outputs.forEach((t, i) => {
    if (numel(t.shape) > 0) {
      emitCopy(w, t.shape, outArg(i), { strides: denseStrides(t.shape) }, inArg(0), { strides: inStrides, base: String(offset * inStrides[axis]!) });
    }
    offset += t.shape[axis]!;
  });
};

/**
 * gather: out[outer, idx..., inner] = data[outer, indices[idx...] (wrapped once if negative), inner].
 * Every index is checked first, even when the output is empty (as the interpreter does).
 */
const gather: KernelEmitter<'gather'> = (w, k) => {
  const [data, indices] = [k.inputs[0]!, k.inputs[1]!];
  const axis = normAxis(k.node.attrs.axis, data.shape.length);
  const dim = data.shape[axis]!;
  const outer = numel(data.shape.slice(0, axis));
  const inner = numel(data.shape.slice(axis + 1));
  const count = numel(indices.shape);
  if (count === 0) return;
  w.write(`for (let q = 0; q < ${count}; q++) `).block(() => {
    w.writeLine(`const raw = ${inArg(1)}[q];`);
    const lo = indices.dtype === 'i64' ? `${-dim}n` : String(-dim);
    const hi = indices.dtype === 'i64' ? `${dim}n` : String(dim);
    const where = tsString(`${describeNode('gather', k.node.outputs[0]?.id, k.node.label)}: `);
    w.writeLine(`if (!(raw >= ${lo} && raw < ${hi})) throw new IndexRangeError(${where} + indexRangeMessage(raw, ${axis}, ${dim}));`);
  });
  if (outer * inner === 0) return;
  const idx = indices.dtype === 'i64' ? `Number(${inArg(1)}[q])` : `${inArg(1)}[q]`;
  w.write(`for (let p = 0; p < ${outer}; p++) `).block(() => {
    w.write(`for (let q = 0; q < ${count}; q++) `).block(() => {
      w.writeLine(`const raw = ${idx};`);
      w.writeLine(`const src = p * ${dim * inner} + (raw < 0 ? raw + ${dim} : raw) * ${inner};`);
      w.writeLine(`const dst = (p * ${count} + q) * ${inner};`);
      w.write(`for (let e = 0; e < ${inner}; e++) `).block(() => w.writeLine(`${outArg(0)}[dst + e] = ${inArg(0)}[src + e];`));
    });
  });
};

/** Emitters of the movement kinds that need a copy (reshape-like views need none). */
export const movementKernels = { transpose, expand, slice, concat, split, gather };
