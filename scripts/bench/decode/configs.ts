// The decoding bench's models: GPT-2-architecture decoders (examples/gpt2.ts) at two sizes, the
// prompt they prefill and how many tokens they generate. scripts/fixtures/gpt2_past_onnx.py
// builds the same models in PyTorch (seeded), saves their state_dicts and exports them to ONNX
// with past/present keys and values for the onnxruntime peers.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
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
  /** Steps whose logits are not PyTorch's float64 logits within LOGIT_TOLERANCE, or pick another token where float64's choice is clear. */
  readonly mismatches: number;
  /** The largest logit error against float64 over all steps, relative to each row's largest |logit|. */
  readonly maxError: number;
}

/** The float64 reference (reference.py): greedy tokens and each step's logits row. */
export interface Reference {
  readonly tokens: readonly number[];
  readonly logits: Float32Array;
}

/**
 * A runner's logits row must be within this of float64's, relative to the row's largest |logit|.
 * The bench's GPT-2-small (weights drawn wide, logits about 110) puts every f32 runner 1e-3 to
 * 6e-3 off, summing in its own order.
 */
export const LOGIT_TOLERANCE = 1e-2;

/** The reference reference.py wrote into a case's folder. */
export function readReference(caseDir: string): Reference {
  const { tokens } = JSON.parse(readFileSync(join(caseDir, 'reference.json'), 'utf8')) as { tokens: number[] };
  const bytes = readFileSync(join(caseDir, 'reference-logits.f32'));
  return { tokens, logits: new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)) };
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
 * Judges one step's `row` against float64's `ref`: its largest error relative to the row's largest
 * |logit|, and whether it is wrong: too far off, or its argmax differs from float64's where
 * float64's top two logits are further apart than the row's error (a clear choice made otherwise;
 * on closer calls any f32 runner may pick either).
 */
export function judgeRow(row: Float32Array, ref: Float32Array): { error: number; wrong: boolean } {
  let err = 0;
  let scale = 0;
  for (let i = 0; i < ref.length; i++) {
    err = Math.max(err, Math.abs(row[i]! - ref[i]!));
    scale = Math.max(scale, Math.abs(ref[i]!));
  }
  const best = argmaxOf(ref);
  let second = -Infinity;
  for (let i = 0; i < ref.length; i++) if (i !== best) second = Math.max(second, ref[i]!);
  const clear = ref[best]! - second > 2 * err;
  const error = err / Math.max(scale, 1e-30);
  return { error, wrong: error > LOGIT_TOLERANCE || (clear && argmaxOf(row) !== best) };
}

/**
 * Times `repeats` prefill + `steps` greedy steps with `prefill(prompt)` and `step(token)` resolving
 * to the logits row. Every runner is fed the float64 reference's tokens (the same work, whatever
 * its own rounding); the first repetition's rows are judged against its logits (`judgeRow`).
 */
export async function timeDecoding(
  prompt: readonly number[],
  steps: number,
  repeats: number,
  prefill: (tokens: readonly number[]) => Promise<Float32Array>,
  step: (token: number) => Promise<Float32Array>,
  reference: Reference,
): Promise<Pick<DecodeRow, 'prefillMs' | 'tokensPerSec' | 'coldPrefillMs' | 'tokens' | 'mismatches' | 'maxError'>> {
  const prefills: number[] = [];
  const rates: number[] = [];
  let tokens: number[] = [];
  let cold = 0;
  let mismatches = 0;
  let maxError = 0;
  const vocab = reference.logits.length / reference.tokens.length;
  const judge = (row: Float32Array, i: number): void => {
    const { error, wrong } = judgeRow(row, reference.logits.subarray(i * vocab, (i + 1) * vocab));
    maxError = Math.max(maxError, error);
    if (wrong) mismatches++;
  };
  for (let r = 0; r <= repeats; r++) {
    const t0 = performance.now();
    let row = await prefill(prompt);
    const t1 = performance.now();
    const got = [argmaxOf(row)];
    if (r === 0) judge(row, 0);
    for (let i = 1; i < steps; i++) {
      row = await step(reference.tokens[i - 1]!);
      got.push(argmaxOf(row));
      if (r === 0) judge(row, i);
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
  return { prefillMs: median(prefills), tokensPerSec: median(rates), coldPrefillMs: cold, tokens, mismatches, maxError };
}
