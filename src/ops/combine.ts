// Movement ops that join or cut tensors along axes: concat, split, slice (ONNX semantics).
// Each evaluates through strided index maps over the row-major layout.
import { type Shape, type TensorType, formatType, numel, stridesOf, tensorType } from '../ir/types.ts';
import { allocData, tensor } from '../ir/tensor.ts';
import type { OpAttrs } from './attrs.ts';
import type { OpDefs } from './def.ts';
import { fail, normAxes, normAxis, sameDType, stridedIndexMap } from './util.ts';
import { moveElements, takeElements } from './copy.ts';
import { GradEmitter, gradWith } from './gradient.ts';
import type { ValueId } from '../ir/graph.ts';
import { UnsupportedOpError } from '../errors.ts';

/** Output shape of concat: all inputs agree except along `axis`, where lengths add up. */
function concatShape(inputs: readonly TensorType[], axis: number): number[] {
  sameDType(inputs);
  const first = inputs[0]!;
  const rank = first.shape.length;
  const ax = normAxis(axis, rank, 'concat axis');
  const out = [...first.shape];
  out[ax] = 0;
  inputs.forEach((t, i) => {
    const ok = t.shape.length === rank && t.shape.every((d, j) => j === ax || d === first.shape[j]);
    if (!ok) fail(`concat input ${i} ${formatType(t)} does not match input 0 ${formatType(first)} outside axis ${ax}`);
    out[ax]! += t.shape[ax]!;
  });
  return out;
}

/** Output types of split: one per entry of `sizes`, which must be non-negative and sum to the axis length. */
function splitTypes(x: TensorType, { axis, sizes }: OpAttrs['split']): TensorType[] {
  const ax = normAxis(axis, x.shape.length, 'split axis');
  if (sizes.length === 0) fail('split needs at least one size');
  if (sizes.some((s) => !Number.isInteger(s) || s < 0)) fail(`split sizes [${sizes.join(',')}] must be non-negative integers`);
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total !== x.shape[ax]) fail(`split sizes [${sizes.join(',')}] sum to ${total}, but axis ${ax} has length ${x.shape[ax]}`);
  return sizes.map((s) => tensorType(x.dtype, x.shape.map((d, i) => (i === ax ? s : d))));
}

/** One sliced axis after clamping: first index, step and number of elements taken. */
/** One axis of a slice: first index, step and element count. */
export interface SliceDim {
  readonly start: number;
  readonly step: number;
  readonly len: number;
}

/**
 * ONNX Slice on one axis of length `dim`: wrap negatives once, clamp, then count the steps.
 * As the spec says (and unlike numpy), a negative step clamps a start below -dim up to 0.
 */
function sliceDim(start: number, end: number, step: number, dim: number): SliceDim {
  const clamp = (v: number, lo: number, hi: number): number => Math.min(Math.max(v, lo), hi);
  let s = start < 0 ? start + dim : start;
  let e = end < 0 ? end + dim : end;
  if (step > 0) {
    s = clamp(s, 0, dim);
    e = clamp(e, 0, dim);
  } else {
    s = clamp(s, 0, dim - 1);
    e = clamp(e, -1, dim - 1);
  }
  const len = dim === 0 ? 0 : Math.max(0, Math.ceil((e - s) / step));
  return { start: s, step, len };
}

/** Per-dim slice plan for `shape` (unlisted axes are taken whole), validating the attributes. */
export function slicePlan(shape: Shape, { starts, ends, axes, steps }: OpAttrs['slice']): SliceDim[] {
  const n = starts.length;
  if (ends.length !== n || axes.length !== n || steps.length !== n) {
    fail(`slice starts, ends, axes, steps differ in length (${n}, ${ends.length}, ${axes.length}, ${steps.length})`);
  }
  const ax = normAxes(axes, shape.length, 'slice axes');
  const bound = (v: number): boolean => Number.isInteger(v) || v === Infinity || v === -Infinity;
  if (![...starts, ...ends].every(bound)) fail(`slice starts [${starts.join(',')}] / ends [${ends.join(',')}] must be integers`);
  if (!steps.every((s) => Number.isInteger(s) && s !== 0)) fail(`slice steps [${steps.join(',')}] must be non-zero integers`);
  const plan = shape.map((d): SliceDim => ({ start: 0, step: 1, len: d }));
  ax.forEach((a, i) => {
    plan[a] = sliceDim(starts[i]!, ends[i]!, steps[i]!, shape[a]!);
  });
  return plan;
}

/** The gradient of a slice: its gradient padded with zeros back to the input's shape, axis by axis. */
function padBack(d: GradEmitter, g: ValueId, plan: readonly SliceDim[], full: Shape): ValueId {
  let cur = g;
  plan.forEach((p, ax) => {
    if (p.len === full[ax]!) return;
    if (p.step !== 1) throw new UnsupportedOpError(`no gradient for slice with step ${p.step} (only step 1 is differentiable)`);
    const shape = (n: number): number[] => d.shape(cur).map((s, i) => (i === ax ? n : s));
    const [before, after] = [p.start, full[ax]! - p.start - p.len];
    const parts = [...(before > 0 ? [d.zeros(shape(before))] : []), cur, ...(after > 0 ? [d.zeros(shape(after))] : [])];
    cur = parts.length === 1 ? cur : d.op('concat', { axis: ax }, parts);
  });
  return cur;
}

/** Definitions of concat, split and slice. */
export const combineOps: OpDefs<'concat' | 'split' | 'slice'> = {
  concat: {
    kind: 'concat',
    groups: ['movement'],
    arity: { min: 1, max: Infinity },
    infer: (inputs, { axis }) => [tensorType(inputs[0]!.dtype, concatShape(inputs, axis))],
    evaluate: (inputs, { axis }, [out]) => {
      const ax = normAxis(axis, out!.shape.length);
      const outStrides = stridesOf(out!.shape);
      const data = allocData(out!.dtype, numel(out!.shape));
      let at = 0;
      for (const x of inputs) {
        moveElements(data, x.data, stridedIndexMap(x.shape, outStrides, at * outStrides[ax]!));
        at += x.shape[ax]!;
      }
      return [tensor(out!.dtype, out!.shape, data)];
    },
    // Each input's part of the gradient, split off along the axis.
    grad: (c) => {
      const sizes = c.inputs.map((v) => c.type(v).shape[normAxis(c.attrs.axis, c.type(v).shape.length)]!);
      return c.inputs.length === 1 ? [c.grads[0]] : c.emit('split', { axis: c.attrs.axis, sizes }, [c.grads[0]!]);
    },
  },
  split: {
    kind: 'split',
    groups: ['movement'],
    arity: { min: 1, max: 1 },
    infer: ([x], attrs) => splitTypes(x!, attrs),
    evaluate: ([x], { axis }, outputs) => {
      const ax = normAxis(axis, x!.shape.length);
      const inStrides = stridesOf(x!.shape);
      let at = 0;
      return outputs.map((t) => {
        const part = takeElements(x!, t, stridedIndexMap(t.shape, inStrides, at * inStrides[ax]!));
        at += t.shape[ax]!;
        return part;
      });
    },
    // The parts' gradients joined again (zeros for parts nothing depends on).
    grad: (c) => {
      const d = new GradEmitter(c);
      const parts = c.grads.map((g, i) => g ?? d.zeros(c.type(c.outputs[i]!).shape));
      return [parts.length === 1 ? parts[0] : d.op('concat', { axis: c.attrs.axis }, parts)];
    },
  },
  slice: {
    kind: 'slice',
    groups: ['movement'],
    arity: { min: 1, max: 1 },
    infer: ([x], attrs) => [tensorType(x!.dtype, slicePlan(x!.shape, attrs).map((p) => p.len))],
    evaluate: ([x], attrs, [out]) => {
      const plan = slicePlan(x!.shape, attrs);
      const inStrides = stridesOf(x!.shape);
      const offset = plan.reduce((o, p, d) => o + p.start * inStrides[d]!, 0);
      const map = stridedIndexMap(out!.shape, plan.map((p, d) => p.step * inStrides[d]!), offset);
      return [takeElements(x!, out!, map)];
    },
    grad: gradWith<'slice'>((d, g, c) => {
      const full = d.shape(c.inputs[0]!);
      return [padBack(d, g, slicePlan(full, c.attrs), full)];
    }),
  },
};
