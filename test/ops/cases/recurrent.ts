// Cases for the recurrent ops. Expected values come from a naive per-step computation of
// PyTorch's formulas written here (gate order i,f,g,o for LSTM and r,z,n for GRU), and for a GRU
// without linearBeforeReset, ONNX's n = tanh(W_n x + b_wn + R_n (r * h) + b_rn).
import { f32 } from '../../../src/ir/tensor.ts';
import { tensorType } from '../../../src/ir/types.ts';
import { cases } from '../case.ts';

const seq = (n: number, k: number): number[] => Array.from({ length: n }, (_, i) => (((i * k) % 17) - 8) / 10);
const sig = (x: number): number => 1 / (1 + Math.exp(-x));
type Kind = 'rnn' | 'lstm' | 'gru';
const G: Record<Kind, number> = { rnn: 1, lstm: 4, gru: 3 };

/** The layer equations, step by step, over x [T,B,I] with weights stacked per direction (resetFirst: ONNX's GRU default). */
function naive(kind: Kind, T: number, B: number, I: number, H: number, D: number, relu: boolean, reverseOnly: boolean, w: number[][], resetFirst = false) {
  const [x, wih, whh, bih, bhh, h0, c0] = w;
  const GH = G[kind] * H;
  const y = new Array<number>(T * B * D * H).fill(0);
  const hn: number[] = [];
  const cn: number[] = [];
  for (let d = 0; d < D; d++) for (let b = 0; b < B; b++) {
    let h = h0!.slice((d * B + b) * H, (d * B + b + 1) * H);
    let c = kind === 'lstm' ? c0!.slice((d * B + b) * H, (d * B + b + 1) * H) : [];
    for (let s = 0; s < T; s++) {
      const t = reverseOnly || d === 1 ? T - 1 - s : s;
      const proj = (W: number[], bias: number[], v: number[], n: number) =>
        Array.from({ length: GH }, (_, r) => bias[d * GH + r]! + v.reduce((acc, vk, k) => acc + W[(d * GH + r) * n + k]! * vk, 0));
      const xi = proj(wih!, bih!, x!.slice((t * B + b) * I, (t * B + b + 1) * I), I);
      const hh = proj(whh!, bhh!, h, H);
      const gate = (k: number, j: number) => xi[k * H + j]! + hh[k * H + j]!;
      if (kind === 'rnn') h = h.map((_, j) => (relu ? Math.max(gate(0, j), 0) : Math.tanh(gate(0, j))));
      if (kind === 'lstm') {
        c = c.map((cj, j) => sig(gate(1, j)) * cj + sig(gate(0, j)) * Math.tanh(gate(2, j)));
        h = h.map((_, j) => sig(gate(3, j)) * Math.tanh(c[j]!));
      }
      if (kind === 'gru') {
        const r = h.map((_, j) => sig(gate(0, j)));
        // The hidden projection of r * h (its n rows are the ones used) for the reset-first form.
        const rh = proj(whh!, bhh!, h.map((hj, j) => r[j]! * hj), H);
        h = h.map((hj, j) => {
          const z = sig(gate(1, j));
          const n = Math.tanh(xi[2 * H + j]! + (resetFirst ? rh[2 * H + j]! : r[j]! * hh[2 * H + j]!));
          return (1 - z) * n + z * hj;
        });
      }
      h.forEach((v, j) => (y[(t * B + b) * D * H + d * H + j] = v));
    }
    hn.push(...h);
    cn.push(...c);
  }
  return { y, hn, cn };
}

/** Operands for kind with T=3, B=2, I=2, H=2, D directions. */
function operands(kind: Kind, D: number) {
  const [T, B, I, H] = [3, 2, 2, 2];
  const GH = G[kind] * H;
  const w = [seq(T * B * I, 5), seq(D * GH * I, 7), seq(D * GH * H, 3), seq(D * GH, 11), seq(D * GH, 13), seq(D * B * H, 2), seq(D * B * H, 9)];
  const shapes = [[T, B, I], [D, GH, I], [D, GH, H], [D, GH], [D, GH], [D, B, H], [D, B, H]];
  const n = kind === 'lstm' ? 7 : 6;
  return { T, B, I, H, w: w.slice(0, n), inputs: w.slice(0, n).map((d, i) => f32(shapes[i]!, d)) };
}

const lstmBi = operands('lstm', 2);
const lstmBiOut = naive('lstm', 3, 2, 2, 2, 2, false, false, lstmBi.w);
const gruRev = operands('gru', 1);
const gruRevOut = naive('gru', 3, 2, 2, 2, 1, false, true, gruRev.w);
const gruBi = operands('gru', 2);
const gruBiOut = naive('gru', 3, 2, 2, 2, 2, false, false, gruBi.w, true);
const gruRevReset = naive('gru', 3, 2, 2, 2, 1, false, true, gruRev.w, true);
const rnnRelu = operands('rnn', 1);
const rnnReluOut = naive('rnn', 3, 2, 2, 2, 1, true, false, rnnRelu.w);
const t = (shape: number[]) => tensorType('f32', shape);

/** rnnGrad of a 2-step, 1-unit tanh rnn, by the chain rule written out step by step. */
function rnnGradByHand() {
  const [x1, x2, wih, whh, bih, bhh, h0] = [0.5, -1, 0.8, 0.5, 0.1, -0.2, 0.3];
  const h1 = Math.fround(Math.tanh(wih * x1 + bih + whh * h0 + bhh));
  const h2 = Math.fround(Math.tanh(wih * x2 + bih + whh * h1 + bhh));
  const [a1, a2, c] = [0.7, -0.4, 1.5]; // dy at both steps, dh_n
  const dp2 = (a2 + c) * (1 - h2 * h2);
  const dp1 = (a1 + whh * dp2) * (1 - h1 * h1);
  const s = (v: number) => f32([1, 1], [v]);
  return {
    inputs: [f32([2, 1, 1], [x1, x2]), f32([1, 1, 1], [wih]), f32([1, 1, 1], [whh]), s(bih), s(bhh), f32([1, 1, 1], [h0]), f32([2, 1, 1], [h1, h2]), f32([2, 1, 1], [a1, a2]), f32([1, 1, 1], [c])],
    expect: [f32([2, 1, 1], [wih * dp1, wih * dp2]), f32([1, 1, 1], [dp1 * x1 + dp2 * x2]), f32([1, 1, 1], [dp1 * h0 + dp2 * h1]), s(dp1 + dp2), f32([1, 1, 1], [whh * dp1])],
  };
}
const byHand = rnnGradByHand();

/**
 * lstmGrad/gruGrad of `kind`'s operands: each operand's gradient of
 * sum(y dy) + sum(h_n dh_n) (+ sum(c_n dc_n)), by central differences of the naive layer in doubles.
 */
function gatedGradByDifferences(kind: 'lstm' | 'gru', D: number, reverseOnly: boolean) {
  const o = operands(kind, D);
  const { T, B, I, H } = o;
  const [dy, dhn, dcn] = [seq(T * B * D * H, 4), seq(D * B * H, 6), seq(D * B * H, 8)];
  const objective = (w: number[][]): number => {
    const r = naive(kind, T, B, I, H, D, false, reverseOnly, w);
    const dotp = (a: number[], b: number[]) => a.reduce((sum, v, i) => sum + v * b[i]!, 0);
    return dotp(r.y, dy) + dotp(r.hn, dhn) + (kind === 'lstm' ? dotp(r.cn, dcn) : 0);
  };
  const w = o.inputs.map((t) => Array.from(t.data as Float32Array));
  const eps = 1e-5;
  const grads = w.map((arr, k) => arr.map((_, i) => {
    const at = (delta: number) => objective(w.map((a, j) => (j === k ? a.map((v, m) => (m === i ? v + delta : v)) : a)));
    return (at(eps) - at(-eps)) / (2 * eps);
  }));
  const extra = [f32([T, B, D * H], dy), f32([D, B, H], dhn), ...(kind === 'lstm' ? [f32([D, B, H], dcn)] : [])];
  return { inputs: [...o.inputs, ...extra], expect: grads.map((g, k) => f32(o.inputs[k]!.shape, g)) };
}
const lstmGradCase = gatedGradByDifferences('lstm', 2, false);
const gruGradCase = gatedGradByDifferences('gru', 1, true);
const tanhRnn = { hidden: 1, direction: 'forward', activation: 'tanh' } as const;

export const recurrentCases = cases([
  {
    name: 'bidirectional LSTM', op: 'lstm', attrs: { hidden: 2, direction: 'bidirectional' }, inputs: lstmBi.inputs,
    expect: [f32([3, 2, 4], lstmBiOut.y), f32([2, 2, 2], lstmBiOut.hn), f32([2, 2, 2], lstmBiOut.cn)], rtol: 1e-5, atol: 1e-6,
  },
  { name: 'reverse GRU', op: 'gru', attrs: { hidden: 2, direction: 'reverse', linearBeforeReset: true }, inputs: gruRev.inputs, expect: [f32([3, 2, 2], gruRevOut.y), f32([1, 2, 2], gruRevOut.hn)] },
  {
    name: 'bidirectional GRU, reset before the hidden projection (ONNX linear_before_reset = 0)', op: 'gru', attrs: { hidden: 2, direction: 'bidirectional', linearBeforeReset: false },
    inputs: gruBi.inputs, expect: [f32([3, 2, 4], gruBiOut.y), f32([2, 2, 2], gruBiOut.hn)],
  },
  { name: 'reverse GRU, reset before the hidden projection', op: 'gru', attrs: { hidden: 2, direction: 'reverse', linearBeforeReset: false }, inputs: gruRev.inputs, expect: [f32([3, 2, 2], gruRevReset.y), f32([1, 2, 2], gruRevReset.hn)] },
  { name: 'gru without linearBeforeReset', op: 'gru', attrs: { hidden: 2, direction: 'forward' } as never, inputs: [t([3, 2, 2]), t([1, 6, 2]), t([1, 6, 2]), t([1, 6]), t([1, 6]), t([1, 2, 2])], error: /gru linearBeforeReset must be true or false/ },
  { name: 'ReLU RNN', op: 'rnn', attrs: { hidden: 2, direction: 'forward', activation: 'relu' }, inputs: rnnRelu.inputs, expect: [f32([3, 2, 2], rnnReluOut.y), f32([1, 2, 2], rnnReluOut.hn)] },
  { name: 'w_ih with the wrong gate count', op: 'lstm', attrs: { hidden: 2, direction: 'forward' }, inputs: [t([3, 2, 2]), t([1, 6, 2]), t([1, 8, 2]), t([1, 8]), t([1, 8]), t([1, 2, 2]), t([1, 2, 2])], error: /lstm w_ih must be f32\[1,8,2\], got f32\[1,6,2\]/ },
  { name: 'an unknown direction', op: 'gru', attrs: { hidden: 2, direction: 'sideways' as never, linearBeforeReset: true }, inputs: [t([3, 2, 2]), t([1, 6, 2]), t([1, 6, 2]), t([1, 6]), t([1, 6]), t([1, 2, 2])], error: /direction must be forward, reverse or bidirectional/ },
  { name: 'x of rank 2', op: 'rnn', attrs: { hidden: 2, direction: 'forward', activation: 'tanh' }, inputs: [t([3, 2]), t([1, 2, 2]), t([1, 2, 2]), t([1, 2]), t([1, 2]), t([1, 2, 2])], error: /expects x of rank 3/ },
  { name: 'two tanh steps by hand', op: 'rnnGrad', attrs: tanhRnn, inputs: byHand.inputs, expect: byHand.expect },
  { name: 'dy of the wrong length', op: 'rnnGrad', attrs: tanhRnn, inputs: [t([2, 1, 1]), t([1, 1, 1]), t([1, 1, 1]), t([1, 1]), t([1, 1]), t([1, 1, 1]), t([2, 1, 1]), t([3, 1, 1]), t([1, 1, 1])], error: /rnnGrad dy must be f32\[2,1,1\], got f32\[3,1,1\]/ },
  { name: 'bidirectional, by central differences', op: 'lstmGrad', attrs: { hidden: 2, direction: 'bidirectional' }, inputs: lstmGradCase.inputs, expect: lstmGradCase.expect, rtol: 1e-4, atol: 2e-5 },
  { name: 'reverse, by central differences', op: 'gruGrad', attrs: { hidden: 2, direction: 'reverse' }, inputs: gruGradCase.inputs, expect: gruGradCase.expect, rtol: 1e-4, atol: 2e-5 },
  { name: 'without dc_n', op: 'lstmGrad', attrs: { hidden: 2, direction: 'forward' }, inputs: [t([3, 2, 2]), t([1, 8, 2]), t([1, 8, 2]), t([1, 8]), t([1, 8]), t([1, 2, 2]), t([1, 2, 2]), t([3, 2, 2]), t([1, 2, 2])], error: /expects 10 inputs, got 9/ },
  { name: 'dh_n of the wrong batch', op: 'gruGrad', attrs: { hidden: 2, direction: 'forward' }, inputs: [t([3, 2, 2]), t([1, 6, 2]), t([1, 6, 2]), t([1, 6]), t([1, 6]), t([1, 2, 2]), t([3, 2, 2]), t([1, 3, 2])], error: /gruGrad dh_n must be f32\[1,2,2\], got f32\[1,3,2\]/ },
  { name: 'h0 for the wrong batch', op: 'rnn', attrs: { hidden: 2, direction: 'bidirectional', activation: 'tanh' }, inputs: [t([3, 2, 2]), t([2, 2, 2]), t([2, 2, 2]), t([2, 2]), t([2, 2]), t([2, 3, 2])], error: /h0 must be f32\[2,2,2\]/ },
]);
