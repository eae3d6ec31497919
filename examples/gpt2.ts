// A GPT-2-architecture decoder (learned token and position embeddings, pre-LN blocks, GELU tanh,
// a final LayerNorm, the LM head tied to the token embedding) with GPT-2's state_dict names, in
// three uses: the whole sequence at once (the default export; the causal mask written as GPT-2
// writes it, tril + maskedFill(-inf), which -O2 fuses into attention's causal flag), incremental
// decoding over a KV cache (`decoder`, for compileDecoder and `opgraph generate`), and next-token
// training (`trainingGraph`). scripts/fixtures/gpt2.py is the same model in plain PyTorch.
import { type DecodeContext, type DecoderModel, F, type GraphBuilder, type Sym, graph, nn } from '../src/index.ts';

/** The model's sizes. */
export interface GptConfig {
  readonly vocab: number;
  readonly context: number;
  readonly dModel: number;
  readonly heads: number;
  readonly layers: number;
}

/** The fixture's sizes (test/fixtures/gpt2/). */
export const TINY: GptConfig = { vocab: 64, context: 48, dModel: 32, heads: 4, layers: 2 };

/** Attention of [batch, heads, T, headDim] queries, keys and values for one layer. */
type Attend = (layer: number, q: Sym, k: Sym, v: Sym) => Sym;

class Attention extends nn.Module {
  c_attn: nn.Linear;
  c_proj: nn.Linear;
  constructor(readonly d: number, readonly heads: number) {
    super();
    this.c_attn = new nn.Linear(d, 3 * d);
    this.c_proj = new nn.Linear(d, d);
  }
  forward(x: Sym, layer: number, attend: Attend): Sym {
    return this.scope(x.builder, () => {
      const [B, T, d, h] = [x.size(0), x.size(1), this.d, this.heads];
      const heads = (t: Sym): Sym => t.view(B, T, h, d / h).transpose(1, 2);
      const [q, k, v] = F.split(this.c_attn.forward(x), [d, d, d], 2).map(heads) as [Sym, Sym, Sym];
      return this.c_proj.forward(attend(layer, q, k, v).transpose(1, 2).contiguous().view(B, T, d));
    });
  }
}

class MLP extends nn.Module {
  c_fc: nn.Linear;
  c_proj: nn.Linear;
  constructor(d: number) {
    super();
    this.c_fc = new nn.Linear(d, 4 * d);
    this.c_proj = new nn.Linear(4 * d, d);
  }
  forward(x: Sym): Sym {
    return this.scope(x.builder, () => this.c_proj.forward(this.c_fc.forward(x).gelu('tanh')));
  }
}

class Block extends nn.Module {
  ln_1: nn.LayerNorm;
  attn: Attention;
  ln_2: nn.LayerNorm;
  mlp: MLP;
  constructor(d: number, heads: number) {
    super();
    this.ln_1 = new nn.LayerNorm(d);
    this.attn = new Attention(d, heads);
    this.ln_2 = new nn.LayerNorm(d);
    this.mlp = new MLP(d);
  }
  forward(x: Sym, layer: number, attend: Attend): Sym {
    const y = x.add(this.attn.forward(this.ln_1.forward(x), layer, attend));
    return y.add(this.mlp.forward(this.ln_2.forward(y)));
  }
}

/** GPT-2: `wte`, `wpe`, `h.N.{ln_1,attn.c_attn,attn.c_proj,ln_2,mlp.c_fc,mlp.c_proj}`, `ln_f`; no lm_head (tied). */
export class GPT extends nn.Module {
  wte: nn.Embedding;
  wpe: nn.Embedding;
  h: nn.ModuleList<Block>;
  ln_f: nn.LayerNorm;
  constructor(readonly config: GptConfig) {
    super();
    this.wte = new nn.Embedding(config.vocab, config.dModel);
    this.wpe = new nn.Embedding(config.context, config.dModel);
    this.h = new nn.ModuleList(Array.from({ length: config.layers }, () => new Block(config.dModel, config.heads)));
    this.ln_f = new nn.LayerNorm(config.dModel);
  }

  /** tokens i32 [batch, T] at `positions` (i32 [T]) -> logits [batch, T, vocab]. */
  forward(tokens: Sym, positions: Sym, attend: Attend): Sym {
    const g = tokens.builder;
    let x = this.wte.forward(tokens).add(this.wpe.forward(positions).unsqueeze(0));
    [...this.h].forEach((block, i) => (x = block.forward(x, i, attend)));
    return this.scope(g, () => F.linear(this.ln_f.forward(x), this.wte.weight.in(g)));
  }

  /** The whole sequence at once, with GPT-2's own causal mask: scores.maskedFill(tril(ones) == 0, -inf). */
  logits(tokens: Sym): Sym {
    const g = tokens.builder;
    const T = tokens.size(1);
    const causal = F.tril(F.ones(g, [T, T]));
    const attend: Attend = (_layer, q, k, v) => {
      const scores = q.matmul(k.transpose(-2, -1)).div(Math.sqrt(q.size(-1)));
      return scores.maskedFill(causal.eq(0), -Infinity).softmax(-1).matmul(v);
    };
    return this.forward(tokens, F.arange(g, T, undefined, 1, 'i32'), attend);
  }

  /** The new tokens of one decoding call, attending over the KV cache (`cache.h.N.key` / `.value`). */
  decode(tokens: Sym, ctx: DecodeContext): Sym {
    return this.forward(tokens, ctx.positions, (layer, q, k, v) => ctx.attend(`h.${layer}`, q, k, v));
  }
}

/** A GPT for compileDecoder and `opgraph generate` (the context is the cache's length). */
export function gptDecoder(config: GptConfig, name = 'gpt2'): DecoderModel {
  return { name, maxContext: config.context, forward: (_g: GraphBuilder, tokens: Sym, ctx: DecodeContext) => new GPT(config).decode(tokens, ctx) };
}

/** The fixture model as a decoder. */
export const decoder = gptDecoder(TINY, 'gpt2_tiny');

/** Next-token training on [batch, T] windows: outputs `loss` (mean cross-entropy) and `logits`. */
export function trainingGraph(config: GptConfig, batch: number, T: number): ReturnType<typeof graph> {
  return graph('gpt2_train', (g) => {
    const logits = new GPT(config).logits(g.input('tokens', [batch, T], 'i32'));
    const targets = g.input('targets', [batch * T], 'i64');
    return { loss: F.crossEntropy(logits.view(batch * T, config.vocab), targets), logits };
  });
}

/** The whole 37-token fixture sequence (prompt and greedy tokens) in one uncached call. */
export default () => graph('gpt2_tiny', (g) => ({ logits: new GPT(TINY).logits(g.input('tokens', [1, 37], 'i32')) }));
