// Contractions, normalisations and reductions: MatMul, Gemm, Softmax, LogSoftmax,
// LayerNormalization (with its Mean and InvStdDev outputs), RMSNormalization, ReduceSum/Mean/Max
// and the ReduceX ops composed from them.
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
const reduce = (kind: 'reduceSum' | 'reduceMean' | 'reduceMax' | 'reduceProd', inputSince: number) => (c: NodeContext): Val[] => {
  const x = c.input(0);
  const args = reduceArgs(c, inputSince);
  if (!args) return [x];
  if (kind === 'reduceProd' && x.type.dtype !== 'f32') c.unsupported('on integers', `ReduceProd of ${c.fmt(x)}: only float inputs are supported`);
  if (kind === 'reduceMax' && x.type.dtype === 'bool') {
    // bool: the max as i32, true where it is above 0 (an empty reduction gives the i32 minimum: false).
    return [c.op1('greater', {}, [c.op1('reduceMax', args, [c.op1('cast', { to: 'i32' }, [x])]), c.scalar(0, 'i32')])];
  }
  return [c.op1(kind, args, [x])];
};

/** The axes and keepdims of a ReduceX node (axes an input from `inputSince`); undefined: a no-op (noop_with_empty_axes). */
function reduceArgs(c: NodeContext, inputSince: number): { axes: number[]; keepDims: boolean } | undefined {
  const axes = (c.opset >= inputSince ? c.staticInts(1, 'axes') : c.ints('axes')) ?? [];
  if (axes.length === 0 && c.int('noop_with_empty_axes', 0) === 1) return undefined;
  return { axes, keepDims: c.int('keepdims', 1) === 1 };
}

/**
 * The ReduceX ops built from reduceSum and reduceMax (axes an input from opset 18): L1 = sum |x|,
 * L2 = sqrt(sum x^2), SumSquare = sum x^2, LogSum = log(sum x), LogSumExp = m + log(sum e^(x - m))
 * with m the max (0 where the max is -Inf, so an all -Inf row gives -Inf, not NaN); ReduceMin is
 * -max(-x) on floats and ~max(~x) (~x = -1 - x, which cannot overflow) on integers.
 */
const composite = (form: 'l1' | 'l2' | 'sumSquare' | 'logSum' | 'logSumExp' | 'min') => (c: NodeContext): Val[] => {
  const args = reduceArgs(c, 18);
  if (form === 'min' && c.input(0).type.dtype === 'bool') {
    // bool: the min as i32, true where it is above 0 (an empty reduction gives the i32 maximum: true).
    const i = c.op1('cast', { to: 'i32' }, [c.input(0)]);
    const not = (v: Val): Val => c.op1('sub', {}, [c.scalar(-1, 'i32'), v]);
    return [args ? c.op1('greater', {}, [not(c.op1('reduceMax', args, [not(i)])), c.scalar(0, 'i32')]) : c.input(0)];
  }
  const x = c.input(0);
  const dt = x.type.dtype;
  const float = dt === 'f32';
  if (!args) {
    // noop_with_empty_axes: the elementwise part alone, as the ONNX reference computes it.
    if (form === 'min' || form === 'logSumExp' || form === 'logSum') return [x];
    if (form === 'l1') return [c.op1('abs', {}, [x])];
    return [form === 'l2' ? c.op1('abs', {}, [x]) : c.op1('mul', {}, [x, x])];
  }
  const sum = (v: Val): Val => c.op1('reduceSum', args, [v]);
  if ((form === 'l2' || form === 'logSum' || form === 'logSumExp') && !float) c.fail(`${c.node.opType} needs f32 input here, got ${c.fmt(x)}`);
  switch (form) {
    case 'l1': return [sum(c.op1('abs', {}, [x]))];
    case 'sumSquare': return [sum(c.op1('mul', {}, [x, x]))];
    case 'l2': return [c.op1('sqrt', {}, [sum(c.op1('mul', {}, [x, x]))])];
    case 'logSum': return [c.op1('log', {}, [sum(x)])];
    case 'logSumExp': {
      const kept = c.op1('reduceMax', { axes: args.axes, keepDims: true }, [x]);
      const m = c.op1('where', {}, [c.op1('equal', {}, [kept, c.scalar(-Infinity)]), c.scalar(0), kept]);
      const s = sum(c.op1('exp', {}, [c.op1('sub', {}, [x, m])]));
      const mOut = args.keepDims ? m : c.op1('reshape', { shape: [...s.type.shape] }, [m]);
      return [c.op1('add', {}, [mOut, c.op1('log', {}, [s])])];
    }
    case 'min': {
      if (float) return [c.op1('neg', {}, [c.op1('reduceMax', args, [c.op1('neg', {}, [x])])])];
      const not = (v: Val): Val => c.op1('sub', {}, [c.scalar(-1, dt), v]);
      return [not(c.op1('reduceMax', args, [not(x)]))];
    }
  }
};

/**
 * RMSNormalization (opset 23): x / sqrt(mean(x^2 over axes axis..rank-1) + epsilon) * scale, the
 * scale broadcast to x.
 */
function rmsNorm(c: NodeContext): Val[] {
  const x = c.input(0);
  if (x.type.dtype !== 'f32') c.fail(`input must be f32, got ${c.fmt(x)}`);
  if (c.int('stash_type', 1) !== 1) c.unsupported(`stash_type ${c.int('stash_type', 1)}`, 'only stash_type 1 (float) is supported');
  const rank = x.type.shape.length;
  const axis = axisOf(c, c.int('axis', -1), rank);
  const axes = x.type.shape.slice(axis).map((_, i) => axis + i);
  const meanSquare = c.op1('reduceMean', { axes, keepDims: true }, [c.op1('mul', {}, [x, x])]);
  const inv = c.op1('reciprocal', {}, [c.op1('sqrt', {}, [c.op1('add', {}, [meanSquare, c.scalar(c.float('epsilon', 1e-5))])])]);
  return [c.op1('mul', {}, [c.op1('mul', {}, [x, inv]), c.input(1)])];
}

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
  ReduceProd: reduce('reduceProd', 18),
  ReduceMin: composite('min'),
  ReduceL1: composite('l1'),
  ReduceL2: composite('l2'),
  ReduceSumSquare: composite('sumSquare'),
  ReduceLogSum: composite('logSum'),
  ReduceLogSumExp: composite('logSumExp'),
  RMSNormalization: rmsNorm,
};
