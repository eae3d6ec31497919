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

/** How long to time: warm-up and sampling budgets in milliseconds (`--quick` shrinks them). */
export interface Budget {
  readonly warmMs: number;
  readonly budgetMs: number;
  /** Samples taken however long they take. */
  readonly minSamples: number;
}

export const FULL: Budget = { warmMs: 300, budgetMs: 2000, minSamples: 15 };
export const QUICK: Budget = { warmMs: 60, budgetMs: 300, minSamples: 5 };

/**
 * Times `fn`: warms up for ~`warmMs`, picks a batch size so one sample lasts >= 2 ms, then
 * takes samples for about `budgetMs` (at least `minSamples`). Percentiles are over per-call times.
 * Asynchronous `fn`s (onnxruntime's `run`) are awaited one call at a time.
 */
export async function measure(fn: () => unknown, { warmMs, budgetMs, minSamples }: Budget = FULL): Promise<Latency> {
  // Synchronous functions are called in a plain loop: an `await` per call would cost more than the tiny model.
  const isAsync = fn() instanceof Promise;
  const run = isAsync
    ? async (n: number): Promise<void> => { for (let i = 0; i < n; i++) await fn(); }
    : (n: number): void => { for (let i = 0; i < n; i++) fn(); };
  const warmEnd = performance.now() + warmMs;
  let calls = 0;
  while (performance.now() < warmEnd || calls < 3) {
    await run(1);
    calls++;
  }
  const perCall = warmMs / calls;
  const batch = Math.max(1, Math.ceil(2 / Math.max(perCall, 1e-4)));
  const times: number[] = [];
  const end = performance.now() + budgetMs;
  while (performance.now() < end || times.length < minSamples) {
    const t0 = performance.now();
    await run(batch);
    times.push(((performance.now() - t0) * 1000) / batch);
  }
  times.sort((a, b) => a - b);
  const q = (p: number): number => times[Math.min(times.length - 1, Math.floor(p * times.length))]!;
  return { p10: q(0.1), p50: q(0.5), p90: q(0.9), samples: times.length };
}

/** Milliseconds one call of `fn` takes (a cold start, a load). */
export async function timeOnce<T>(fn: () => T | Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
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
