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

/** Gates per recurrent op, and the state-update FLOPs per hidden element after the gate activations. */
const RECURRENT: Readonly<Record<string, { gates: number; update: number }>> = {
  rnn: { gates: 1, update: 0 }, // h' = act(pre)
  lstm: { gates: 4, update: 5 }, // c' = f*c + i*g; h' = o*tanh(c')
  gru: { gates: 3, update: 4 }, // r*(W_hn h + b_hn) or W_hn (r*h); h' = (1-z)*n + z*h
};

/**
 * FLOPs of one recurrent op over x [T, B, I] with H hidden units, D directions and G gates: per
 * step, batch row and direction, the input and hidden projections (2 G H (I + H)), the two bias
 * adds and the gate activations (3 G H), and the state update.
 */
export function recurrentFlops(op: string, x: readonly number[], hidden: number, directions: number): number {
  const { gates, update } = RECURRENT[op]!;
  const [T, B, I] = x as [number, number, number];
  const gh = gates * hidden;
  return T * B * directions * (2 * gh * (I + hidden) + 3 * gh + update * hidden);
}

/** Floating-point operations of one run: 2 per multiply-add in contractions (recurrent ones included), about 1 per element elsewhere. */
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
    } else if (n.op === 'conv' || n.op === 'convTranspose') {
      // 2 per multiply-add: every output (conv) or input (convTranspose) element meets C / group x kernel taps.
      const w = types.get(n.inputs[1]!)!;
      const taps = numel(w.slice(2));
      total += n.op === 'conv' ? 2 * out * w[1]! * taps : 2 * numel(types.get(n.inputs[0]!)!) * w[1]! * taps;
    } else if (n.op === 'rnn' || n.op === 'lstm' || n.op === 'gru') {
      total += recurrentFlops(n.op, types.get(n.inputs[0]!)!, n.attrs.hidden, n.attrs.direction === 'bidirectional' ? 2 : 1);
    } else total += out;
  }
  return total;
}
