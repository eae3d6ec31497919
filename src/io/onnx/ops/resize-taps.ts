// The sampling taps of ONNX Resize along one axis: for every output position, which input
// positions it reads and with what weights. Resize is separable, so one table per resized axis
// describes the whole op; src/io/onnx/ops/resize.ts turns each table into a gather, a multiply
// and a sum. The coordinate and coefficient rules are those of the ONNX specification and its
// reference implementation (onnx/reference/ops/op_resize.py), computed here in doubles.

/** How an output coordinate maps back to the input (ONNX coordinate_transformation_mode). */
export type CoordinateMode =
  | 'half_pixel' | 'half_pixel_symmetric' | 'pytorch_half_pixel' | 'align_corners' | 'asymmetric' | 'tf_crop_and_resize';

/** ONNX nearest_mode: how a fractional coordinate rounds. */
export type NearestMode = 'round_prefer_floor' | 'round_prefer_ceil' | 'floor' | 'ceil';

/** The interpolation: nearest (with its rounding), linear or cubic (Keys' kernel with parameter a). */
export type Interpolation =
  | { readonly kind: 'nearest'; readonly rounding: NearestMode }
  | { readonly kind: 'linear' }
  | { readonly kind: 'cubic'; readonly a: number };

/** Everything that decides one axis's taps. */
export interface AxisResize {
  readonly inLen: number;
  readonly outLen: number;
  /** The scale factor (output over input, before rounding the output length). */
  readonly scale: number;
  readonly coordinates: CoordinateMode;
  readonly interpolation: Interpolation;
  /** Stretch the filter by 1 / scale when downscaling (linear and cubic only). */
  readonly antialias: boolean;
  /** Zero the weights of taps outside the input, then renormalise. */
  readonly excludeOutside: boolean;
  /** tf_crop_and_resize's region of interest on this axis, as fractions of the input. */
  readonly roi: readonly [number, number];
}

/** The taps of one axis: `count` per output position, row-major [outLen, count]. */
export interface Taps {
  readonly count: number;
  /** Input positions, each within [0, inLen). */
  readonly index: Int32Array;
  readonly weight: Float64Array;
  /** Output positions outside the crop region (tf_crop_and_resize): they take extrapolation_value. */
  readonly outside: Uint8Array;
}

/** Keys' cubic convolution kernel with parameter a, at distance x. */
function keys(x: number, a: number): number {
  const d = Math.abs(x);
  if (d <= 1) return ((a + 2) * d - (a + 3)) * d * d + 1;
  if (d < 2) return ((a * d - 5 * a) * d + 8 * a) * d - 4 * a;
  return 0;
}

/** Weights by tap for `ratio` in (0, 1]: the distance from the tap before the coordinate. */
function coefficients(r: AxisResize, ratio: number): number[] {
  const it = r.interpolation;
  if (it.kind === 'nearest') {
    const second = ratio === 1 || { round_prefer_floor: ratio > 0.5, round_prefer_ceil: ratio >= 0.5, floor: false, ceil: true }[it.rounding];
    return second ? [0, 1] : [1, 0];
  }
  if (!r.antialias) {
    if (it.kind === 'linear') return [1 - ratio, ratio];
    return [1 + ratio, ratio, 1 - ratio, 2 - ratio].map((d) => keys(d, it.a));
  }
  // Antialiased: the kernel stretched by 1 / s (s = min(scale, 1)), over as many taps as its support covers.
  const s = Math.min(r.scale, 1);
  const start = Math.floor((it.kind === 'linear' ? -1 : -2) / s) + 1;
  const taps = Array.from({ length: 2 - 2 * start }, (_, k) => s * (start + k - ratio));
  const w = taps.map((x) => (it.kind === 'linear' ? Math.max(0, 1 - Math.abs(x)) : keys(x, it.a)));
  const sum = w.reduce((p, q) => p + q, 0);
  return w.map((v) => v / sum);
}

/** The input coordinate of output position `x`, or undefined outside tf_crop_and_resize's region. */
function sourceCoordinate(r: AxisResize, x: number): number | undefined {
  const width = r.scale * r.inLen;
  switch (r.coordinates) {
    case 'half_pixel': return (x + 0.5) / r.scale - 0.5;
    case 'half_pixel_symmetric': {
      const offset = (r.inLen / 2) * (1 - r.outLen / width);
      return offset + (x + 0.5) / r.scale - 0.5;
    }
    case 'pytorch_half_pixel': return width === 1 ? -0.5 : (x + 0.5) / r.scale - 0.5;
    case 'align_corners': return width === 1 ? 0 : (x * (r.inLen - 1)) / (width - 1);
    case 'asymmetric': return x / r.scale;
    case 'tf_crop_and_resize': {
      const [lo, hi] = r.roi;
      const span = (hi - lo) * (r.inLen - 1);
      const at = (width === 1 ? span / 2 : (x * span) / (width - 1)) + lo * (r.inLen - 1);
      return at < 0 || at > r.inLen - 1 ? undefined : at;
    }
  }
}

/**
 * The taps of one axis. The n taps of a coordinate are the n input positions nearest to it,
 * preferring lower ones, among the input padded by n/2 on each side with its edge values; a tap
 * in the padding reads the edge element (or, with excludeOutside, gets weight 0).
 */
export function resizeTaps(r: AxisResize): Taps {
  const count = r.interpolation.kind === 'nearest' ? 2 : coefficients(r, 1).length;
  const index = new Int32Array(r.outLen * count);
  const weight = new Float64Array(r.outLen * count);
  const outside = new Uint8Array(r.outLen);
  for (let x = 0; x < r.outLen; x++) {
    const at = sourceCoordinate(r, x);
    if (at === undefined) {
      outside[x] = 1;
      continue;
    }
    const base = Number.isInteger(at) ? at - 1 : Math.floor(at);
    const w = coefficients(r, at - base);
    const half = count / 2;
    // The window of the n nearest positions, kept inside the padded range [-n/2, inLen - 1 + n/2].
    const first = Math.min(Math.max(base - half + 1, -half), r.inLen - half);
    if (r.excludeOutside) {
      w.forEach((_, k) => { if (first + k < 0 || first + k >= r.inLen) w[k] = 0; });
      const sum = w.reduce((p, q) => p + q, 0);
      w.forEach((v, k) => { w[k] = v / sum; });
    }
    for (let k = 0; k < count; k++) {
      index[x * count + k] = Math.min(Math.max(first + k, 0), r.inLen - 1);
      weight[x * count + k] = w[k]!;
    }
  }
  return { count, index, weight, outside };
}

/** True when the taps copy the input unchanged (every output reads its own position with weight 1). */
export function isIdentity(t: Taps, inLen: number): boolean {
  const outLen = t.outside.length;
  if (outLen !== inLen || t.outside.some((o) => o !== 0)) return false;
  for (let x = 0; x < outLen; x++) {
    for (let k = 0; k < t.count; k++) {
      const w = t.weight[x * t.count + k]!;
      if (w !== 0 && !(w === 1 && t.index[x * t.count + k] === x)) return false;
    }
  }
  return true;
}
