// PyTorch's nn.MultiheadAttention and nn.TransformerEncoderLayer (inference: dropout is the
// identity), with PyTorch's state_dict names and its (seq, batch, embed) layout by default.
import * as F from '../functional.ts';
import { uniform, zeros } from '../init.ts';
import type { Sym } from '../sym.ts';
import { checkHeads } from './attention.ts';
import { LayerNorm, Linear } from './layers.ts';
import { Module, Parameter } from './module.ts';

/** Options of MultiheadAttention, as PyTorch names them. */
export interface MultiheadAttentionOptions {
  readonly bias?: boolean;
  /** Inputs are (batch, seq, embed) instead of (seq, batch, embed). */
  readonly batchFirst?: boolean;
}

/**
 * nn.MultiheadAttention(embed_dim, num_heads): packed `in_proj_weight` [3E, E] and
 * `in_proj_bias` [3E], `out_proj` Linear. forward returns the output and the attention weights
 * averaged over heads, as PyTorch's defaults (need_weights, average_attn_weights) do.
 */
export class MultiheadAttention extends Module {
  in_proj_weight: Parameter;
  in_proj_bias?: Parameter;
  out_proj: Linear;
  readonly headDim: number;
  readonly batchFirst: boolean;

  constructor(readonly embedDim: number, readonly numHeads: number, opts: MultiheadAttentionOptions = {}) {
    super();
    checkHeads(embedDim, numHeads, 'embed_dim');
    this.headDim = embedDim / numHeads;
    this.batchFirst = opts.batchFirst ?? false;
    // xavier_uniform_ over the packed [3E, E] matrix, as PyTorch initialises it.
    this.in_proj_weight = new Parameter([3 * embedDim, embedDim], uniform(Math.sqrt(6 / (4 * embedDim))));
    if (opts.bias ?? true) this.in_proj_bias = new Parameter([3 * embedDim], zeros);
    this.out_proj = new Linear(embedDim, embedDim, { bias: opts.bias ?? true });
  }

  /** The q, k, v projections: one packed matmul when query, key and value are one tensor. */
  private project(query: Sym, key: Sym, value: Sym): [Sym, Sym, Sym] {
    const g = query.builder;
    const w = this.in_proj_weight.in(g);
    const b = this.in_proj_bias?.in(g);
    const e = this.embedDim;
    if (query === key && key === value) {
      const [q, k, v] = F.split(F.linear(query, w, b), [e, e, e], -1);
      return [q!, k!, v!];
    }
    const part = (t: Sym, i: number): Sym => F.linear(t, F.slice(w, 0, i * e, (i + 1) * e), b && F.slice(b, 0, i * e, (i + 1) * e));
    return [part(query, 0), part(key, 1), part(value, 2)];
  }

  /** forward(query, key, value) -> { output, weights }: weights [batch, seqQ, seqK], averaged over heads. */
  forward(query: Sym, key: Sym, value: Sym): { output: Sym; weights: Sym } {
    return this.scope(query.builder, () => {
      const [q, k, v] = this.project(query, key, value);
      const h = this.numHeads;
      // To [batch, heads, seq, headDim] from (seq, batch, E) or (batch, seq, E).
      const heads = (t: Sym): Sym => {
        const [d0, d1] = [t.size(0), t.size(1)];
        return this.batchFirst ? t.view(d0, d1, h, this.headDim).permute(0, 2, 1, 3) : t.view(d0, d1, h, this.headDim).permute(1, 2, 0, 3);
      };
      const probs = heads(q).matmul(heads(k).transpose(-2, -1)).div(Math.sqrt(this.headDim)).softmax(-1);
      const o = probs.matmul(heads(v));
      const [b, n] = [o.size(0), o.size(2)];
      const merged = this.batchFirst ? o.permute(0, 2, 1, 3).reshape(b, n, this.embedDim) : o.permute(2, 0, 1, 3).reshape(n, b, this.embedDim);
      return { output: this.out_proj.forward(merged), weights: probs.mean(1) };
    });
  }
}

/** Options of TransformerEncoderLayer, as PyTorch names them. */
export interface EncoderLayerOptions {
  readonly dimFeedforward?: number;
  readonly layerNormEps?: number;
  readonly batchFirst?: boolean;
  readonly activation?: 'relu' | 'gelu';
}

/**
 * nn.TransformerEncoderLayer(d_model, nhead): post-norm (norm_first=False) self-attention and
 * feed-forward blocks, `self_attn`, `linear1`, `linear2`, `norm1`, `norm2`.
 */
export class TransformerEncoderLayer extends Module {
  self_attn: MultiheadAttention;
  linear1: Linear;
  linear2: Linear;
  norm1: LayerNorm;
  norm2: LayerNorm;
  readonly activation: 'relu' | 'gelu';

  constructor(dModel: number, nhead: number, opts: EncoderLayerOptions = {}) {
    super();
    const ff = opts.dimFeedforward ?? 2048;
    const eps = opts.layerNormEps ?? 1e-5;
    this.self_attn = new MultiheadAttention(dModel, nhead, { batchFirst: opts.batchFirst ?? false });
    this.linear1 = new Linear(dModel, ff);
    this.linear2 = new Linear(ff, dModel);
    this.norm1 = new LayerNorm(dModel, eps);
    this.norm2 = new LayerNorm(dModel, eps);
    this.activation = opts.activation ?? 'relu';
  }

  forward(src: Sym): Sym {
    const x = this.norm1.forward(src.add(this.self_attn.forward(src, src, src).output));
    const hidden = this.linear1.forward(x);
    const act = this.activation === 'relu' ? hidden.relu() : hidden.gelu();
    return this.norm2.forward(x.add(this.linear2.forward(act)));
  }
}

/** nn.TransformerEncoder: `layers.0`, `layers.1`, ... applied in turn. */
export class TransformerEncoder extends Module {
  layers: TransformerEncoderLayer[];
  constructor(makeLayer: () => TransformerEncoderLayer, numLayers: number) {
    super();
    this.layers = Array.from({ length: numLayers }, makeLayer);
  }
  forward(src: Sym): Sym {
    return this.layers.reduce((x, layer) => layer.forward(x), src);
  }
}
