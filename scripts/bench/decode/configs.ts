// The decoding bench's models: GPT-2-architecture decoders (examples/gpt2.ts) at two sizes, the
// prompt they prefill and how many tokens they generate. scripts/fixtures/gpt2_past_onnx.py
// builds the same models in PyTorch (seeded), saves their state_dicts and exports them to ONNX
// with past/present keys and values for the onnxruntime peers.
import type { GptConfig } from '../../../examples/gpt2.ts';

export interface DecodeCase {
  /** gpt2_past_onnx.py's --config. */
  readonly id: string;
  /** File stem of its export. */
  readonly stem: string;
  readonly title: string;
  readonly config: GptConfig;
}

export const DECODE_CASES: readonly DecodeCase[] = [
  { id: 'd256', stem: 'gpt_d256', title: 'GPT 4 layers x d256, 8 heads, vocab 2048, context 128', config: { vocab: 2048, context: 128, dModel: 256, heads: 8, layers: 4 } },
  { id: 'gpt2-small', stem: 'gpt2_small', title: 'GPT-2 small: 12 layers x d768, 12 heads, vocab 50257, context 128', config: { vocab: 50257, context: 128, dModel: 768, heads: 12, layers: 12 } },
];

/** Prompt length and generated tokens. */
export const PROMPT = 16;
export const STEPS = { full: 32, quick: 8 };
/** Timed repetitions of prefill + generation (after one untimed, which builds the prefill graph). */
export const REPEATS = { full: 5, quick: 2 };

/** The prompt's token ids: seeded, inside the vocabulary. */
export function promptOf(vocab: number): number[] {
  let s = 0x9e3779b9;
  return Array.from({ length: PROMPT }, () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return s % vocab;
  });
}

/** One runner's result on one case. */
export interface DecodeRow {
  readonly case: string;
  readonly runner: string;
  /** Median prefill latency of the prompt (ms). */
  readonly prefillMs: number;
  /** Median over repetitions of steps / total step time. */
  readonly tokensPerSec: number;
  /** Compile or session-create time (ms), and the first prefill (which builds its graph). */
  readonly loadMs: number;
  readonly coldPrefillMs: number;
  /** The greedy tokens of the first repetition. */
  readonly tokens: readonly number[];
  /** Steps whose logits do not make the reference token (opgraph wasm's) their argmax, near ties allowed. */
  readonly mismatches: number;
}

/** The median of `xs`. */
export const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** Index of the largest of `logits[from, from + n)`. */
export function argmaxOf(logits: Float32Array, from = 0, n = logits.length - from): number {
  let best = 0;
  for (let i = 1; i < n; i++) if (logits[from + i]! > logits[from + best]!) best = i;
  return best;
}

/**
 * Whether `token` is the argmax of `logits` up to a near tie: its logit within 1e-3 (relative to
 * the largest logit's size) of the largest. Runners sum in different orders, so on near ties their
 * greedy choices may differ without either being wrong.
 */
export function isArgmax(logits: Float32Array, token: number): boolean {
  const best = logits[argmaxOf(logits)]!;
  return logits[token]! >= best - 1e-3 * Math.max(1, Math.abs(best));
}

/**
 * Times `repeats` prefill + `steps` greedy steps with `prefill(prompt)` and `step(token)` resolving
 * to the logits row. With `reference` (the tokens of the first runner), every runner is fed those
 * tokens (the same work, whatever its own rounding) and `mismatches` counts the steps whose logits
 * do not make the reference token their argmax, near ties allowed.
 */
export async function timeDecoding(
  prompt: readonly number[],
  steps: number,
  repeats: number,
  prefill: (tokens: readonly number[]) => Promise<Float32Array>,
  step: (token: number) => Promise<Float32Array>,
  reference?: readonly number[],
): Promise<Pick<DecodeRow, 'prefillMs' | 'tokensPerSec' | 'coldPrefillMs' | 'tokens' | 'mismatches'>> {
  const prefills: number[] = [];
  const rates: number[] = [];
  let tokens: number[] = [];
  let cold = 0;
  let mismatches = 0;
  for (let r = 0; r <= repeats; r++) {
    const t0 = performance.now();
    let row = await prefill(prompt);
    const t1 = performance.now();
    const got = [argmaxOf(row)];
    if (r === 0 && reference && !isArgmax(row, reference[0]!)) mismatches++;
    for (let i = 1; i < steps; i++) {
      row = await step(reference ? reference[i - 1]! : got[i - 1]!);
      got.push(argmaxOf(row));
      if (r === 0 && reference && !isArgmax(row, reference[i]!)) mismatches++;
    }
    const t2 = performance.now();
    if (r === 0) {
      cold = t1 - t0;
      tokens = got;
    } else {
      prefills.push(t1 - t0);
      rates.push(((steps - 1) * 1000) / (t2 - t1));
    }
  }
  return { prefillMs: median(prefills), tokensPerSec: median(rates), coldPrefillMs: cold, tokens, mismatches };
}
