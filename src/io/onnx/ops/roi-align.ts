// RoiAlign as IR ops: per region, a static grid of sampling points (sampling_ratio > 0) whose
// coordinates follow the region at run time; bilinear corners gathered from the flattened input.
import type { NodeContext, Val } from '../context.ts';
import type { Lowerings } from './lowering.ts';

/**
 * One image axis of the samples: coordinates start + bin * (p + (i + 0.5) / grid) for output p and
 * grid point i, as [R, out * grid]; returns the low and high indices (i64) and their weights, zero
 * where the sample lies outside [-1, size] (the reference skips it: every corner then adds 0).
 */
function axisSamples(c: NodeContext, start: Val, bin: Val, out: number, grid: number, size: number): { lo: Val; hi: Val; wLo: Val; wHi: Val } {
  const steps = c.constant('f32', [1, out * grid], Array.from({ length: out * grid }, (_, k) => Math.floor(k / grid) + ((k % grid) + 0.5) / grid));
  const raw = c.op1('add', {}, [start, c.op1('mul', {}, [bin, steps])]);
  const inside = c.op1('and', {}, [c.op1('not', {}, [c.op1('less', {}, [raw, c.scalar(-1)])]), c.op1('not', {}, [c.op1('greater', {}, [raw, c.scalar(size)])])]);
  const y = c.op1('max', {}, [raw, c.scalar(0)]);
  const last = c.scalar(size - 1);
  const atEnd = c.op1('not', {}, [c.op1('less', {}, [c.op1('floor', {}, [y]), last])]);
  const lowF = c.op1('where', {}, [atEnd, last, c.op1('floor', {}, [y])]);
  const yy = c.op1('where', {}, [atEnd, last, y]);
  const highF = c.op1('where', {}, [atEnd, last, c.op1('add', {}, [lowF, c.scalar(1)])]);
  const l = c.op1('sub', {}, [yy, lowF]);
  const keep = (v: Val): Val => c.op1('where', {}, [inside, v, c.scalar(0)]);
  return { lo: c.op1('cast', { to: 'i64' }, [lowF]), hi: c.op1('cast', { to: 'i64' }, [highF]), wLo: keep(c.op1('sub', {}, [c.scalar(1), l])), wHi: keep(l) };
}

/** RoiAlign(X [N, C, H, W], rois [R, 4], batch_indices [R]) -> [R, C, output_height, output_width], mode avg or max. */
function roiAlign(c: NodeContext): Val[] {
  const [x, rois, batch] = [c.input(0), c.input(1), c.input(2)];
  if (x.type.shape.length !== 4 || x.type.dtype !== 'f32') c.fail(`X must be float [N, C, H, W], got ${c.fmt(x)}`);
  const [n, ch, h, w] = x.type.shape as [number, number, number, number];
  const r = rois.type.shape[0]!;
  if (rois.type.shape.join() !== `${r},4` || batch.type.shape.join() !== String(r)) c.fail(`rois must be [R, 4] and batch_indices [R], got ${c.fmt(rois)} and ${c.fmt(batch)}`);
  const [oh, ow, ratio, scale] = [c.int('output_height', 1), c.int('output_width', 1), c.int('sampling_ratio', 0), c.float('spatial_scale', 1)];
  if (ratio <= 0) c.unsupported('sampling_ratio', `sampling_ratio ${ratio} (adaptive: the grid depends on the regions' sizes at run time) is not supported; give a positive sampling_ratio`);
  const mode = c.string('mode', 'avg');
  const ctm = c.string('coordinate_transformation_mode', c.opset >= 16 ? 'half_pixel' : 'output_half_pixel');
  if ((mode !== 'avg' && mode !== 'max') || (ctm !== 'half_pixel' && ctm !== 'output_half_pixel')) c.fail(`mode ${JSON.stringify(mode)} must be avg or max, coordinate_transformation_mode ${JSON.stringify(ctm)} half_pixel or output_half_pixel`);
  const col = (k: number): Val => c.op1('slice', { starts: [k], ends: [k + 1], axes: [1], steps: [1] }, [rois]);
  const shift = ctm === 'half_pixel' ? 0.5 : 0;
  const at = (k: number): Val => c.op1('sub', {}, [c.op1('mul', {}, [col(k), c.scalar(scale)]), c.scalar(shift)]);
  const [x1, y1, x2, y2] = [at(0), at(1), at(2), at(3)];
  const extent = (a: Val, b: Val): Val => (ctm === 'half_pixel' ? c.op1('sub', {}, [b, a]) : c.op1('max', {}, [c.op1('sub', {}, [b, a]), c.scalar(1)]));
  const sy = axisSamples(c, y1, c.op1('div', {}, [extent(y1, y2), c.scalar(oh)]), oh, ratio, h);
  const sx = axisSamples(c, x1, c.op1('div', {}, [extent(x1, x2), c.scalar(ow)]), ow, ratio, w);
  const [Sy, Sx] = [oh * ratio, ow * ratio];
  const b = c.op1('reshape', { shape: [r, 1, 1, 1] }, [batch.type.dtype === 'i64' ? batch : c.op1('cast', { to: 'i64' }, [batch])]);
  // A batch index outside [0, N) points past the input, where gather's range check reports it.
  const bOk = c.op1('where', {}, [c.op1('or', {}, [c.op1('less', {}, [b, c.scalar(0, 'i64')]), c.op1('not', {}, [c.op1('less', {}, [b, c.scalar(n, 'i64')])])]), c.scalar(n, 'i64'), b]);
  const plane = c.op1('add', {}, [c.op1('mul', {}, [bOk, c.scalar(ch * h * w, 'i64')]), c.constant('i64', [1, ch, 1, 1], Array.from({ length: ch }, (_, i) => i * h * w))]);
  const flatX = c.op1('reshape', { shape: [n * ch * h * w] }, [x]);
  const rowsOf = (v: Val): Val => c.op1('reshape', { shape: [r, 1, Sy, 1] }, [v]);
  const colsOf = (v: Val): Val => c.op1('reshape', { shape: [r, 1, 1, Sx] }, [v]);
  const terms = ([[sy.lo, sy.wLo], [sy.hi, sy.wHi]] as const).flatMap(([yi, wy]) => ([[sx.lo, sx.wLo], [sx.hi, sx.wHi]] as const).map(([xi, wx]) => {
    const idx = c.op1('add', {}, [plane, c.op1('add', {}, [c.op1('mul', {}, [rowsOf(yi), c.scalar(w, 'i64')]), colsOf(xi)])]);
    return c.op1('mul', {}, [c.op1('gather', { axis: 0 }, [flatX, idx]), c.op1('mul', {}, [rowsOf(wy), colsOf(wx)])]);
  }));
  const kind = mode === 'avg' ? 'add' : 'max';
  const joined = terms.slice(1).reduce((acc, t) => c.op1(kind, {}, [acc, t]), terms[0]!);
  const grid = c.op1('reshape', { shape: [r, ch, oh, ratio, ow, ratio] }, [joined]);
  const args = { axes: [3, 5], keepDims: false };
  return [mode === 'avg' ? c.op1('div', {}, [c.op1('reduceSum', args, [grid]), c.scalar(ratio * ratio)]) : c.op1('reduceMax', args, [grid])];
}

/** The RoiAlign lowering. */
export const roiAlignLowerings: Lowerings = {
  RoiAlign: roiAlign,
};
