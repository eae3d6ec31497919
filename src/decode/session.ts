// compileDecoder: a decoder-only model compiled for incremental decoding. prefill() runs a whole
// prompt in one call of a prefill graph (one per prompt length, built on first use), step() one
// token at the current position through the step graph, and generate() loops them with a
// sampler. The KV cache stays in the backend's memory throughout (backends.ts).
import { OpgraphError } from '../errors.ts';
import type { Graph } from '../ir/graph.ts';
import { type Tensor, tensor } from '../ir/tensor.ts';
import { type DecoderModel, decoderGraph } from '../api/decoding.ts';
import { type BackendOptions, type Phase, type PhaseFactory, phaseFactory } from './backends.ts';
import { type SamplingOptions, sampler } from './sample.ts';

/** A compiled decoder. One sequence (batch 1) at a time. */
export interface Decoder {
  readonly model: DecoderModel;
  /** The position the next token goes to (0 before any prefill). */
  readonly position: number;
  /** Runs the prompt from position 0 (forgetting any earlier sequence); resolves to its logits [tokens, vocab]. */
  prefill(tokens: readonly number[]): Promise<Tensor>;
  /** Runs one token at `position` and advances it; resolves to its logits [vocab]. */
  step(token: number): Promise<Tensor>;
  /** Prefills `prompt`, then samples `steps` tokens (see GenerateOptions). */
  generate(prompt: readonly number[], opts: GenerateOptions): Promise<Generation>;
  /** Frees the backend's resources. */
  destroy(): void;
}

/** Options of generate. */
export interface GenerateOptions extends SamplingOptions {
  /** Tokens to generate (after the prompt). */
  readonly steps: number;
  /** Called with each row of logits the tokens are chosen from (the prompt's last one, then each step's). */
  readonly onLogits?: (logits: Float32Array, index: number) => void;
}

/** What generate returns. */
export interface Generation {
  /** The generated tokens (the prompt not included). */
  readonly tokens: number[];
  /** Milliseconds of each token: [0] is the prefill, then one per step. */
  readonly millis: number[];
}

/** Compiles `model` for decoding on `opts.target` (the step graph now, prefill graphs on first use). */
export async function compileDecoder(model: DecoderModel, opts: BackendOptions): Promise<Decoder> {
  if ((model.batch ?? 1) !== 1) throw new OpgraphError(`compileDecoder decodes one sequence at a time; model ${JSON.stringify(model.name)} has batch ${model.batch}`);
  const present = opts.target === 'interp';
  // Parameters the weights hold need no default values (drawing GPT-2 small's takes seconds).
  const names = opts.weights === undefined ? undefined : new Set(opts.weights instanceof Map ? opts.weights.keys() : Object.keys(opts.weights));
  const given = names && opts.strict !== false ? (name: string) => names.has(name) : undefined;
  const build = (o: { tokens: number; prefill: boolean }) => decoderGraph(model, { ...o, present, ...(given ? { given } : {}) });
  const stepGraph = build({ tokens: 1, prefill: false });
  const factory = phaseFactory(stepGraph, opts);
  const step = await factory.build(stepGraph);
  return new Session(model, factory, step, build);
}

class Session implements Decoder {
  position = 0;
  private readonly prefills = new Map<number, Phase>();

  constructor(
    readonly model: DecoderModel,
    private readonly factory: PhaseFactory,
    private readonly stepPhase: Phase,
    private readonly build: (o: { tokens: number; prefill: boolean }) => Graph,
  ) {}

  async prefill(tokens: readonly number[]): Promise<Tensor> {
    const n = tokens.length;
    if (n === 0) throw new OpgraphError('prefill needs at least one prompt token');
    this.checkRoom(0, n);
    let phase = this.prefills.get(n);
    if (!phase) {
      phase = await this.factory.build(this.build({ tokens: n, prefill: true }));
      this.prefills.set(n, phase);
    }
    const logits = await phase.run(new Map([['tokens', tensor('i32', [1, n], tokens)]]));
    this.factory.handOver(phase, this.stepPhase);
    this.position = n;
    return tensor('f32', logits.shape.slice(1), logits.data);
  }

  async step(token: number): Promise<Tensor> {
    this.checkRoom(this.position, 1);
    const inputs = new Map([['tokens', tensor('i32', [1, 1], [token])], ['pos', tensor('i32', [], [this.position])]]);
    const logits = await this.stepPhase.run(inputs);
    this.position++;
    return tensor('f32', logits.shape.slice(2), logits.data);
  }

  async generate(prompt: readonly number[], opts: GenerateOptions): Promise<Generation> {
    if (!(Number.isInteger(opts.steps) && opts.steps >= 0)) throw new OpgraphError(`steps must be an integer >= 0, got ${opts.steps}`);
    this.checkRoom(0, prompt.length + Math.max(0, opts.steps - 1));
    const pick = sampler(opts);
    const tokens: number[] = [];
    const millis: number[] = [];
    let t0 = performance.now();
    const all = await this.prefill(prompt);
    const vocab = all.shape[1]!;
    let row = (all.data as Float32Array).subarray((prompt.length - 1) * vocab);
    for (let i = 0; i < opts.steps; i++) {
      opts.onLogits?.(row, i);
      tokens.push(pick(row));
      millis.push(performance.now() - t0);
      if (i === opts.steps - 1) break;
      t0 = performance.now();
      row = (await this.step(tokens[i]!)).data as Float32Array;
    }
    return { tokens, millis };
  }

  destroy(): void {
    this.stepPhase.destroy();
    for (const p of this.prefills.values()) p.destroy();
  }

  private checkRoom(from: number, count: number): void {
    if (from + count > this.model.maxContext) {
      throw new OpgraphError(`decoder ${JSON.stringify(this.model.name)}: ${from + count} positions do not fit its context of ${this.model.maxContext}`);
    }
  }
}
