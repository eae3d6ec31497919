// The bench's own arithmetic (scripts/bench/): the hand-written GEMM yardsticks must compute the
// product they are timed on, the peak-measuring wasm modules must be valid WebAssembly, and the
// chart must place each bar on the right side of 1x. No timing here: speed lives in the bench.
import { describe, expect, it } from 'vitest';
import { barChart } from '../../scripts/bench/chart.ts';
import { referenceGemms } from '../../scripts/bench/gemm-reference.ts';
import { wasmPeaks } from '../../scripts/bench/peaks.ts';
import { flopsOf, recurrentFlops } from '../../scripts/bench/measure.ts';
import { graph, nn } from '../../src/api/index.ts';
import { Rng } from '../../src/api/init.ts';

function naive(a: Float32Array, b: Float32Array, m: number, k: number, n: number): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) for (let p = 0; p < k; p++) c[i * n + j]! += a[i * k + p]! * b[p * n + j]!;
  return c;
}

describe('hand-written reference GEMMs', () => {
  // Sizes that are and are not multiples of the 4x4 register block, and a k of 1.
  const sizes: [number, number, number][] = [[8, 8, 8], [5, 7, 9], [1, 3, 2], [6, 1, 5], [13, 33, 11]];
  for (const [name, gemm] of Object.entries(referenceGemms())) {
    it.each(sizes)(`${name}: m %i, k %i, n %i`, (m, k, n) => {
      const rng = new Rng(7);
      const a = Float32Array.from({ length: m * k }, () => rng.normal());
      const b = Float32Array.from({ length: k * n }, () => rng.normal());
      const c = new Float32Array(m * n).fill(NaN);
      gemm(a, b, c, m, k, n);
      const want = naive(a, b, m, k, n);
      for (let i = 0; i < m * n; i++) expect(c[i]).toBeCloseTo(want[i]!, 4);
    });
  }
});

describe('peak measurements', () => {
  it('assembles valid wasm and measures positive throughput', () => {
    const { fma, mulAdd } = wasmPeaks(5);
    expect(mulAdd).toBeGreaterThan(0);
    // Node 20 has relaxed SIMD behind a flag that wasmPeaks sets: the fused module must validate.
    expect(fma).toBeGreaterThan(0);
  });
});

describe('bar chart', () => {
  it('draws peers that opgraph beats right of 1x and faster ones left, escaping names', () => {
    const svg = barChart('t', [{ title: 'a<b', ratios: new Map([['fast & peer', 0.1], ['slow', 10]]) }]);
    expect(svg).toContain('a&lt;b');
    expect(svg).toContain('fast &amp; peer: 0.10x');
    const one = Number(/<line x1="([\d.]+)"[^>]*stroke="#000"/.exec(svg)![1]);
    const bars = [...svg.matchAll(/<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)"[^>]*><title>([^:]+):/g)].map((m) => ({ x: Number(m[1]), w: Number(m[2]), name: m[3] }));
    expect(bars.find((b) => b.name === 'slow')!.x).toBeCloseTo(one, 1);
    const fast = bars.find((b) => b.name === 'fast &amp; peer')!;
    expect(fast.x + fast.w).toBeCloseTo(one, 1);
  });
});

describe('FLOP counts', () => {
  it('count the projections inside recurrent ops: the bench LSTM (2 layers x 256, 64 steps) is 134.8 MFLOP in its two lstm nodes', () => {
    const lstm = graph('lstm', (g) => new nn.LSTM(256, 256, { numLayers: 2 }).forward(g.input('x', [64, 1, 256])).output);
    // Per layer and step: 2 * 4H * (I + H) multiply-adds' FLOPs, 3 * 4H for biases and gate activations, 5H for the state update.
    const perLayer = 64 * (2 * 1024 * 512 + 3 * 1024 + 5 * 256);
    expect(flopsOf(lstm)).toBeGreaterThanOrEqual(2 * perLayer);
    // The rest, one FLOP per element of every other node (the states' slices and concats), was the whole old count: 2.1 MFLOP.
    expect(flopsOf(lstm) - 2 * perLayer).toBeLessThan(2.2e6);
    expect(2 * perLayer / 1e6).toBeCloseTo(134.8, 1);
  });

  it('scale with directions, batch and gates for rnn, gru and lstm', () => {
    const [T, B, I, H] = [5, 3, 7, 4];
    expect(recurrentFlops('rnn', [T, B, I], H, 1)).toBe(T * B * (2 * H * (I + H) + 3 * H));
    expect(recurrentFlops('gru', [T, B, I], H, 1)).toBe(T * B * (2 * 3 * H * (I + H) + 9 * H + 4 * H));
    expect(recurrentFlops('lstm', [T, B, I], H, 2)).toBe(2 * recurrentFlops('lstm', [T, B, I], H, 1));
  });

  it('count a contraction as 2 FLOPs per multiply-add', () => {
    const mm = graph('mm', (g) => g.input('x', [3, 4]).matmul(g.input('w', [4, 5])));
    expect(flopsOf(mm)).toBe(2 * 3 * 4 * 5);
  });
});
