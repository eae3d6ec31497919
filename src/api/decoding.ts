// Incremental decoding in the API: what a decoder-only model's body sees when it is built as a
// step graph. Each attention layer keeps its keys and values in a KV cache, a weight of the step
// graph that cacheWrite updates in place (the memory plan keeps it in the runtime's memory
// between runs); the new tokens' positions and the may-attend mask come from the runtime
// position `pos`. src/decode compiles these graphs and runs prefill, steps and generate.
import type { Graph } from '../ir/graph.ts';
import { tensorType } from '../ir/types.ts';
import { type GraphBuilder, graph } from './builder.ts';
import { zeros } from './init.ts';
import type { Sym } from './sym.ts';
import { scaledDotProductAttention } from './attention.ts';
import { arange } from './tensors.ts';

/** Prefix of the KV cache weights: `cache.NAME.key` and `cache.NAME.value`. */
export const CACHE_PREFIX = 'cache.';

/** Prefix of the outputs holding each cache after the run (interpreter step graphs only). */
export const PRESENT_PREFIX = 'present:';

/** What a decoding call sees: its first position, its token count and the cache's length. */
export class DecodeContext {
  /** i32 [tokens]: the absolute position of each new token (pos, pos + 1, ...). */
  readonly positions: Sym;
  /** bool [tokens, maxContext]: new token i may attend to cached position j iff j <= pos + i. */
  readonly mask: Sym;
  private readonly caches = new Map<string, Sym>();

  /** `pos` is an i32 scalar: an input of a step graph, the constant 0 in a prefill graph. */
  constructor(readonly builder: GraphBuilder, readonly pos: Sym, readonly tokens: number, readonly maxContext: number) {
    this.positions = pos.add(arange(builder, tokens, undefined, 1, 'i32'));
    this.mask = arange(builder, maxContext, undefined, 1, 'i32').unsqueeze(0).le(this.positions.unsqueeze(1));
  }

  /**
   * Causal attention of the new tokens over the cache of layer `name`: appends `k` and `v`
   * ([batch, heads, tokens, headDim]) to the cache at `pos`, then attends q over every cached
   * position up to each token's own. Returns [batch, heads, tokens, headDim].
   */
  attend(name: string, q: Sym, k: Sym, v: Sym, opts: { scale?: number } = {}): Sym {
    const g = this.builder;
    if (k.rank !== 4 || k.size(2) !== this.tokens) g.fail(`attend(${JSON.stringify(name)}): keys must be [batch, heads, ${this.tokens}, headDim], got ${k}`);
    const append = (what: 'key' | 'value', x: Sym): Sym => {
      const weight = `${CACHE_PREFIX}${name}.${what}`;
      if (this.caches.has(weight)) g.fail(`attend: the cache ${JSON.stringify(name)} is used twice in one graph; give each layer its own name`);
      const shape = [x.size(0), x.size(1), this.maxContext, x.size(3)];
      const cache = g.param(weight, tensorType('f32', shape), zeros);
      const updated = g.op('cacheWrite', { axis: 2 }, [cache, x, this.pos])[0]!;
      this.caches.set(weight, updated);
      return updated;
    };
    const [keys, values] = [append('key', k), append('value', v)];
    return scaledDotProductAttention(q, keys, values, { attnMask: this.mask, ...(opts.scale !== undefined ? { scale: opts.scale } : {}) });
  }

  /** Each cache after this call, by weight name. */
  present(): ReadonlyMap<string, Sym> {
    return this.caches;
  }
}

/** A decoder-only model to run incrementally: its body maps tokens to logits, attending through ctx.attend. */
export interface DecoderModel {
  readonly name: string;
  /** The KV cache's length: prompt plus generated tokens never exceed it. */
  readonly maxContext: number;
  /** Sequences decoded together (default 1). */
  readonly batch?: number;
  /** Seed of the default parameter values (the same in every graph built from the model). */
  readonly seed?: number;
  /** tokens: i32 [batch, ctx.tokens] -> logits f32 [batch, ctx.tokens, vocab]. */
  forward(g: GraphBuilder, tokens: Sym, ctx: DecodeContext): Sym;
}

/** Which graph of a decoder model to build. */
export interface DecoderGraphOptions {
  /** New tokens per call. */
  readonly tokens: number;
  /** A prefill starts at position 0 (a constant, so -O2 folds its mask into the causal flag); a step takes input `pos`. */
  readonly prefill: boolean;
  /** Also output every cache after the call (`present:cache.NAME.key`), for the interpreter. */
  readonly present?: boolean;
  /** Parameters whose values will be loaded (no default is drawn for them; see GraphOptions.given). */
  readonly given?: (name: string) => boolean;
}

/** The graph of one decoding call: inputs `tokens` (and `pos` for a step), output `logits`. */
export function decoderGraph(model: DecoderModel, opts: DecoderGraphOptions): Graph {
  const suffix = opts.prefill ? `prefill${opts.tokens}` : `step${opts.tokens}`;
  return graph(`${model.name}.${suffix}`, (g) => {
    const tokens = g.input('tokens', [model.batch ?? 1, opts.tokens], 'i32');
    const pos = opts.prefill ? g.constant(0, 'i32') : g.input('pos', [], 'i32');
    const ctx = new DecodeContext(g, pos, opts.tokens, model.maxContext);
    const logits = model.forward(g, tokens, ctx);
    if (ctx.present().size === 0) g.fail(`decoder ${JSON.stringify(model.name)} never called ctx.attend: it has no KV cache`);
    const out: Record<string, Sym> = { logits };
    if (opts.present) for (const [name, s] of ctx.present()) out[`${PRESENT_PREFIX}${name}`] = s;
    return out;
  }, { ...(model.seed !== undefined ? { seed: model.seed } : {}), ...(opts.given ? { given: opts.given } : {}) });
}
