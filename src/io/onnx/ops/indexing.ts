// ONNX ops that read or make positions: ScatterElements (and its old name Scatter) and ScatterND
// onto the IR's scatters; OneHot as a comparison with the positions along the new axis; EyeLike
// as a constant.
import type { ScatterReduction } from '../../../ops/scatter.ts';
import { getNumber } from '../../../ir/tensor.ts';
import type { NodeContext, Val } from '../context.ts';
import { dtypeOf } from '../tensor.ts';
import { axisOf } from './movement.ts';
import type { Lowerings } from './lowering.ts';

const REDUCTIONS: readonly ScatterReduction[] = ['none', 'add', 'mul', 'max', 'min'];

/** The reduction attribute: none before opset 16, add and mul from 16, max and min from 18. */
function reductionOf(c: NodeContext): ScatterReduction {
  const r = c.string('reduction', 'none');
  const allowed = c.opset >= 18 ? REDUCTIONS : c.opset >= 16 ? REDUCTIONS.slice(0, 3) : REDUCTIONS.slice(0, 1);
  if (!(allowed as readonly string[]).includes(r)) c.fail(`reduction ${JSON.stringify(r)} is not supported at opset ${c.opset} (${allowed.join(', ')})`);
  return r as ScatterReduction;
}

/** ScatterElements (opset 11 on) and Scatter (9, 10): axis default 0. */
function scatterElements(c: NodeContext): Val[] {
  const reduction = c.node.opType === 'Scatter' ? 'none' : reductionOf(c);
  return [c.op1('scatterElements', { axis: c.int('axis', 0), reduction }, [c.input(0), c.input(1), c.input(2)])];
}

/**
 * OneHot(indices, depth, values = [off, on]): a new axis of length depth (known at import) at
 * `axis` (default -1), on where the position equals the index, off elsewhere. Float indices
 * truncate; negative ones count from depth; one still outside [0, depth) gives a row of off
 * values, as ONNX specifies (it is not an error).
 */
function oneHot(c: NodeContext): Val[] {
  const [indices, values] = [c.input(0), c.input(2)];
  const depth = Math.trunc(getNumber(c.static(1, 'depth'), 0));
  if (!(depth >= 0)) c.fail(`depth must be non-negative, got ${depth}`);
  if (c.numel(values) !== 2) c.fail(`values must hold [off, on], got ${c.fmt(values)}`);
  const rank = indices.type.shape.length + 1;
  const axis = axisOf(c, c.int('axis', -1), rank);
  const idx = indices.type.dtype === 'i64' ? indices : c.op1('cast', { to: 'i64' }, [indices]);
  const wrapped = c.op1('where', {}, [c.op1('less', {}, [idx, c.scalar(0, 'i64')]), c.op1('add', {}, [idx, c.scalar(depth, 'i64')]), idx]);
  const positions = c.constant('i64', Array.from({ length: rank }, (_, d) => (d === axis ? depth : 1)).slice(axis), Array.from({ length: depth }, (_, i) => i));
  const hit = c.op1('equal', {}, [c.op1('unsqueeze', { axes: [axis] }, [wrapped]), positions]);
  const pick = (i: number): Val => c.op1('reshape', { shape: [] }, [c.op1('slice', { starts: [i], ends: [i + 1], axes: [0], steps: [1] }, [c.op1('reshape', { shape: [2] }, [values])])]);
  return [c.op1('where', {}, [hit, pick(1), pick(0)])];
}

/** EyeLike: a constant of the input's 2-D shape, ones on diagonal k, of the dtype attribute's type (else the input's). */
function eyeLike(c: NodeContext): Val[] {
  const x = c.input(0);
  if (x.type.shape.length !== 2) c.fail(`input must be 2-D, got ${c.fmt(x)}`);
  const [rows, cols] = x.type.shape as [number, number];
  const dtype = c.has('dtype') ? dtypeOf(c.int('dtype', 0), `${c.where} attribute dtype`) : x.type.dtype;
  const k = c.int('k', 0);
  return [c.constant(dtype, [rows, cols], Array.from({ length: rows * cols }, (_, i) => (i % cols) - Math.floor(i / cols) === k ? 1 : 0))];
}

/** The indexing lowerings. */
export const indexingLowerings: Lowerings = {
  ScatterElements: scatterElements,
  Scatter: scatterElements,
  ScatterND: (c) => [c.op1('scatterND', { reduction: reductionOf(c) }, [c.input(0), c.input(1), c.input(2)])],
  OneHot: oneHot,
  EyeLike: eyeLike,
};
