// Signal ops. The windows (Hann, Hamming, Blackman) and MelWeightMatrix take only sizes and
// scalars, which must be known at import, so they fold to constants computed in doubles. DFT is a
// matmul against a constant [n * parts, K * parts'] matrix of cos/sin terms (angles reduced mod the
// length in integers, so symmetric bins stay exact), with truncation to dft_length in the matrix's
// zero rows and zero padding implied by missing ones; the matrix is bounded by maxFoldElements.
// STFT gathers its frames at computed indices, applies the window, and runs the same DFT.
import { checkLimit } from '../../limits.ts';
import { getNumber } from '../../../ir/tensor.ts';
import type { NodeContext, Val } from '../context.ts';
import type { Lowerings } from './lowering.ts';
import { axisOf } from './movement.ts';

const FLOAT = 1;
const DOUBLE = 11;

/** The output dtype attribute of the windows and MelWeightMatrix: FLOAT (the default) or DOUBLE, both f32. */
function floatOutput(c: NodeContext): void {
  const t = c.int('output_datatype', FLOAT);
  if (t !== FLOAT && t !== DOUBLE) c.unsupported(`output_datatype ${t}`, `output_datatype ${t} is not supported (FLOAT or DOUBLE)`);
}

/** A window of `size` points from `f(n, N)`, N the size (periodic, the default) or size - 1. */
function windowOp(f: (n: number, N: number) => number) {
  return (c: NodeContext): Val[] => {
    floatOutput(c);
    const size = getNumber(c.static(0, 'the window size'), 0);
    if (!Number.isInteger(size) || size < 0) c.fail(`the window size must be a non-negative integer, got ${size}`);
    checkLimit(c.em.limits, 'maxFoldElements', size, `${c.where}: window elements (materialised at import)`);
    const N = c.int('periodic', 1) ? size : size - 1;
    return [c.constant('f32', [size], Array.from({ length: size }, (_, n) => f(n, N)))];
  };
}

const hann = (n: number, N: number): number => Math.sin((Math.PI * n) / N) ** 2;
const hamming = (n: number, N: number): number => 25 / 46 - (21 / 46) * Math.cos((2 * Math.PI * n) / N);
const blackman = (n: number, N: number): number => 0.42 - 0.5 * Math.cos((2 * Math.PI * n) / N) + 0.08 * Math.cos((4 * Math.PI * n) / N);

/** MelWeightMatrix: triangular filters on bins spaced evenly in mel (2595 log10(1 + f / 700)), as the ONNX reference. */
function melWeightMatrix(c: NodeContext): Val[] {
  floatOutput(c);
  const [mels, dft, rate] = [0, 1, 2].map((i) => getNumber(c.static(i, ['num_mel_bins', 'dft_length', 'sample_rate'][i]!), 0)) as [number, number, number];
  const [lo, hi] = [3, 4].map((i) => getNumber(c.static(i, i === 3 ? 'lower_edge_hertz' : 'upper_edge_hertz'), 0)) as [number, number];
  if (![mels, dft, rate].every((v) => Number.isInteger(v) && v > 0)) c.fail(`num_mel_bins, dft_length and sample_rate must be positive integers, got ${mels}, ${dft}, ${rate}`);
  const bins = Math.floor(dft / 2) + 1;
  checkLimit(c.em.limits, 'maxFoldElements', bins * mels, `${c.where}: mel matrix elements (materialised at import)`);
  const mel = (f: number): number => Math.fround(2595 * Math.log10(Math.fround(1 + Math.fround(f / 700))));
  const [mlo, mhi] = [mel(lo), mel(hi)];
  const step = Math.fround((mhi - mlo) / (mels + 2));
  const edge = Array.from({ length: mels + 2 }, (_, i) => Math.floor(((dft + 1) * 700 * (10 ** ((i * step + mlo) / 2595) - 1)) / rate));
  const out = new Array<number>(bins * mels).fill(0);
  const set = (j: number, i: number, v: number): void => {
    if (j < 0 || j >= bins) c.fail(`mel filter ${i} reaches spectrogram bin ${j}, outside [0, ${bins}) (upper_edge_hertz above the Nyquist rate?)`);
    out[j * mels + i] = v;
  };
  for (let i = 0; i < mels; i++) {
    const [l, m, h] = [edge[i]!, edge[i + 1]!, edge[i + 2]!];
    if (m === l) set(m, i, 1);
    else for (let j = l; j <= m; j++) set(j, i, (j - l) / (m - l));
    for (let j = m; j < h; j++) set(j, i, (h - j) / (h - m));
  }
  return [c.constant('f32', [bins, mels], out)];
}

/** How a DFT maps its input: lengths, parts (1 real, 2 complex) in and out, direction. */
interface DftPlan {
  readonly n: number; // input length along the axis
  readonly L: number; // dft_length
  readonly K: number; // output length along the axis
  readonly pin: number;
  readonly pout: number;
  readonly inverse: boolean;
  readonly real: boolean; // a onesided inverse: Hermitian half in, real signal out
}

/** Coefficient of input (m, p) in output (k, q). */
function coefficient(d: DftPlan, m: number, p: number, k: number, q: number): number {
  if (d.real) {
    // Bin m of a Hermitian half counts twice, but for DC and (even L) the Nyquist bin; bins past L/2 are not read.
    if (m > d.L / 2) return 0;
    const w = (m === 0 || 2 * m === d.L ? 1 : 2) / d.L;
    const a = (2 * Math.PI * ((m * k) % d.L)) / d.L;
    return p === 0 ? w * Math.cos(a) : -w * Math.sin(a);
  }
  if (m >= d.L) return 0;
  const a = (2 * Math.PI * ((m * k) % d.L)) / d.L;
  const [cos, sin] = [Math.cos(a), Math.sin(a)];
  const s = d.inverse ? 1 / d.L : 1;
  const sign = d.inverse ? 1 : -1; // e^{sign i a}
  // (xr + i xi)(cos + sign i sin): real = xr cos - sign xi sin, imag = xi cos + sign xr sin.
  if (q === 0) return s * (p === 0 ? cos : -sign * sin);
  return s * (p === 0 ? sign * sin : cos);
}

/** The DFT of `x` (`[..., n, ..., parts]`) along `axis`, as one matmul against the plan's matrix. */
function dftAlong(c: NodeContext, x: Val, axis: number, d: DftPlan): Val {
  const shape = x.type.shape;
  const r = shape.length;
  const others = [...Array(r - 1).keys()].filter((i) => i !== axis);
  const rows = rowsOf(c, x, others, axis, d);
  checkLimit(c.em.limits, 'maxFoldElements', d.n * d.pin * d.K * d.pout, `${c.where}: DFT matrix elements (a constant of the graph)`);
  const w: number[] = [];
  for (let m = 0; m < d.n; m++) for (let p = 0; p < d.pin; p++) for (let k = 0; k < d.K; k++) for (let q = 0; q < d.pout; q++) w.push(coefficient(d, m, p, k, q));
  const y = c.op1('matmul', { transA: false, transB: false }, [rows, c.constant('f32', [d.n * d.pin, d.K * d.pout], w)]);
  const moved = c.op1('reshape', { shape: [...others.map((i) => shape[i]!), d.K, d.pout] }, [y]);
  // Back from [others..., K, parts] to the input's axis order.
  const perm = Array.from({ length: r }, (_, i) => (i === r - 1 ? r - 1 : i === axis ? r - 2 : others.indexOf(i)));
  return perm.every((p, i) => p === i) ? moved : c.op1('transpose', { perm }, [moved]);
}

/** `x` as rows `[prod(others), n * parts]`: the axis moved next to the parts. */
function rowsOf(c: NodeContext, x: Val, others: readonly number[], axis: number, d: DftPlan): Val {
  const r = x.type.shape.length;
  const perm = [...others, axis, r - 1];
  const t = perm.every((p, i) => p === i) ? x : c.op1('transpose', { perm }, [x]);
  return c.op1('reshape', { shape: [-1, d.n * d.pin] }, [t]);
}

function dft(c: NodeContext): Val[] {
  const x = c.input(0);
  const r = x.type.shape.length;
  const pin = x.type.shape[r - 1]!;
  if (r < 2 || (pin !== 1 && pin !== 2)) c.fail(`the input must be [..., 1] (real) or [..., 2] (complex), got ${c.fmt(x)}`);
  const axisIn = c.opset >= 20 ? (c.maybe(2) ? getNumber(c.static(2, 'axis'), 0) : -2) : c.int('axis', 1);
  // From opset 20 a negative axis counts from the back, -1 being the parts axis; before it, as usual.
  const axis = axisOf(c, axisIn, r, 'axis');
  if (axis === r - 1) c.fail(`axis ${axisIn} is the real/imaginary axis; the DFT runs along a signal axis`);
  const inverse = c.int('inverse', 0) !== 0;
  const onesided = c.int('onesided', 0) !== 0;
  const n = x.type.shape[axis]!;
  const given = c.maybe(1) ? getNumber(c.static(1, 'dft_length'), 0) : undefined;
  if (onesided && !inverse && pin === 2) c.fail('onesided output needs a real input ([..., 1])');
  const L = given ?? (onesided && inverse ? 2 * (n - 1) : n);
  if (!Number.isInteger(L) || L < 1) c.fail(`dft_length must be a positive integer, got ${L}`);
  const real = onesided && inverse;
  const K = real ? L : onesided ? Math.floor(L / 2) + 1 : L;
  return [dftAlong(c, x, axis, { n, L, K, pin, pout: real ? 1 : 2, inverse, real })];
}

/** STFT: frames of the signal [batch, length, parts] at `frame_step`, windowed, each transformed. */
function stft(c: NodeContext): Val[] {
  const x = c.input(0);
  const [, len, pin] = x.type.shape as [number, number, number];
  if (x.type.shape.length !== 3 || (pin !== 1 && pin !== 2)) c.fail(`the signal must be [batch, length, 1 or 2], got ${c.fmt(x)}`);
  const step = getNumber(c.static(1, 'frame_step'), 0);
  const window = c.maybe(2);
  const L = c.maybe(3) ? getNumber(c.static(3, 'frame_length'), 0) : window ? window.type.shape[0]! : len;
  if (!Number.isInteger(step) || step < 1 || !Number.isInteger(L) || L < 1 || L > len) c.fail(`frame_step (${step}) and frame_length (${L}) must be positive integers, the frame no longer than the signal (${len})`);
  if (window && (window.type.shape.length !== 1 || window.type.shape[0] !== L)) c.fail(`the window must be [${L}] (frame_length), got ${c.fmt(window)}`);
  const onesided = c.int('onesided', 1) !== 0;
  if (onesided && pin === 2) c.fail('onesided output needs a real signal ([batch, length, 1])');
  const frames = 1 + Math.floor((len - L) / step);
  const idx = Array.from({ length: frames * L }, (_, i) => Math.floor(i / L) * step + (i % L));
  let f = c.op1('gather', { axis: 1 }, [x, c.constant('i64', [frames, L], idx)]); // [batch, frames, L, parts]
  if (window) f = c.op1('mul', {}, [f, c.op1('reshape', { shape: [1, 1, L, 1] }, [window])]);
  const K = onesided ? Math.floor(L / 2) + 1 : L;
  return [dftAlong(c, f, 2, { n: L, L, K, pin, pout: 2, inverse: false, real: false })];
}

/** The signal-processing lowerings. */
export const signalLowerings: Lowerings = {
  HannWindow: windowOp(hann),
  HammingWindow: windowOp(hamming),
  BlackmanWindow: windowOp(blackman),
  MelWeightMatrix: melWeightMatrix,
  DFT: dft,
  STFT: stft,
};
