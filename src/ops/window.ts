// Sliding-window geometry shared by conv, convTranspose and the pools: attribute checks, output
// sizes, and the tap tables the reference semantics read. Spatial dims are the dims after the
// batch and channel dims of an [N, C, ...spatial] tensor; pads are in ONNX order, every begin
// then every end.
import { numel } from '../ir/types.ts';
import { fail } from './util.ts';

/** Strides, dilations and pads of a window op, one entry per spatial dim (pads: begins, then ends). */
export interface WindowAttrs {
  readonly strides: readonly number[];
  readonly dilations: readonly number[];
  readonly pads: readonly number[];
}

/** The pad before spatial dim `d`. */
export const padBegin = (w: WindowAttrs, d: number): number => w.pads[d]!;
/** The pad after spatial dim `d`. */
export const padEnd = (w: WindowAttrs, d: number): number => w.pads[w.strides.length + d]!;

const positive = (v: number): boolean => Number.isSafeInteger(v) && v >= 1;
const natural = (v: number): boolean => Number.isSafeInteger(v) && v >= 0;

/** Fails unless `list` has `n` entries that all satisfy `ok`: `conv strides [1,0] must be 2 integers >= 1`. */
export function checkList(op: string, name: string, list: readonly number[], n: number, ok: 'positive' | 'natural'): void {
  const good = Array.isArray(list) && list.length === n && list.every(ok === 'positive' ? positive : natural);
  if (!good) fail(`${op} ${name} [${String(list)}] must be ${n} integer(s) ${ok === 'positive' ? '>= 1' : '>= 0'}`);
}

/** Checks strides, dilations and pads for `rank` spatial dims. */
export function checkWindow(op: string, w: WindowAttrs, rank: number): void {
  checkList(op, 'strides', w.strides, rank, 'positive');
  checkList(op, 'dilations', w.dilations, rank, 'positive');
  checkList(op, 'pads', w.pads, 2 * rank, 'natural');
}

/** Input extent a window of `k` taps spans at dilation `d`. */
export const span = (k: number, d: number): number => (k - 1) * d + 1;

/**
 * Output length of a window sliding over `size` padded elements (floor, or ceil where the last
 * window still starts inside the input or its begin pad, as PyTorch and ONNX's ceil_mode count).
 */
export function windowCount(size: number, k: number, stride: number, dilation: number, pb: number, pe: number, ceil = false): number {
  const room = size + pb + pe - span(k, dilation);
  if (room < 0) return 0;
  if (!ceil) return Math.floor(room / stride) + 1;
  const out = Math.ceil(room / stride) + 1;
  return (out - 1) * stride >= size + pb ? out - 1 : out;
}

/** The output spatial dims of a window op, failing where a dim would be empty. */
export function windowShape(op: string, input: readonly number[], kernel: readonly number[], w: WindowAttrs, ceil = false): number[] {
  return input.map((size, d) => {
    const out = windowCount(size, kernel[d]!, w.strides[d]!, w.dilations[d]!, padBegin(w, d), padEnd(w, d), ceil);
    if (out < 1) {
      fail(`${op} window of ${kernel[d]} taps at dilation ${w.dilations[d]} spans ${span(kernel[d]!, w.dilations[d]!)} elements, more than spatial dim ${d} of length ${size} with pads ${padBegin(w, d)}+${padEnd(w, d)}`);
    }
    return out;
  });
}

/** A tap outside the input but inside its pads (counted by count_include_pad). */
export const IN_PAD = -1;
/** A tap past the padded input (a ceil-mode window hanging over the end). */
export const OUTSIDE = -2;

/**
 * For every output position (row-major over `out`) and kernel tap (row-major over `kernel`), the
 * flat input offset the tap reads, or IN_PAD / OUTSIDE: table[p * numel(kernel) + t].
 */
export function windowTable(input: readonly number[], out: readonly number[], kernel: readonly number[], w: WindowAttrs): Int32Array {
  // Per dim: the input coordinate (or code) of output o at tap t.
  const perDim = input.map((size, d) => {
    const k = kernel[d]!;
    const codes = new Int32Array(out[d]! * k);
    for (let o = 0; o < out[d]!; o++) {
      for (let t = 0; t < k; t++) {
        const i = o * w.strides[d]! - padBegin(w, d) + t * w.dilations[d]!;
        codes[o * k + t] = i >= 0 && i < size ? i : i >= -padBegin(w, d) && i < size + padEnd(w, d) ? IN_PAD : OUTSIDE;
      }
    }
    return codes;
  });
  return combine(input, out, kernel, perDim);
}

/**
 * For every input position and kernel tap, the flat output offset a transposed convolution adds
 * it to (output coordinate i * stride - pad_begin + t * dilation), or OUTSIDE where it is cropped.
 */
export function scatterTable(input: readonly number[], out: readonly number[], kernel: readonly number[], w: WindowAttrs): Int32Array {
  const perDim = input.map((size, d) => {
    const k = kernel[d]!;
    const codes = new Int32Array(size * k);
    for (let i = 0; i < size; i++) {
      for (let t = 0; t < k; t++) {
        const o = i * w.strides[d]! - padBegin(w, d) + t * w.dilations[d]!;
        codes[i * k + t] = o >= 0 && o < out[d]! ? o : OUTSIDE;
      }
    }
    return codes;
  });
  return combine(out, input, kernel, perDim);
}

/**
 * Combines per-dim coordinate tables over positions `from` (row-major) into flat offsets into a
 * tensor of `into`: the first negative code of a position's dims wins (OUTSIDE before IN_PAD).
 */
function combine(into: readonly number[], from: readonly number[], kernel: readonly number[], perDim: readonly Int32Array[]): Int32Array {
  const ks = numel(kernel);
  const table = new Int32Array(numel(from) * ks);
  const rank = into.length;
  const pos = new Array<number>(rank).fill(0);
  const tap = new Array<number>(rank).fill(0);
  for (let p = 0; p < numel(from); p++) {
    for (let t = 0; t < ks; t++) {
      let off = 0;
      let code = 0;
      for (let d = 0; d < rank; d++) {
        const c = perDim[d]![pos[d]! * kernel[d]! + tap[d]!]!;
        if (c < 0) code = Math.min(code, c);
        else off = off * into[d]! + c;
      }
      table[p * ks + t] = code < 0 ? code : off;
      step(tap, kernel);
    }
    step(pos, from);
  }
  return table;
}

/** Advances a row-major multi-index over `shape` by one (wrapping to all zeros at the end). */
function step(idx: number[], shape: readonly number[]): void {
  for (let d = shape.length - 1; d >= 0; d--) {
    if (++idx[d]! < shape[d]!) return;
    idx[d] = 0;
  }
}
