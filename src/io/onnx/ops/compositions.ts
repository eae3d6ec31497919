// ONNX ops composed from IR ops with static parameters: LpNormalization, MeanVarianceNormalization,
// GatherND (one gather at flat indices), DepthToSpace and SpaceToDepth (reshape, transpose, reshape),
// ReverseSequence (a gather at computed flat indices) and TensorScatter (a scatterElements).
import { numel } from '../../../ir/types.ts';
import type { NodeContext, Val } from '../context.ts';
import { axisOf } from './movement.ts';
import type { Lowerings } from './lowering.ts';

/** LpNormalization: x / ||x||_p along `axis` (default -1), p 1 or 2 (default 2); 0 where the norm is 0, as the reference. */
function lpNormalization(c: NodeContext): Val[] {
  const x = c.input(0);
  if (x.type.dtype !== 'f32') c.fail(`input must be a float tensor, got ${c.fmt(x)}`);
  const axis = axisOf(c, c.int('axis', -1), x.type.shape.length);
  const p = c.int('p', 2);
  if (p !== 1 && p !== 2) c.fail(`p must be 1 or 2, got ${p}`);
  const args = { axes: [axis], keepDims: true };
  const norm = p === 1
    ? c.op1('reduceSum', args, [c.op1('abs', {}, [x])])
    : c.op1('sqrt', {}, [c.op1('reduceSum', args, [c.op1('mul', {}, [x, x])])]);
  return [c.op1('where', {}, [c.op1('equal', {}, [norm, c.scalar(0)]), c.scalar(0), c.op1('div', {}, [x, norm])])];
}

/** MeanVarianceNormalization: (x - mean) / sqrt(var + 1e-9) over `axes` (default [0, 2, 3]), the variance biased. */
function meanVarianceNormalization(c: NodeContext): Val[] {
  const x = c.input(0);
  if (x.type.dtype !== 'f32') c.fail(`input must be a float tensor, got ${c.fmt(x)}`);
  const axes = (c.ints('axes') ?? [0, 2, 3]).map((a) => axisOf(c, a, x.type.shape.length, 'mvn axis'));
  const mean = c.op1('reduceMean', { axes, keepDims: true }, [x]);
  const centred = c.op1('sub', {}, [x, mean]);
  const variance = c.op1('reduceMean', { axes, keepDims: true }, [c.op1('mul', {}, [centred, centred])]);
  return [c.op1('div', {}, [centred, c.op1('sqrt', {}, [c.op1('add', {}, [variance, c.scalar(1e-9)])])])];
}

/**
 * GatherND(data, indices [..., k], batch_dims b): every k-tuple picks a slice of data. As one
 * gather of [batch, slices] rows from data viewed as [B * prod(tuple dims), slice]: the row is
 * batch * prod + sum_j wrap(index_j) * stride_j. An index outside [-dim, dim) sends its row past
 * the end, so gather's range check reports it (on every backend) instead of another row being read.
 */
function gatherND(c: NodeContext): Val[] {
  const [data, idx] = [c.input(0), c.input(1)];
  const [D, I] = [data.type.shape, idx.type.shape];
  const b = c.int('batch_dims', 0);
  const dt = idx.type.dtype;
  if (dt !== 'i64' && dt !== 'i32') c.fail(`indices must be int64, got ${c.fmt(idx)}`);
  const k = I.at(-1);
  if (k === undefined || b < 0 || b + k > D.length || I.length <= b || D.slice(0, b).some((d, i) => d !== I[i])) {
    c.fail(`indices ${c.fmt(idx)} do not fit data ${c.fmt(data)} with batch_dims ${b}`);
  }
  const batch = numel(D.slice(0, b));
  const tuple = D.slice(b, b + k);
  const slice = D.slice(b + k);
  const cells = numel(tuple);
  const perBatch = numel(I.slice(b, -1));
  const flatIdx = c.op1('reshape', { shape: [batch, perBatch, k] }, [idx]);
  let row: Val = c.constant(dt, [batch, 1], Array.from({ length: batch }, (_, i) => i * cells));
  let inRange: Val | undefined;
  tuple.forEach((dim, j) => {
    const v = c.op1('reshape', { shape: [batch, perBatch] }, [c.op1('slice', { starts: [j], ends: [j + 1], axes: [2], steps: [1] }, [flatIdx])]);
    const ok = c.op1('and', {}, [c.op1('not', {}, [c.op1('less', {}, [v, c.scalar(-dim, dt)])]), c.op1('less', {}, [v, c.scalar(dim, dt)])]);
    inRange = inRange ? c.op1('and', {}, [inRange, ok]) : ok;
    const wrapped = c.op1('where', {}, [c.op1('less', {}, [v, c.scalar(0, dt)]), c.op1('add', {}, [v, c.scalar(dim, dt)]), v]);
    row = c.op1('add', {}, [row, c.op1('mul', {}, [wrapped, c.scalar(numel(tuple.slice(j + 1)), dt)])]);
  });
  if (inRange) row = c.op1('where', {}, [inRange, row, c.scalar(batch * cells, dt)]);
  const table = c.op1('reshape', { shape: [batch * cells, ...slice] }, [data]);
  const picked = c.op1('gather', { axis: 0 }, [table, row]);
  return [c.op1('reshape', { shape: [...I.slice(0, -1), ...slice] }, [picked])];
}

/** DepthToSpace: [N, C, H, W] -> [N, C / b², H b, W b], mode DCR (default) or CRD. */
function depthToSpace(c: NodeContext): Val[] {
  const x = c.input(0);
  if (x.type.shape.length !== 4) c.fail(`input must be 4-D, got ${c.fmt(x)}`);
  const [n, ch, h, w] = x.type.shape as [number, number, number, number];
  const bs = c.int('blocksize', 0);
  if (!(bs > 0) || ch % (bs * bs) !== 0) c.fail(`blocksize ${bs} must be positive with its square dividing the ${ch} channels`);
  const mode = c.string('mode', 'DCR');
  if (mode !== 'DCR' && mode !== 'CRD') c.fail(`mode must be DCR or CRD, got ${JSON.stringify(mode)}`);
  const out = ch / (bs * bs);
  const split = mode === 'DCR' ? [n, bs, bs, out, h, w] : [n, out, bs, bs, h, w];
  const perm = mode === 'DCR' ? [0, 3, 4, 1, 5, 2] : [0, 1, 4, 2, 5, 3];
  const t = c.op1('transpose', { perm }, [c.op1('reshape', { shape: split }, [x])]);
  return [c.op1('reshape', { shape: [n, out, h * bs, w * bs] }, [t])];
}

/** SpaceToDepth: [N, C, H, W] -> [N, C b², H / b, W / b]. */
function spaceToDepth(c: NodeContext): Val[] {
  const x = c.input(0);
  if (x.type.shape.length !== 4) c.fail(`input must be 4-D, got ${c.fmt(x)}`);
  const [n, ch, h, w] = x.type.shape as [number, number, number, number];
  const bs = c.int('blocksize', 0);
  if (!(bs > 0) || h % bs !== 0 || w % bs !== 0) c.fail(`blocksize ${bs} must be positive and divide H ${h} and W ${w}`);
  const t = c.op1('transpose', { perm: [0, 3, 5, 1, 2, 4] }, [c.op1('reshape', { shape: [n, ch, h / bs, bs, w / bs, bs] }, [x])]);
  return [c.op1('reshape', { shape: [n, ch * bs * bs, h / bs, w / bs] }, [t])];
}

/**
 * ReverseSequence: along time_axis (default 0), batch b's first sequence_lens[b] steps reversed,
 * the rest kept. One gather from the flattened input at flat indices whose time coordinate is
 * where(t < len, len - 1 - t, t); a length beyond the time axis reaches gather's range check.
 */
function reverseSequence(c: NodeContext): Val[] {
  const [x, lens0] = [c.input(0), c.input(1)];
  const shape = x.type.shape;
  if (shape.length < 2) c.fail(`input must have rank 2 or more, got ${c.fmt(x)}`);
  const timeAxis = axisOf(c, c.int('time_axis', 0), shape.length, 'time_axis');
  const batchAxis = axisOf(c, c.int('batch_axis', 1), shape.length, 'batch_axis');
  if (timeAxis === batchAxis) c.fail('time_axis and batch_axis must differ');
  if (lens0.type.shape.join() !== String(shape[batchAxis])) c.fail(`sequence_lens must be [${shape[batchAxis]}], got ${c.fmt(lens0)}`);
  const lens = lens0.type.dtype === 'i64' ? lens0 : c.op1('cast', { to: 'i64' }, [lens0]);
  const along = (axis: number, n: number, values: readonly number[]): Val => c.constant('i64', shape.map((d, i) => (i === axis ? n : 1)), values);
  const t = along(timeAxis, shape[timeAxis]!, Array.from({ length: shape[timeAxis]! }, (_, i) => i));
  const len = c.op1('reshape', { shape: shape.map((d, i) => (i === batchAxis ? d : 1)) }, [lens]);
  const source = c.op1('where', {}, [c.op1('less', {}, [t, len]), c.op1('sub', {}, [c.op1('sub', {}, [len, c.scalar(1, 'i64')]), t]), t]);
  const strides = shape.map((_, k) => numel(shape.slice(k + 1)));
  let flat = c.op1('mul', {}, [source, c.scalar(strides[timeAxis]!, 'i64')]);
  shape.forEach((d, k) => {
    if (k !== timeAxis && d > 1) flat = c.op1('add', {}, [flat, along(k, d, Array.from({ length: d }, (_, i) => i * strides[k]!))]);
  });
  flat = c.op1('expand', { shape: [...shape] }, [flat]);
  return [c.op1('gather', { axis: 0 }, [c.op1('reshape', { shape: [numel(shape)] }, [x]), flat])];
}

/**
 * TensorScatter (opset 24): past_cache with `update` written along `axis` (default -2) from
 * write_indices[batch] (0 when absent), wrapping round the axis in circular mode: a scatterElements
 * whose indices are write_indices[b] + the update's positions along the axis.
 */
function tensorScatter(c: NodeContext): Val[] {
  const [cache, update] = [c.input(0), c.input(1)];
  const shape = cache.type.shape;
  const axis = axisOf(c, c.int('axis', -2), shape.length);
  if (axis === 0) c.fail('axis must not be the batch axis 0');
  const mode = c.string('mode', 'linear');
  if (mode !== 'linear' && mode !== 'circular') c.fail(`mode must be linear or circular, got ${JSON.stringify(mode)}`);
  const n = update.type.shape[axis]!;
  if (update.type.shape.length !== shape.length || update.type.shape.some((d, i) => (i === axis ? d > shape[i]! : d !== shape[i]))) {
    c.fail(`update ${c.fmt(update)} does not fit past_cache ${c.fmt(cache)} along axis ${axis}`);
  }
  const w0 = c.maybe(2) ?? c.constant('i64', [shape[0]!], Array(shape[0]!).fill(0));
  const w = w0.type.dtype === 'i64' ? w0 : c.op1('cast', { to: 'i64' }, [w0]);
  const start = c.op1('reshape', { shape: shape.map((d, i) => (i === 0 ? d : 1)) }, [w]);
  let idx = c.op1('add', {}, [start, c.constant('i64', shape.map((_, i) => (i === axis ? n : 1)), Array.from({ length: n }, (_, i) => i))]);
  if (mode === 'circular') idx = c.op1('mod', {}, [idx, c.scalar(shape[axis]!, 'i64')]);
  idx = c.op1('expand', { shape: [...update.type.shape] }, [idx]);
  return [c.op1('scatterElements', { axis, reduction: 'none' }, [cache, idx, update])];
}

/** The composed lowerings. */
export const compositionLowerings: Lowerings = {
  LpNormalization: lpNormalization,
  MeanVarianceNormalization: meanVarianceNormalization,
  GatherND: gatherND,
  DepthToSpace: depthToSpace,
  SpaceToDepth: spaceToDepth,
  ReverseSequence: reverseSequence,
  TensorScatter: tensorScatter,
};
