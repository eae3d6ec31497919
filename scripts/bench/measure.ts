// Timing helpers for the benchmark: warm-up, batched samples, percentiles; and FLOP counts.
import type { Graph } from '../../src/ir/graph.ts';
import { numel } from '../../src/ir/types.ts';

/** Latency percentiles of one function, in microseconds per call. */
export interface Latency {
  readonly p10: number;
  readonly p50: number;
  readonly p90: number;
  readonly samples: number;
}

/**
 * Times `fn`: warms up for ~`warmMs`, picks a batch size so one sample lasts >= 2 ms, then
 * takes samples for about `budgetMs` (at least 15). Percentiles are over per-call times.
 */
export function measure(fn: () => void, budgetMs = 1500, warmMs = 300): Latency {
  const warmEnd = performance.now() + warmMs;
  let calls = 0;
  while (performance.now() < warmEnd || calls < 3) {
    fn();
    calls++;
  }
  const perCall = warmMs / calls;
  const batch = Math.max(1, Math.ceil(2 / Math.max(perCall, 1e-4)));
  const times: number[] = [];
  const end = performance.now() + budgetMs;
  while (performance.now() < end || times.length < 15) {
    const t0 = performance.now();
    for (let i = 0; i < batch; i++) fn();
    times.push(((performance.now() - t0) * 1000) / batch);
  }
  times.sort((a, b) => a - b);
  const q = (p: number): number => times[Math.min(times.length - 1, Math.floor(p * times.length))]!;
  return { p10: q(0.1), p50: q(0.5), p90: q(0.9), samples: times.length };
}

/** Floating-point operations of one run: 2 per multiply-add in contractions, about 1 per element elsewhere. */
export function flopsOf(g: Graph): number {
  const types = new Map<number, readonly number[]>();
  for (const v of [...g.inputs, ...g.weights]) types.set(v.id, v.type.shape);
  let total = 0;
  for (const n of g.nodes) {
    for (const o of n.outputs) types.set(o.id, o.type.shape);
    const out = numel(n.outputs[0]!.type.shape);
    if (n.op === 'matmul' || n.op === 'gemm') {
      const a = types.get(n.inputs[0]!)!;
      const k = n.attrs.transA ? a[a.length - 2]! : a[a.length - 1]!;
      total += 2 * out * (a.length === 1 ? a[0]! : k);
    } else total += out;
  }
  return total;
}
