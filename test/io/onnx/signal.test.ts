// DFT, STFT and the windows against naive loops written here (complex sums in doubles): padding
// and truncation to dft_length, inverse, onesided, the Hermitian inverse, a windowed STFT, and
// the refusals that name the node.
import { describe, expect, it } from 'vitest';
import { OnnxError } from '../../../src/errors.ts';
import { tensor, toNumbers } from '../../../src/ir/tensor.ts';
import { importOnnx } from '../../../src/io/onnx/import.ts';
import { interpret } from '../../../src/runtime/interpreter.ts';
import { INT64, attr, graph, model, node, value } from './model-builder.ts';

const i64 = (name: string, v: number) => ({ name, dims: [], dataType: INT64, int64Data: [v] });
const close = (a: number[], b: number[]) => a.forEach((v, i) => expect(Math.abs(v - b[i]!)).toBeLessThan(1e-4 + 1e-4 * Math.abs(b[i]!)));

/** Naive DFT of complex rows [re, im][] of length L (zero padded / truncated). */
function naive(re: number[], im: number[], L: number, inverse: boolean): [number[], number[]] {
  const [yr, yi] = [new Array<number>(L).fill(0), new Array<number>(L).fill(0)];
  for (let k = 0; k < L; k++) {
    for (let m = 0; m < Math.min(L, re.length); m++) {
      const a = ((inverse ? 2 : -2) * Math.PI * k * m) / L;
      yr[k]! += re[m]! * Math.cos(a) - im[m]! * Math.sin(a);
      yi[k]! += re[m]! * Math.sin(a) + im[m]! * Math.cos(a);
    }
    if (inverse) [yr[k], yi[k]] = [yr[k]! / L, yi[k]! / L];
  }
  return [yr, yi];
}

describe('ONNX DFT', () => {
  const xs = [0.5, -1, 2, 3.25, -0.75, 1.5]; // [1, 6, 1]: one real signal of 6
  const dftModel = (attrs: object[], L: number | undefined, outLen: number, parts: number, inParts = 1, n = 6) => model(graph(
    [node('DFT', ['x', L === undefined ? '' : 'L', 'axis'], ['y'], attrs)],
    [value('x', [1, n, inParts])], [value('y', [1, outLen, parts])], [i64('axis', 1), ...(L === undefined ? [] : [i64('L', L)])],
  ), 20);

  it('real input, padded to dft_length 8 and truncated to 4, matches the naive sum', () => {
    for (const L of [8, 4]) {
      const y = toNumbers(interpret(importOnnx(dftModel([], L, L, 2)), { x: tensor('f32', [1, 6, 1], xs) }).y!);
      const [yr, yi] = naive(xs, xs.map(() => 0), L, false);
      close(y, yr.flatMap((r, k) => [r, yi[k]!]));
    }
  });

  it('onesided keeps floor(L/2) + 1 bins; the onesided inverse brings the real signal back', () => {
    const half = toNumbers(interpret(importOnnx(dftModel([attr.int('onesided', 1)], undefined, 4, 2)), { x: tensor('f32', [1, 6, 1], xs) }).y!);
    const [yr, yi] = naive(xs, xs.map(() => 0), 6, false);
    close(half, yr.slice(0, 4).flatMap((r, k) => [r, yi[k]!]));
    const back = interpret(importOnnx(dftModel([attr.int('inverse', 1), attr.int('onesided', 1)], undefined, 6, 1, 2, 4)), { x: tensor('f32', [1, 4, 2], half) }).y!;
    close(toNumbers(back), xs);
  });

  it('the complex inverse matches the naive inverse sum', () => {
    const c = xs.flatMap((v, i) => [v, xs[5 - i]!]);
    const y = toNumbers(interpret(importOnnx(dftModel([attr.int('inverse', 1)], undefined, 6, 2, 2)), { x: tensor('f32', [1, 6, 2], c) }).y!);
    const [yr, yi] = naive(xs, [...xs].reverse(), 6, true);
    close(y, yr.flatMap((r, k) => [r, yi[k]!]));
  });

  it('onesided output of a complex input is refused, naming the node', () => {
    expect(() => importOnnx(dftModel([attr.int('onesided', 1)], undefined, 4, 2, 2))).toThrow(OnnxError);
    expect(() => importOnnx(dftModel([attr.int('onesided', 1)], undefined, 4, 2, 2))).toThrow(/node "y" \(DFT\): onesided output needs a real input/);
  });
});

describe('ONNX STFT and windows', () => {
  it('a Hann-windowed STFT is the naive DFT of each windowed frame', () => {
    const sig = Array.from({ length: 10 }, (_, i) => Math.sin(i * 0.7) + 0.1 * i);
    const m = model(graph(
      [node('HannWindow', ['four'], ['w']), node('STFT', ['x', 'step', 'w'], ['y'])],
      [value('x', [1, 10, 1])], [value('y', [1, 4, 3, 2])], [i64('four', 4), i64('step', 2)],
    ), 17);
    const y = toNumbers(interpret(importOnnx(m), { x: tensor('f32', [1, 10, 1], sig) }).y!);
    const hann = [0, 0.5, 1, 0.5]; // sin^2(pi n / 4), periodic
    const want = [0, 1, 2, 3].flatMap((f) => {
      const frame = hann.map((h, t) => h * sig[2 * f + t]!);
      const [yr, yi] = naive(frame, [0, 0, 0, 0], 4, false);
      return yr.slice(0, 3).flatMap((r, k) => [r, yi[k]!]);
    });
    close(y, want);
  });

  it('Hamming and Blackman, symmetric, at worked points', () => {
    const win = (op: string) => toNumbers(interpret(importOnnx(model(graph([node(op, ['n'], ['w'], [attr.int('periodic', 0)])], [], [value('w', [5])], [i64('n', 5)]), 17)), {}).w!);
    // N - 1 = 4: cos(2 pi n / 4) = 1, 0, -1, 0, 1.
    close(win('HammingWindow'), [4 / 46, 25 / 46, 1, 25 / 46, 4 / 46]);
    close(win('BlackmanWindow'), [0, 0.34, 1, 0.34, 0]);
  });
});
