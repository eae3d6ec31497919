// ONNX ops that work along one axis: ArgMax, ArgMin, Hardmax (one hot at the argmax), CumSum,
// CumProd and TopK.
import type { NodeContext, Val } from '../context.ts';
import { axisOf } from './movement.ts';
import type { Lowerings } from './lowering.ts';

/** ArgMax/ArgMin: axis (default 0), keepdims (default 1), select_last_index (opset 12 on). Bools compare as 0/1. */
const arg = (kind: 'argMax' | 'argMin') => (c: NodeContext): Val[] => {
  const x0 = c.input(0);
  const x = x0.type.dtype === 'bool' ? c.op1('cast', { to: 'i32' }, [x0]) : x0;
  const axis = axisOf(c, c.int('axis', 0), x.type.shape.length);
  return [c.op1(kind, { axis, keepDims: c.int('keepdims', 1) !== 0, selectLast: c.int('select_last_index', 0) !== 0 }, [x])];
};

/**
 * Hardmax: 1 at the first maximum along `axis` (default -1 from opset 13; before, the input is
 * read as a 2-D [prod(dims before axis), prod(dims from axis)] matrix with default axis 1), 0
 * elsewhere: argMax compared with the positions along the axis.
 */
function hardmax(c: NodeContext): Val[] {
  const x = c.input(0);
  const shape = x.type.shape;
  if (x.type.dtype !== 'f32') c.fail(`input must be a float tensor, got ${c.fmt(x)}`);
  if (c.opset < 13) {
    const axis = axisOf(c, c.int('axis', 1), Math.max(shape.length, 1));
    const rows = shape.slice(0, axis).reduce((p, q) => p * q, 1);
    const flat = c.op1('reshape', { shape: [rows, shape.slice(axis).reduce((p, q) => p * q, 1)] }, [x]);
    return [c.op1('reshape', { shape: [...shape] }, [oneHotMax(c, flat, 1)])];
  }
  return [oneHotMax(c, x, axisOf(c, c.int('axis', -1), shape.length))];
}

/** 1 where an element is its line's first maximum along `axis`, else 0 (f32). */
function oneHotMax(c: NodeContext, x: Val, axis: number): Val {
  const len = x.type.shape[axis]!;
  if (len === 0) return x;
  const at = c.op1('argMax', { axis, keepDims: true, selectLast: false }, [x]);
  const positions = c.constant('i64', x.type.shape.map((d, i) => (i === axis ? d : 1)), Array.from({ length: len }, (_, i) => i));
  return c.op1('cast', { to: 'f32' }, [c.op1('equal', {}, [at, positions])]);
}

/** CumSum/CumProd: the axis is input 1 (a scalar or one-element tensor known at import); exclusive, reverse. */
const cumulative = (kind: 'cumSum' | 'cumProd') => (c: NodeContext): Val[] => {
  const x = c.input(0);
  const axes = c.staticInts(1, 'axis') ?? c.fail('axis (input 1) is required');
  if (axes.length !== 1) c.fail(`axis must hold one value, got ${axes.length}`);
  const axis = axisOf(c, axes[0]!, x.type.shape.length);
  return [c.op1(kind, { axis, exclusive: c.int('exclusive', 0) !== 0, reverse: c.int('reverse', 0) !== 0 }, [x])];
};

/**
 * TopK: k from input 1 (opset 10 on; a one-element tensor known at import) or the attribute; axis
 * default -1; largest from opset 11. sorted = 0 allows any order, so the sorted result serves both.
 */
function topK(c: NodeContext): Val[] {
  const x = c.input(0);
  const ks = c.opset >= 10 ? c.staticInts(1, 'k') ?? c.fail('k (input 1) is required') : [c.int('k', -1)];
  if (ks.length !== 1) c.fail(`k must hold one value, got ${ks.length}`);
  const axis = axisOf(c, c.int('axis', -1), x.type.shape.length);
  return c.op('topK', { axis, k: ks[0]!, largest: c.int('largest', 1) !== 0 }, [x]);
}

/** The lowerings of the axis ops. */
export const lineLowerings: Lowerings = {
  ArgMax: arg('argMax'),
  ArgMin: arg('argMin'),
  Hardmax: hardmax,
  CumSum: cumulative('cumSum'),
  CumProd: cumulative('cumProd'),
  TopK: topK,
};
