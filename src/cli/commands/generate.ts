// `opgraph generate MODEL --prompt 5,17,3 --steps 32`: prefills the prompt in one call, then
// decodes one token per step over the KV cache, printing the generated token ids (and, with -v,
// the milliseconds of each token).
import { UsageError } from '../../errors.ts';
import { readSafetensors } from '../../io/safetensors-file.ts';
import { compileDecoder } from '../../decode/session.ts';
import type { DecodeTarget } from '../../decode/backends.ts';
import { type OptionSpec, onePositional, optLevel, optional, parseVerbArgs, required } from '../args.ts';
import type { Command } from '../command.ts';
import { loadDecoder } from '../model.ts';

const OPTIONS: OptionSpec = {
  prompt: { type: 'string' },
  steps: { type: 'string' },
  weights: { type: 'string' },
  'max-context': { type: 'string' },
  'top-k': { type: 'string' },
  temperature: { type: 'string' },
  seed: { type: 'string' },
  backend: { type: 'string' },
  opt: { type: 'string', short: 'O' },
  verbose: { type: 'boolean', short: 'v' },
};

const BACKENDS: readonly DecodeTarget[] = ['ts', 'wasm', 'wgsl', 'interp'];

/** A number option: an integer >= `min` (or any finite number >= 0 when `integer` is false). */
function numberOption(p: ReturnType<typeof parseVerbArgs>, name: string, integer: boolean, min: number): number | undefined {
  const raw = optional(p, name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < min) {
    throw new UsageError(`generate: --${name} must be ${integer ? 'an integer' : 'a number'} >= ${min}, got ${JSON.stringify(raw)}`);
  }
  return n;
}

export const generateCommand: Command = {
  name: 'generate',
  summary: 'generate tokens with a decoder model (prefill, then one step per token over a KV cache)',
  usage: `opgraph generate MODEL --prompt IDS --steps N [--weights W.safetensors] [--max-context N] [--top-k K --temperature T --seed S] [--backend ts|wasm|wgsl|interp] [-O0|1|2] [-v]

MODEL is an examples/ name or a path whose module exports \`decoder\` (a DecoderModel:
name, maxContext, forward through ctx.attend; see docs/decoders.md), or an .onnx
decoder export with past/present keys and values (input_ids, past key/value inputs
[batch, heads, past, head_dim], optionally position_ids and attention_mask; outputs
logits and the presents), whose KV cache holds --max-context N positions (default:
the prompt's length plus N steps, at least plus 2). IDS are the
prompt's token ids, comma-separated (5,17,3). Prints the N generated token ids,
comma-separated. Greedy by default; --temperature T > 0 samples from the softmax at
T (restricted to the K most likely tokens with --top-k), seeded by --seed (default 0).
--weights loads the model's weights by name (a PyTorch state_dict). -v prints the
milliseconds of each token to stderr (the first one is the prefill).`,
  async run(argv, io) {
    const p = parseVerbArgs('generate', argv, OPTIONS);
    if (p.values.help) return io.help(this);
    const model = onePositional('generate', p);
    const promptArg = required('generate', p, 'prompt');
    const prompt = promptArg.split(',').map((s) => Number(s.trim()));
    if (prompt.length === 0 || prompt.some((t) => !Number.isInteger(t) || t < 0 || t > 0x7fffffff)) throw new UsageError(`generate: --prompt must be comma-separated token ids >= 0, got ${JSON.stringify(promptArg)}`);
    const steps = numberOption(p, 'steps', true, 0);
    if (steps === undefined) throw new UsageError('generate: --steps N is required');
    const backend = optional(p, 'backend') ?? 'ts';
    if (!(BACKENDS as readonly string[]).includes(backend)) throw new UsageError(`generate: unknown backend ${JSON.stringify(backend)} (available: ${BACKENDS.join(', ')})`);
    const topK = numberOption(p, 'top-k', true, 1);
    const temperature = numberOption(p, 'temperature', false, 0);
    const seed = numberOption(p, 'seed', true, 0);
    if ((topK !== undefined || seed !== undefined) && !temperature) throw new UsageError('generate: --top-k and --seed sample, so they need --temperature T > 0');
    const weightsPath = optional(p, 'weights');
    const maxContext = numberOption(p, 'max-context', true, 1);
    if (maxContext !== undefined && !model.toLowerCase().endsWith('.onnx')) throw new UsageError('generate: --max-context applies to .onnx models only; a module\'s decoder has its own maxContext');
    const decoder = await loadDecoder(model, { maxContext: maxContext ?? prompt.length + Math.max(steps, 2) });
    const dec = await compileDecoder(decoder, { target: backend as DecodeTarget, level: optLevel('generate', p, 2), ...(weightsPath ? { weights: await readSafetensors(weightsPath) } : {}) });
    try {
      const gen = await dec.generate(prompt, { steps, ...(temperature ? { temperature } : {}), ...(topK !== undefined ? { topK } : {}), ...(seed !== undefined ? { seed } : {}) });
      io.out(gen.tokens.join(','));
      if (p.values.verbose) {
        gen.millis.forEach((ms, i) => io.err(`token ${i + 1}/${steps}: ${gen.tokens[i]}  ${ms.toFixed(2)} ms${i === 0 ? ` (prefill of ${prompt.length})` : ''}`));
        const rest = gen.millis.slice(1);
        if (rest.length) io.err(`decoding: ${(1000 * rest.length / rest.reduce((a, b) => a + b, 0)).toFixed(1)} tokens/s`);
      }
    } finally {
      dec.destroy();
    }
    return 0;
  },
};
