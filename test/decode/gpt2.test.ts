// The GPT-2 example against the real PyTorch code (scripts/fixtures/gpt2.py): the logits of the
// prompt's prefill and of every one of 32 greedy steps over the KV cache, and the greedy tokens
// exactly, on the interpreter, TS, wasm and WGSL (SwiftShader). The whole sequence in one uncached
// call matches PyTorch too, so cache and no cache agree with each other and with PyTorch.
import { describe, expect, it } from 'vitest';
import { compileDecoder, type DecodeTarget } from '../../src/decode/index.ts';
import { readSafetensors } from '../../src/io/safetensors-file.ts';
import { interpret } from '../../src/runtime/interpreter.ts';
import { compareTensors } from '../../src/runtime/compare.ts';
import { f32, tensor } from '../../src/ir/tensor.ts';
import buildFull, { decoder } from '../../examples/gpt2.ts';
import { adapterOrReason, skipNote } from '../wgsl/adapter.ts';

const DIR = new URL('../fixtures/gpt2/', import.meta.url).pathname;
const weights = await readSafetensors(`${DIR}gpt2_tiny.weights.safetensors`);
const io = await readSafetensors(`${DIR}gpt2_tiny.generate.safetensors`);
const prompt = Array.from(io.get('prompt')!.data as Int32Array);
const greedy = Array.from(io.get('tokens')!.data as Int32Array);
const rows = io.get('logits')!;
const vocab = rows.shape[1]!;
const { gpu, reason } = await adapterOrReason();

function expectClose(got: Float32Array, want: Float32Array, what: string): void {
  const c = compareTensors(f32([got.length], got), f32([want.length], want), 1e-4, 1e-4);
  expect(c.ok, `${what}: max |diff| ${c.maxAbs} at ${c.worst}${c.reason ? ` (${c.reason})` : ''}`).toBe(true);
}

describe('the fixture', () => {
  it('generates distinct tokens (the test would not notice a stuck cache otherwise)', () => {
    expect(greedy).toHaveLength(32);
    expect(new Set(greedy).size).toBeGreaterThan(5);
  });
  it('the uncached whole sequence matches PyTorch on the interpreter', () => {
    const tokens = tensor('i32', [1, 37], [...prompt, ...greedy]);
    const out = interpret(buildFull(), { tokens }, { weights });
    expectClose(out.logits!.data as Float32Array, io.get('full')!.data as Float32Array, 'full logits');
  });
});

const targets: DecodeTarget[] = ['interp', 'ts', 'wasm'];
describe.each(targets)('GPT-2 decoding on %s', (target) => suite(target));
describe.skipIf(!gpu)(`GPT-2 decoding on wgsl${skipNote(reason)}`, () => {
  if (gpu) suite('wgsl');
  else it('matches PyTorch', () => {});
});

function suite(target: DecodeTarget): void {
  it('prefill logits, 32 steps of logits and the greedy tokens match PyTorch', { timeout: 120_000 }, async () => {
    const dec = await compileDecoder(decoder, { target, weights });
    try {
      const seen: Float32Array[] = [];
      const pre = await dec.prefill(prompt);
      expectClose(pre.data as Float32Array, io.get('prefill')!.data as Float32Array, 'prefill logits');
      const gen = await dec.generate(prompt, { steps: 32, onLogits: (row) => seen.push(row.slice()) });
      expect(gen.tokens).toEqual(greedy);
      expect(gen.millis).toHaveLength(32);
      seen.forEach((row, i) => expectClose(row, (rows.data as Float32Array).subarray(i * vocab, (i + 1) * vocab), `step ${i} logits`));
      expect(dec.position).toBe(prompt.length + 31);
    } finally {
      dec.destroy();
    }
  });
}
