// Movement and shape ONNX ops. Parameters ONNX passes as tensor inputs (Reshape's shape, Slice's
// starts, Split's sizes, Unsqueeze's axes, Expand's shape) must be known at import, where they
// become IR attributes. Shape, Size, ConstantOfShape and Range produce constants. GatherElements is a
// gather at computed flat indices.
import { type Tensor, getNumber, tensor } from '../../../ir/tensor.ts';
import { numel } from '../../../ir/types.ts';
import { checkLimit } from '../../limits.ts';
import type { NodeContext, Val } from '../context.ts';
import type { Lowerings } from './lowering.ts';

const INT64_MAX = 2 ** 63;

/** A non-negative axis of `rank`, or an error naming the node. */
export function axisOf(c: NodeContext, axis: number, rank: number, what = 'axis'): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) c.fail(`${what} ${axis} is out of range for rank ${rank}`);
  return axis < 0 ? axis + rank : axis;
}

/**
 * GatherElements: out[i] = data[i with its `axis` coordinate replaced by indices[i]], as one
 * gather from the flattened data at flat indices sum_k coord_k * stride_k (the indices on `axis`,
 * constant coordinates elsewhere). An index outside [-len, len) on `axis` is sent past the end of
 * the flat data, so gather's range error reports it instead of another element being read.
 */
function gatherElements(c: NodeContext): Val[] {
  const [data, idx] = [c.input(0), c.input(1)];
  const [D, I] = [data.type.shape, idx.type.shape];
  const dt = idx.type.dtype;
  if (dt !== 'i32' && dt !== 'i64') c.fail(`indices must be int32 or int64, got ${c.fmt(idx)}`);
  if (D.length !== I.length) c.fail(`indices must have the data's rank, got ${c.fmt(idx)} for ${c.fmt(data)}`);
  const axis = axisOf(c, c.int('axis', 0), D.length);
  I.forEach((n, k) => {
    if (k !== axis && n > D[k]!) c.fail(`indices dim ${k} (${n}) exceeds the data's (${D[k]}): ${c.fmt(idx)} for ${c.fmt(data)}`);
  });
  const len = D[axis]!;
  const strides = D.map((_, k) => numel(D.slice(k + 1)));
  const wrapped = c.op1('where', {}, [c.op1('less', {}, [idx, c.scalar(0, dt)]), c.op1('add', {}, [idx, c.scalar(len, dt)]), idx]);
  let flat = c.op1('mul', {}, [wrapped, c.scalar(strides[axis]!, dt)]);
  I.forEach((n, k) => {
    if (k === axis || n === 1) return;
    const coord = c.constant(dt, I.map((m, j) => (j === k ? m : 1)), Array.from({ length: n }, (_, i) => i * strides[k]!));
    flat = c.op1('add', {}, [flat, coord]);
  });
  const inRange = c.op1('and', {}, [c.op1('not', {}, [c.op1('less', {}, [idx, c.scalar(-len, dt)])]), c.op1('less', {}, [idx, c.scalar(len, dt)])]);
  flat = c.op1('where', {}, [inRange, flat, c.scalar(numel(D), dt)]);
  return [c.op1('gather', { axis: 0 }, [c.op1('reshape', { shape: [numel(D)] }, [data]), flat])];
}

/** Axes from the attribute (before `inputSince`) or from input 1 (from it on). */
function axesParam(c: NodeContext, inputSince: number): number[] | undefined {
  return c.opset >= inputSince ? c.staticInts(1, 'axes') : c.ints('axes');
}

function reshape(c: NodeContext): Val[] {
  const x = c.input(0);
  const target = c.staticInts(1, 'shape') ?? c.fail('shape is required');
  const allowZero = c.int('allowzero', 0) === 1;
  const shape = target.map((d, i) => {
    if (d === 0 && !allowZero) {
      if (i >= x.type.shape.length) c.fail(`shape entry ${i} is 0 (copy) but the input has rank ${x.type.shape.length}`);
      return x.type.shape[i]!;
    }
    return d;
  });
  return [c.op1('reshape', { shape }, [x])];
}

function slice(c: NodeContext): Val[] {
  const x = c.input(0);
  const rank = x.type.shape.length;
  const fromInputs = c.opset >= 10;
  const starts = (fromInputs ? c.staticInts(1, 'starts') : c.ints('starts')) ?? c.fail('starts are required');
  const ends = (fromInputs ? c.staticInts(2, 'ends') : c.ints('ends')) ?? c.fail('ends are required');
  const axes = (fromInputs ? c.staticInts(3, 'axes') : c.ints('axes')) ?? starts.map((_, i) => i);
  const steps = (fromInputs ? c.staticInts(4, 'steps') : undefined) ?? starts.map(() => 1);
  if (ends.length !== starts.length || axes.length !== starts.length || steps.length !== starts.length) c.fail('starts, ends, axes and steps must have the same length');
  // Clamp the ±INT64_MAX sentinels to one past the dim, which the IR's clamping treats alike.
  const clamp = (v: number, i: number): number => {
    const d = x.type.shape[axisOf(c, axes[i]!, rank, 'slice axis')]!;
    return Math.max(-d - 1, Math.min(d + 1, Math.abs(v) >= INT64_MAX / 2 ? Math.sign(v) * (d + 1) : v));
  };
  return [c.op1('slice', { starts: starts.map(clamp), ends: ends.map(clamp), axes, steps }, [x])];
}

function split(c: NodeContext): Val[] {
  const x = c.input(0);
  const axis = axisOf(c, c.int('axis', 0), x.type.shape.length);
  const len = x.type.shape[axis]!;
  const n = c.node.output.length;
  let sizes = c.opset >= 13 ? c.staticInts(1, 'split') : c.ints('split');
  if (!sizes) {
    if (c.opset >= 18) {
      const parts = c.int('num_outputs', n);
      if (parts !== n) c.fail(`num_outputs ${parts} differs from the ${n} outputs`);
      const size = Math.ceil(len / n);
      sizes = Array.from({ length: n }, (_, i) => Math.max(0, Math.min(size, len - i * size)));
    } else {
      if (len % n !== 0) c.fail(`axis length ${len} does not split into ${n} equal parts`);
      sizes = Array.from({ length: n }, () => len / n);
    }
  }
  if (sizes.length !== n) c.fail(`split has ${sizes.length} sizes for ${n} outputs`);
  return c.op('split', { axis, sizes }, [x]);
}

function squeeze(c: NodeContext): Val[] {
  const x = c.input(0);
  const axes = axesParam(c, 13) ?? x.type.shape.flatMap((d, i) => (d === 1 ? [i] : []));
  return [axes.length === 0 ? x : c.op1('squeeze', { axes }, [x])];
}

function unsqueeze(c: NodeContext): Val[] {
  const axes = axesParam(c, 13) ?? c.fail('axes are required');
  return [c.op1('unsqueeze', { axes }, [c.input(0)])];
}

function transpose(c: NodeContext): Val[] {
  const x = c.input(0);
  const perm = c.ints('perm') ?? x.type.shape.map((_, i) => x.type.shape.length - 1 - i);
  return [c.op1('transpose', { perm }, [x])];
}

function concat(c: NodeContext): Val[] {
  const inputs = Array.from({ length: c.inputCount }, (_, i) => c.input(i));
  return [inputs.length === 1 ? inputs[0]! : c.op1('concat', { axis: c.int('axis', 0) }, inputs)];
}

function shapeOf(c: NodeContext): Val[] {
  const dims = c.input(0).type.shape;
  const r = dims.length;
  const clampIdx = (v: number): number => Math.max(0, Math.min(r, v < 0 ? v + r : v));
  const [start, end] = [clampIdx(c.int('start', 0)), clampIdx(c.int('end', r))];
  const out = dims.slice(start, Math.max(start, end));
  return [c.constant('i64', [out.length], out)];
}

function constantOfShape(c: NodeContext): Val[] {
  const shape = c.staticInts(0, 'shape') ?? [];
  const value = c.tensor('value') ?? tensor('f32', [1], [0]);
  if (value.data.length !== 1) c.fail('value must hold one element');
  if (shape.some((d) => !Number.isSafeInteger(d) || d < 0)) c.fail(`invalid shape [${shape.join(',')}]`);
  // The fill is an IR expand of the one-element value, so the output size is checked against the limits first.
  const one = c.em.constant(tensor(value.dtype, [], value.data));
  return [c.op1('expand', { shape }, [one])];
}

function range(c: NodeContext): Val[] {
  const [start, limit, delta] = [0, 1, 2].map((i) => c.static(i, ['start', 'limit', 'delta'][i]!)) as [Tensor, Tensor, Tensor];
  const [s, l, d] = [getNumber(start, 0), getNumber(limit, 0), getNumber(delta, 0)];
  if (d === 0) c.fail('delta is 0');
  const n = Math.max(Math.ceil((l - s) / d), 0);
  if (!Number.isSafeInteger(n)) c.fail(`range of ${n} elements`);
  checkLimit(c.em.limits, 'maxTensorElements', n, `${c.where}: range elements`);
  // Range has no IR op to leave to run time: its result is always materialised, so the fold limit bounds it.
  checkLimit(c.em.limits, 'maxFoldElements', n, `${c.where}: range elements (materialised at import)`);
  return [c.constant(start.dtype, [n], Array.from({ length: n }, (_, i) => s + i * d))];
}

/**
 * Tile: x [d0..dn] repeated [r0..rn] times is x viewed as [1,d0,..,1,dn], broadcast (expand) to
 * [r0,d0,..,rn,dn] and reshaped to [r0*d0,..,rn*dn]: one strided copy, no concatenation.
 */
function tile(c: NodeContext): Val[] {
  const x = c.input(0);
  const reps = c.staticInts(1, 'repeats') ?? c.fail('repeats are required');
  const dims = x.type.shape;
  if (reps.length !== dims.length) c.fail(`repeats has ${reps.length} entries for an input of rank ${dims.length}`);
  if (reps.some((r) => !Number.isSafeInteger(r) || r < 0)) c.fail(`repeats [${reps.join(',')}] must be non-negative integers`);
  if (reps.every((r) => r === 1)) return [x];
  const view = c.op1('reshape', { shape: dims.flatMap((d) => [1, d]) }, [x]);
  const wide = c.op1('expand', { shape: dims.flatMap((d, i) => [reps[i]!, d]) }, [view]);
  return [c.op1('reshape', { shape: dims.map((d, i) => d * reps[i]!) }, [wide])];
}

/**
 * Trilu: where(mask, x, 0) with the [N, M] mask computed at import (j - i >= k for the upper
 * triangle, j - i <= k for the lower). A constant x (a causal mask's ones) folds to a constant;
 * otherwise the select is one elementwise kernel.
 */
function trilu(c: NodeContext): Val[] {
  const x = c.input(0);
  const shape = x.type.shape;
  if (shape.length < 2) c.fail(`input must have rank 2 or more, got ${c.fmt(x)}`);
  const k = c.staticInts(1, 'k')?.[0] ?? 0;
  const upper = c.int('upper', 1) === 1;
  const [n, m] = shape.slice(-2) as [number, number];
  const keep: number[] = [];
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) keep.push((upper ? j - i >= k : j - i <= k) ? 1 : 0);
  const zero = c.scalar(0, x.type.dtype);
  return [c.op1('where', {}, [c.constant('bool', [n, m], keep), x, zero])];
}

/** The pad modes and what each copies into a border of `p` elements on an axis of length n. */
const PAD_MODES = ['constant', 'reflect', 'edge', 'wrap'] as const;
type PadMode = (typeof PAD_MODES)[number];

/**
 * Pad: per axis, negative pads crop (a slice), then the borders are concatenated on: for
 * `constant` the value broadcast (expand), for `edge` the first or last slice broadcast, for
 * `reflect` a reversed slice that leaves out the edge (x[p..1] and x[n-2..n-1-p]), for `wrap`
 * the slice from the far end. Every backend runs these as the copies it already has; a
 * constant input folds at import.
 */
function pad(c: NodeContext): Val[] {
  const x = c.input(0);
  const rank = x.type.shape.length;
  const modeName = c.string('mode', 'constant');
  if (!(PAD_MODES as readonly string[]).includes(modeName) || (modeName === 'wrap' && c.opset < 19)) {
    c.fail(`mode ${JSON.stringify(modeName)} is not supported (constant, reflect, edge${c.opset >= 19 ? ', wrap' : ''})`);
  }
  const mode = modeName as PadMode;
  const pads = (c.opset >= 11 ? c.staticInts(1, 'pads') : c.ints('pads') ?? c.ints('paddings')) ?? c.fail('pads are required');
  const value = c.opset >= 11 ? (c.maybe(2) ? getNumber(c.static(2, 'constant_value'), 0) : 0) : c.float('value', 0);
  const axes = (c.opset >= 18 ? c.staticInts(3, 'axes') : undefined)?.map((a) => axisOf(c, a, rank, 'pad axis')) ?? [...Array(rank).keys()];
  if (new Set(axes).size !== axes.length) c.fail(`pad axes [${axes.join(',')}] repeat an axis`);
  if (pads.length !== 2 * axes.length) c.fail(`pads has ${pads.length} entries for ${axes.length} axes (2 per axis)`);
  if (pads.some((p) => !Number.isSafeInteger(p))) c.fail(`pads [${pads.join(',')}] must be integers`);
  let cur = x;
  const cut = (v: Val, axis: number, start: number, end: number, step = 1): Val => c.op1('slice', { starts: [start], ends: [end], axes: [axis], steps: [step] }, [v]);
  axes.forEach((axis, i) => {
    const [before, after] = [pads[i]!, pads[i + axes.length]!];
    const n0 = cur.type.shape[axis]!;
    if (before < 0 || after < 0) {
      if (-Math.min(before, 0) - Math.min(after, 0) > n0) c.fail(`pads crop ${-Math.min(before, 0)} and ${-Math.min(after, 0)} from axis ${axis} of length ${n0}`);
      cur = cut(cur, axis, Math.max(0, -before), n0 - Math.max(0, -after));
    }
    const [b, e] = [Math.max(0, before), Math.max(0, after)];
    if (b === 0 && e === 0) return;
    const n = cur.type.shape[axis]!;
    const border = (len: number, first: boolean): Val => {
      const shape = cur.type.shape.map((d, k) => (k === axis ? len : d));
      if (mode === 'constant') return c.op1('expand', { shape }, [c.scalar(value, x.type.dtype)]);
      if (n === 0) c.fail(`${mode} padding of axis ${axis}, which is empty`);
      if (mode === 'edge') return c.op1('expand', { shape }, [first ? cut(cur, axis, 0, 1) : cut(cur, axis, n - 1, n)]);
      if (mode === 'reflect') {
        if (len > n - 1) c.fail(`reflect padding of ${len} on axis ${axis} of length ${n} (at most ${n - 1})`);
        // Ends one past the last index taken, going down (-(n + 1) clamps to before index 0).
        return first ? cut(cur, axis, len, 0, -1) : cut(cur, axis, n - 2, n - 2 - len < 0 ? -(n + 1) : n - 2 - len, -1);
      }
      if (len > n) c.fail(`wrap padding of ${len} on axis ${axis} of length ${n} (at most ${n})`);
      return first ? cut(cur, axis, n - len, n) : cut(cur, axis, 0, len);
    };
    const parts = [...(b > 0 ? [border(b, true)] : []), cur, ...(e > 0 ? [border(e, false)] : [])];
    cur = c.op1('concat', { axis }, parts);
  });
  return [cur];
}

function constant(c: NodeContext): Val[] {
  const t = c.tensor('value');
  // Labelled with its own output name: a large one becomes a weight of that name (src/codegen/constants.ts).
  // It carries the element type it declares, as a graph input does (CastLike and QuantizeLinear read it).
  if (t) return [{ ...c.em.constant(t, c.node.output[0]), elem: c.node.attribute.find((a) => a.name === 'value')!.t!.dataType }];
  if (c.has('value_float')) return [c.constant('f32', [], [c.float('value_float', 0)])];
  if (c.has('value_floats')) return [c.constant('f32', [c.floats('value_floats')!.length], c.floats('value_floats')!)];
  if (c.has('value_int')) return [c.constant('i64', [], [c.int('value_int', 0)])];
  if (c.has('value_ints')) return [c.constant('i64', [c.ints('value_ints')!.length], c.ints('value_ints')!)];
  return c.fail(`needs a value of a supported kind (value, value_float(s), value_int(s)); got ${c.node.attribute.map((a) => a.name).join(', ') || 'none'}`);
}

/** The movement and shape lowerings. */
export const movementLowerings: Lowerings = {
  Reshape: reshape,
  Flatten: (c) => {
    const x = c.input(0);
    const axis = c.int('axis', 1);
    const r = x.type.shape.length;
    const ax = axis < 0 ? axis + r : axis;
    if (ax < 0 || ax > r) c.fail(`axis ${axis} is out of range for rank ${r}`);
    return [c.op1('reshape', { shape: [numel(x.type.shape.slice(0, ax)), numel(x.type.shape.slice(ax))] }, [x])];
  },
  Slice: slice,
  Split: split,
  Squeeze: squeeze,
  Unsqueeze: unsqueeze,
  Transpose: transpose,
  Concat: concat,
  Expand: (c) => [c.op1('expand', { shape: c.staticInts(1, 'shape') ?? c.fail('shape is required') }, [c.input(0)])],
  Gather: (c) => [c.op1('gather', { axis: c.int('axis', 0) }, [c.input(0), c.input(1)])],
  GatherElements: gatherElements,
  Shape: shapeOf,
  Size: (c) => [c.constant('i64', [], [c.numel(c.input(0))])],
  ConstantOfShape: constantOfShape,
  Range: range,
  Constant: constant,
  Tile: tile,
  Trilu: trilu,
  Pad: pad,
};
