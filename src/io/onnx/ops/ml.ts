// The ai.onnx.ml ops that are tensor arithmetic: Binarizer (a comparison) and ArrayFeatureExtractor
// (a gather along the last axis). The string-typed and tree ops of that domain stay refused.
import type { NodeContext, Val } from '../context.ts';
import type { Lowerings } from './lowering.ts';

/** Binarizer: 1 where x > threshold (default 0), else 0, in x's type. */
function binarizer(c: NodeContext): Val[] {
  const x = c.input(0);
  if (x.type.dtype === 'bool') c.fail(`X must be numeric, got ${c.fmt(x)}`);
  const above = c.op1('greater', {}, [x, c.scalar(c.float('threshold', 0), x.type.dtype)]);
  return [c.op1('cast', { to: x.type.dtype }, [above])];
}

/**
 * ArrayFeatureExtractor(X [..., N], Y [k] int64): X's last axis at Y (a 1-D X gives [1, k]); an
 * index outside [0, N) reaches gather's range check.
 */
function arrayFeatureExtractor(c: NodeContext): Val[] {
  const [x, y] = [c.input(0), c.input(1)];
  if (y.type.dtype !== 'i64' && y.type.dtype !== 'i32') c.fail(`Y must be int64 indices, got ${c.fmt(y)}`);
  const idx = c.op1('reshape', { shape: [c.numel(y)] }, [y]);
  const rank = x.type.shape.length;
  if (rank === 0) c.fail(`X must have rank 1 or more, got ${c.fmt(x)}`);
  const picked = c.op1('gather', { axis: rank - 1 }, [x, idx]);
  return [rank === 1 ? c.op1('reshape', { shape: [1, c.numel(y)] }, [picked]) : picked];
}

/** The ai.onnx.ml lowerings. */
export const mlLowerings: Lowerings = {
  'ai.onnx.ml:Binarizer': binarizer,
  'ai.onnx.ml:ArrayFeatureExtractor': arrayFeatureExtractor,
};
