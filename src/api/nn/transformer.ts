// PyTorch's nn.MultiheadAttention (inference: dropout is the identity), with PyTorch's state_dict
// names, its (seq, batch, embed) layout by default and PyTorch 1.13's masks.
import { additiveMask, causalMask } from '../attention.ts';
import type { GraphBuilder } from '../builder.ts';
import * as F from '../functional.ts';
import { uniform, zeros } from '../init.ts';
import { tensor } from '../../ir/tensor.ts';
import { numel } from '../../ir/types.ts';
import type { Sym } from '../sym.ts';
import { checkHeads } from './attention.ts';
import { Linear } from './layers.ts';
import { Module, Parameter } from './module.ts';

/** An f32 tensor of `shape` with values from `at()`. */
const F32 = (shape: readonly number[], at: () => number) => tensor('f32', shape, Float32Array.from({ length: numel(shape) }, at));

/** Options of MultiheadAttention, as PyTorch names them. */
export interface MultiheadAttentionOptions {
  readonly bias?: boolean;
  /** Inputs are (batch, seq, embed) instead of (seq, batch, embed). */
  readonly batchFirst?: boolean;
  /** Learned `bias_k`, `bias_v` [1, 1, E], appended to the keys and values as one more position. */
  readonly addBiasKv?: boolean;
  /** A zero key and value appended per head (after the bias ones), so every query may attend to something. */
  readonly addZeroAttn?: boolean;
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
  bias_k?: Parameter;
  bias_v?: Parameter;
  readonly headDim: number;
  readonly batchFirst: boolean;
  readonly addZeroAttn: boolean;

  constructor(readonly embedDim: number, readonly numHeads: number, opts: MultiheadAttentionOptions = {}) {
    super();
    checkHeads(embedDim, numHeads, 'embed_dim');
    this.headDim = embedDim / numHeads;
    this.batchFirst = opts.batchFirst ?? false;
    // xavier_uniform_ over the packed [3E, E] matrix, as PyTorch initialises it.
    this.in_proj_weight = new Parameter([3 * embedDim, embedDim], uniform(Math.sqrt(6 / (4 * embedDim))));
    if (opts.bias ?? true) this.in_proj_bias = new Parameter([3 * embedDim], zeros);
    this.out_proj = new Linear(embedDim, embedDim, { bias: opts.bias ?? true });
    if (opts.addBiasKv) {
      // xavier_normal_ over [1, 1, E], as PyTorch initialises them.
      const std = Math.sqrt(2 / (embedDim + embedDim));
      this.bias_k = new Parameter([1, 1, embedDim], (shape, rng) => F32(shape, () => rng.normal() * std));
      this.bias_v = new Parameter([1, 1, embedDim], (shape, rng) => F32(shape, () => rng.normal() * std));
    }
    this.addZeroAttn = opts.addZeroAttn ?? false;
  }

  /** The positions appended to the keys: bias_k/bias_v's one, then add_zero_attn's. */
  private get extraKeys(): number {
    return (this.bias_k ? 1 : 0) + (this.addZeroAttn ? 1 : 0);
  }

  /** t (seq, batch, E) or (batch, seq, E) with `p` [1, 1, E] appended along seq. */
  private appendPosition(t: Sym, p: Parameter): Sym {
    const e = this.embedDim;
    const row = p.in(t.builder);
    return this.batchFirst ? F.concat([t, F.expand(row, [t.size(0), 1, e])], 1) : F.concat([t, F.expand(row, [1, t.size(1), e])], 0);
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

  /**
   * forward(query, key, value, opts) as PyTorch 1.13's: -> { output, weights }, weights
   * [batch, L, S] averaged over heads (or [batch, heads, L, S] with averageAttnWeights false;
   * absent with needWeights false). Masks follow PyTorch 1.13's MultiheadAttention convention:
   * a bool `true` means "may NOT attend" (the opposite of F.scaledDotProductAttention's).
   */
  forward(query: Sym, key: Sym, value: Sym, opts?: MultiheadAttentionForwardOptions & { readonly needWeights?: true }): { output: Sym; weights: Sym };
  forward(query: Sym, key: Sym, value: Sym, opts: MultiheadAttentionForwardOptions & { readonly needWeights: false }): { output: Sym; weights: undefined };
  forward(query: Sym, key: Sym, value: Sym, opts: MultiheadAttentionForwardOptions & { readonly needWeights?: boolean }): { output: Sym; weights: Sym | undefined };
  forward(query: Sym, key: Sym, value: Sym, opts: MultiheadAttentionForwardOptions & { readonly needWeights?: boolean } = {}): { output: Sym; weights: Sym | undefined } {
    return this.scope(query.builder, () => {
      const [q, k, v] = this.project(query, key, value);
      const h = this.numHeads;
      // To [batch, heads, seq, headDim] from (seq, batch, E) or (batch, seq, E).
      const heads = (t: Sym): Sym => {
        const [d0, d1] = [t.size(0), t.size(1)];
        return this.batchFirst ? t.view(d0, d1, h, this.headDim).permute(0, 2, 1, 3) : t.view(d0, d1, h, this.headDim).permute(1, 2, 0, 3);
      };
      const [kb, vb] = this.bias_k && this.bias_v ? [this.appendPosition(k, this.bias_k), this.appendPosition(v, this.bias_v)] : [k, v];
      // add_zero_attn: one zero key and value per (batch, head).
      const zero = (t: Sym): Sym => (this.addZeroAttn ? F.concat([t, t.builder.constant(tensor('f32', [t.size(0), h, 1, this.headDim]))], 2) : t);
      const [qh, kh, vh] = [heads(q), zero(heads(kb)), zero(heads(vb))];
      const scores = qh.matmul(kh.transpose(-2, -1)).div(Math.sqrt(this.headDim));
      const bias = this.bias(query.builder, opts, qh.size(0), qh.size(2), kh.size(2));
      const probs = (bias ? scores.add(bias) : scores).softmax(-1);
      const o = probs.matmul(vh);
      const [b, n] = [o.size(0), o.size(2)];
      const merged = this.batchFirst ? o.permute(0, 2, 1, 3).reshape(b, n, this.embedDim) : o.permute(2, 0, 1, 3).reshape(n, b, this.embedDim);
      const weights = opts.needWeights === false ? undefined : opts.averageAttnWeights === false ? probs : probs.mean(1);
      return { output: this.out_proj.forward(merged), weights };
    });
  }

  /** The additive bias of the scores [batch, heads, L, S] from the attention and key padding masks (or none). */
  private bias(g: GraphBuilder, opts: MultiheadAttentionForwardOptions, batch: number, L: number, S: number): Sym | undefined {
    const { attnMask, keyPaddingMask } = opts;
    // The masks cover the given keys; the appended ones (bias_k, zero attention) are always visible.
    const given = S - this.extraKeys;
    const pad = (m: Sym): Sym => (given === S ? m : F.concat([m, g.constant(tensor('f32', [...m.shape.slice(0, -1), S - given]))], -1));
    let bias: Sym | undefined;
    if (attnMask) {
      const am = pad(additiveMask(attnMask, true));
      bias = am.rank === 3 ? am.view(batch, this.numHeads, L, S) : am;
    } else if (opts.isCausal) {
      bias = causalMask(g, L, S);
    }
    if (keyPaddingMask) {
      const kp = pad(additiveMask(keyPaddingMask, true)).view(batch, 1, 1, S);
      bias = bias ? bias.add(kp) : kp;
    }
    return bias;
  }
}

/**
 * Options of MultiheadAttention.forward, PyTorch 1.13's (plus 2.x's isCausal). Its bool masks
 * mean "true = may NOT attend"; f32 masks are added to the scores.
 */
export interface MultiheadAttentionForwardOptions {
  /** [batch, S]: bool true = ignore that key (padding); f32 = added to every query's scores. */
  readonly keyPaddingMask?: Sym;
  /** [L, S] or [batch * heads, L, S]: bool true = query i may not attend to key j; f32 = added. */
  readonly attnMask?: Sym;
  /** Return the attention weights (default true). */
  readonly needWeights?: boolean;
  /** Average the weights over heads (default true); false gives [batch, heads, L, S]. */
  readonly averageAttnWeights?: boolean;
  /** Without attnMask, apply the causal mask (PyTorch 2 takes it as a hint beside attn_mask; with attnMask, attnMask is used). */
  readonly isCausal?: boolean;
}
