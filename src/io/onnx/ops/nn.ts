// Contractions, normalisations and reductions: MatMul, Gemm, Softmax, LogSoftmax,
// LayerNormalization (with its Mean and InvStdDev outputs), ReduceSum/Mean/Max.
import { numel } from '../../../ir/types.ts';
import type { NodeContext, Val } from '../context.ts';
import { axisOf } from './movement.ts';
import type { Lowerings } from './lowering.ts';

function gemm(c: NodeContext): Val[] {
  const attrs = { transA: c.int('transA', 0) === 1, transB: c.int('transB', 0) === 1, alpha: c.float('alpha', 1), beta: c.float('beta', 1) };
  const operands = [c.input(0), c.input(1)];
  const bias = c.maybe(2);
  return [c.op1('gemm', attrs, bias ? [...operands, bias] : operands)];
}

/**
 * Softmax/LogSoftmax. From opset 13 along `axis` (default -1); before, the input is read as a
 * 2-D [prod(dims before axis), prod(dims from axis)] matrix (default axis 1), normalised by rows.
 */
const softmaxLike = (kind: 'softmax' | 'logSoftmax') => (c: NodeContext): Val[] => {
  const x = c.input(0);
  if (c.opset >= 13) return [c.op1(kind, { axis: c.int('axis', -1) }, [x])];
  const shape = x.type.shape;
  const axis = axisOf(c, c.int('axis', 1), Math.max(shape.length, 1));
  const flat = c.op1('reshape', { shape: [numel(shape.slice(0, axis)), numel(shape.slice(axis))] }, [x]);
  return [c.op1('reshape', { shape: [...shape] }, [c.op1(kind, { axis: 1 }, [flat])])];
};

/** LayerNormalization: Y from the IR op; Mean and InvStdDev (kept dims) from primitives when used. */
function layerNorm(c: NodeContext): (Val | undefined)[] {
  const x = c.input(0);
  const rank = x.type.shape.length;
  const axis = axisOf(c, c.int('axis', -1), rank);
  const epsilon = c.float('epsilon', 1e-5);
  if (c.int('stash_type', 1) !== 1) c.unsupported(`stash_type ${c.int('stash_type', 1)}`, 'only stash_type 1 (float) is supported');
  const scale = c.input(1);
  const bias = c.maybe(2);
  const normShape = x.type.shape.slice(axis);
  const fit = (v: Val): Val => (v.type.shape.length === normShape.length ? v : c.op1('expand', { shape: normShape }, [v]));
  const y = c.op1('layerNorm', { axis, epsilon }, bias ? [x, fit(scale), fit(bias)] : [x, fit(scale)]);
  const wantStats = c.node.output.slice(1).some((o) => o !== '');
  if (!wantStats) return [y];
  const axes = normShape.map((_, i) => axis + i);
  const mean = c.op1('reduceMean', { axes, keepDims: true }, [x]);
  const centred = c.op1('sub', {}, [x, mean]);
  const variance = c.op1('reduceMean', { axes, keepDims: true }, [c.op1('mul', {}, [centred, centred])]);
  const invStd = c.op1('reciprocal', {}, [c.op1('sqrt', {}, [c.op1('add', {}, [variance, c.scalar(epsilon)])])]);
  return [y, mean, invStd];
}

/** ReduceX: axes from the attribute or (from `inputSince`) input 1; empty axes reduce all unless noop_with_empty_axes. */
const reduce = (kind: 'reduceSum' | 'reduceMean' | 'reduceMax', inputSince: number) => (c: NodeContext): Val[] => {
  const x = c.input(0);
  const axes = (c.opset >= inputSince ? c.staticInts(1, 'axes') : c.ints('axes')) ?? [];
  const keepDims = c.int('keepdims', 1) === 1;
  if (axes.length === 0 && c.int('noop_with_empty_axes', 0) === 1) return [x];
  return [c.op1(kind, { axes, keepDims }, [x])];
};

/** The contraction, normalisation and reduction lowerings. */
export const nnLowerings: Lowerings = {
  MatMul: (c) => [c.op1('matmul', { transA: false, transB: false }, [c.input(0), c.input(1)])],
  Gemm: gemm,
  Softmax: softmaxLike('softmax'),
  LogSoftmax: softmaxLike('logSoftmax'),
  LayerNormalization: layerNorm,
  ReduceSum: reduce('reduceSum', 13),
  ReduceMean: reduce('reduceMean', 18),
  ReduceMax: reduce('reduceMax', 18),
};
