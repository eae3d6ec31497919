// Choosing the next token from one row of logits: greedy (argmax, the first on ties, as
// torch.argmax), or sampling at a temperature from the top-k tokens with a seeded generator.
import { OpgraphError } from '../errors.ts';
import { Rng } from '../api/init.ts';

/** How generate picks each token. */
export interface SamplingOptions {
  /** 0 or absent: greedy. Otherwise logits are divided by it before the softmax. */
  readonly temperature?: number;
  /** Sample only among the k most likely tokens (absent: all). */
  readonly topK?: number;
  /** Seed of the sampling generator (default 0). */
  readonly seed?: number;
}

/** The index of the largest logit (the first one on ties; NaN never wins). */
export function argmax(logits: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < logits.length; i++) if (logits[i]! > logits[best]! || Number.isNaN(logits[best]!)) best = i;
  return best;
}

/** A token picker: greedy without a temperature, else top-k sampling driven by `rng`. */
export function sampler(opts: SamplingOptions): (logits: ArrayLike<number>) => number {
  const t = opts.temperature ?? 0;
  if (!(t >= 0) || !Number.isFinite(t)) throw new OpgraphError(`temperature must be a finite number >= 0, got ${opts.temperature}`);
  if (opts.topK !== undefined && !(Number.isInteger(opts.topK) && opts.topK >= 1)) throw new OpgraphError(`top-k must be an integer >= 1, got ${opts.topK}`);
  if (t === 0) return argmax;
  const rng = new Rng(opts.seed ?? 0);
  return (logits) => sampleTopK(logits, t, opts.topK ?? logits.length, rng.next());
}

/** Samples from softmax(logits / t) restricted to the k largest logits, with `u` uniform in [0, 1). */
export function sampleTopK(logits: ArrayLike<number>, t: number, k: number, u: number): number {
  const order = Array.from({ length: logits.length }, (_, i) => i).sort((a, b) => logits[b]! - logits[a]! || a - b);
  const top = order.slice(0, Math.min(k, order.length));
  const max = logits[top[0]!]!;
  const weights = top.map((i) => Math.exp((logits[i]! - max) / t));
  let r = u * weights.reduce((a, b) => a + b, 0);
  for (let j = 0; j < top.length; j++) {
    r -= weights[j]!;
    if (r < 0) return top[j]!;
  }
  return top[top.length - 1]!;
}
