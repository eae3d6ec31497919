// Resize (opset 10 on) and Upsample (7 to 9): separable resampling, one resized axis at a time.
// Each axis's taps (src/io/onnx/ops/resize-taps.ts: which inputs every output reads, and with what
// weights) become constants, and the axis is resampled as
//   gather(x, taps.index [out, n], axis) * taps.weight [out, n, 1..] -> reduceSum over the tap axis
// (a lone gather for nearest), then `where` puts extrapolation_value outside tf_crop_and_resize's
// region. Every backend runs that with kernels it has, and the constant indices are range-checked at
// compile time like any gather's. Scales, sizes and roi must be known at import: they decide the
// output shape.
import { getNumber } from '../../../ir/tensor.ts';
import type { NodeContext, Val } from '../context.ts';
import { axisOf } from './movement.ts';
import type { Lowerings } from './lowering.ts';
import { type AxisResize, type CoordinateMode, type Interpolation, type NearestMode, type Taps, isIdentity, resizeTaps } from './resize-taps.ts';

const COORDINATE_MODES: readonly CoordinateMode[] = ['half_pixel', 'half_pixel_symmetric', 'pytorch_half_pixel', 'align_corners', 'asymmetric', 'tf_crop_and_resize'];
const NEAREST_MODES: readonly NearestMode[] = ['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil'];

/** Attribute `name` as one of `allowed`, or an error listing them. */
function oneOf<T extends string>(c: NodeContext, name: string, dflt: T, allowed: readonly T[]): T {
  const v = c.string(name, dflt);
  if (!(allowed as readonly string[]).includes(v)) c.fail(`${name} ${JSON.stringify(v)} is not supported (${allowed.join(', ')})`);
  return v as T;
}

/** A static float input's values, or undefined when it is absent or empty (ONNX's "not given"). */
function staticValues(c: NodeContext, i: number, what: string): number[] | undefined {
  if (!c.maybe(i)) return undefined;
  const t = c.static(i, what);
  return t.data.length === 0 ? undefined : Array.from({ length: t.data.length }, (_, k) => getNumber(t, k));
}

/** Resamples `x` along `axis` by `taps`. */
function resample(c: NodeContext, x: Val, axis: number, taps: Taps, extrapolation: number): Val {
  const rank = x.type.shape.length;
  const outLen = taps.outside.length;
  const trailing = Array<number>(rank - axis - 1).fill(1);
  let y: Val;
  if (taps.count === 2 && taps.weight.every((w) => w === 0 || w === 1)) {
    // Nearest: the one tap of weight 1 (or the first, where the output is extrapolated).
    const pick = Array.from({ length: outLen }, (_, o) => taps.index[2 * o + (taps.weight[2 * o + 1] === 1 ? 1 : 0)]!);
    y = c.op1('gather', { axis }, [x, c.constant('i32', [outLen], pick)]);
  } else {
    const gathered = c.op1('gather', { axis }, [x, c.constant('i32', [outLen, taps.count], Array.from(taps.index))]);
    const weights = c.constant('f32', [outLen, taps.count, ...trailing], Array.from(taps.weight));
    y = c.op1('reduceSum', { axes: [axis + 1], keepDims: false }, [c.op1('mul', {}, [gathered, weights])]);
  }
  if (!taps.outside.some((o) => o !== 0)) return y;
  const mask = c.constant('bool', [outLen, ...trailing], Array.from(taps.outside));
  return c.op1('where', {}, [mask, c.scalar(extrapolation), y]);
}

/** Per axis of the input: output length and scale, from scales or sizes (and keep_aspect_ratio_policy). */
function outputPlan(c: NodeContext, shape: readonly number[], axes: readonly number[], scales: number[] | undefined, sizes: number[] | undefined): { outLen: number[]; scale: number[] } {
  const outLen = [...shape];
  const scale = shape.map(() => 1);
  if (scales && sizes) c.fail('scales and sizes are both given (only one may be)');
  const given = scales ?? sizes ?? c.fail('needs scales or sizes');
  if (given.length !== axes.length) c.fail(`${scales ? 'scales' : 'sizes'} has ${given.length} entries for ${axes.length} axes`);
  if (scales) {
    axes.forEach((a, i) => {
      if (!(scales[i]! > 0)) c.fail(`scale ${scales[i]} on axis ${a} must be positive`);
      scale[a] = scales[i]!;
      outLen[a] = Math.floor(shape[a]! * scales[i]!);
    });
    return { outLen, scale };
  }
  const policy = oneOf(c, 'keep_aspect_ratio_policy', 'stretch', ['stretch', 'not_larger', 'not_smaller'] as const);
  axes.forEach((a, i) => {
    if (!Number.isSafeInteger(sizes![i]) || sizes![i]! < 0) c.fail(`size ${sizes![i]} on axis ${a} must be a non-negative integer`);
    if (shape[a] === 0) c.fail(`axis ${a} is empty and cannot be resized to ${sizes![i]}`);
  });
  const ratios = axes.map((a, i) => sizes![i]! / shape[a]!);
  if (policy === 'stretch') {
    axes.forEach((a, i) => { scale[a] = ratios[i]!; outLen[a] = sizes![i]!; });
  } else {
    const s = policy === 'not_larger' ? Math.min(...ratios) : Math.max(...ratios);
    for (const a of axes) { scale[a] = s; outLen[a] = Math.floor(s * shape[a]! + 0.5); }
  }
  return { outLen, scale };
}

/** The interpolation and its options from the attributes, shared by Resize 11 on. */
function interpolationOf(c: NodeContext): { interpolation: Interpolation; antialias: boolean } {
  const mode = oneOf(c, 'mode', 'nearest', ['nearest', 'linear', 'cubic'] as const);
  const antialias = c.int('antialias', 0) !== 0;
  if (antialias && mode === 'nearest') c.fail('antialias applies to linear and cubic modes only, not nearest');
  const interpolation: Interpolation = mode === 'nearest'
    ? { kind: 'nearest', rounding: oneOf(c, 'nearest_mode', 'round_prefer_floor', NEAREST_MODES) }
    : mode === 'linear' ? { kind: 'linear' } : { kind: 'cubic', a: c.float('cubic_coeff_a', -0.75) };
  return { interpolation, antialias };
}

/** Applies per-axis resizes, last axis first (the order of the ONNX reference, which matters for extrapolation). */
function resizeAxes(c: NodeContext, x: Val, plans: readonly (AxisResize | undefined)[], extrapolation: number): Val {
  const float = x.type.dtype === 'f32';
  const nearest = plans.every((p) => !p || p.interpolation.kind === 'nearest');
  if (!float && !nearest && x.type.dtype === 'bool') c.fail(`linear and cubic modes need a numeric input, got ${c.fmt(x)}`);
  // Integers interpolate in f32 and truncate back, as the reference's astype does.
  let y = float || nearest ? x : c.op1('cast', { to: 'f32' }, [x]);
  for (let a = plans.length - 1; a >= 0; a--) {
    const p = plans[a];
    if (!p) continue;
    const taps = resizeTaps(p);
    if (!isIdentity(taps, p.inLen)) y = resample(c, y, a, taps, extrapolation);
  }
  return y.type.dtype === x.type.dtype ? y : c.op1('cast', { to: x.type.dtype }, [y]);
}

/** Resize from opset 11: roi, scales and sizes inputs; every coordinate mode; nearest, linear, cubic. */
function resize11(c: NodeContext): Val[] {
  const x = c.input(0);
  const shape = x.type.shape;
  const rank = shape.length;
  const axes = (c.ints('axes') ?? shape.map((_, i) => i)).map((a) => axisOf(c, a, rank, 'resize axis'));
  if (new Set(axes).size !== axes.length) c.fail(`axes [${axes.join(',')}] repeat an axis`);
  const coordinates = oneOf(c, 'coordinate_transformation_mode', 'half_pixel', COORDINATE_MODES);
  const { interpolation, antialias } = interpolationOf(c);
  const scales = staticValues(c, 2, 'scales');
  const sizes = scales ? undefined : staticValues(c, 3, 'sizes');
  const { outLen, scale } = outputPlan(c, shape, axes, scales, sizes);
  const roi = shape.map((): [number, number] => [0, 1]);
  if (coordinates === 'tf_crop_and_resize') {
    const r = staticValues(c, 1, 'roi') ?? c.fail('tf_crop_and_resize needs roi');
    if (r.length !== 2 * axes.length) c.fail(`roi has ${r.length} entries for ${axes.length} axes (2 per axis)`);
    axes.forEach((a, i) => { roi[a] = [r[i]!, r[i + axes.length]!]; });
    // The spec sizes the output by floor(in * (end - start) * scale), its reference by floor(in * scale).
    if (scales && axes.some((a) => roi[a]![1] - roi[a]![0] !== 1)) {
      c.unsupported('tf_crop_and_resize with scales', 'tf_crop_and_resize with scales and a partial roi: the ONNX spec and its reference disagree on the output size; give sizes instead');
    }
  }
  const common = { coordinates, interpolation, antialias, excludeOutside: c.int('exclude_outside', 0) !== 0 };
  const plans = shape.map((inLen, a) => (axes.includes(a) ? { ...common, inLen, outLen: outLen[a]!, scale: scale[a]!, roi: roi[a]! } : undefined));
  return [resizeAxes(c, x, plans, c.float('extrapolation_value', 0))];
}

/**
 * Upsample (opsets 7 to 9) and Resize 10: scales from the attribute (7, 8) or input 1, asymmetric
 * coordinates. nearest needs integer scales of 1 or more (the repeat the ONNX reference defines;
 * runtimes round other scales differently), linear interpolates between the two neighbours.
 */
function upsample(c: NodeContext): Val[] {
  const x = c.input(0);
  const shape = x.type.shape;
  const mode = oneOf(c, 'mode', 'nearest', ['nearest', 'linear', 'bilinear'] as const);
  const scales = (c.node.opType === 'Upsample' && c.opset < 9 ? c.floats('scales') : staticValues(c, 1, 'scales')) ?? c.fail('scales are required');
  if (scales.length !== shape.length) c.fail(`scales has ${scales.length} entries for an input of rank ${shape.length}`);
  if (mode === 'nearest' && scales.some((s) => !Number.isInteger(s) || s < 1)) {
    c.unsupported('nearest with fractional scales', `nearest with scales [${scales.join(',')}]: only integer scales of 1 or more are supported (the repeat ONNX defines)`);
  }
  const { outLen, scale } = outputPlan(c, shape, shape.map((_, i) => i), scales, undefined);
  const interpolation: Interpolation = mode === 'nearest' ? { kind: 'nearest', rounding: 'floor' } : { kind: 'linear' };
  const common = { coordinates: 'asymmetric' as const, interpolation, antialias: false, excludeOutside: false, roi: [0, 1] as const };
  return [resizeAxes(c, x, shape.map((inLen, a) => ({ ...common, inLen, outLen: outLen[a]!, scale: scale[a]! })), 0)];
}

/** The resampling lowerings. */
export const resizeLowerings: Lowerings = {
  Resize: (c) => (c.opset >= 11 ? resize11(c) : upsample(c)),
  Upsample: upsample,
};
