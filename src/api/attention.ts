// F.scaledDotProductAttention with PyTorch 2's mask semantics, and the mask conversions the
// attention layers share. Every mask becomes an additive f32 bias (0 or -inf) of the mask's own
// shape, added to the scores: the form fuse-attention turns into the fused op's mask operand, or
// into its causal flag when the bias is the constant causal one.
import { tensor } from '../ir/tensor.ts';
import type { GraphBuilder } from './builder.ts';
import type { Sym } from './sym.ts';
import { where } from './tensors.ts';

/** Options of scaledDotProductAttention, as PyTorch 2 names them. */
export interface AttentionMaskOptions {
  /** Broadcast to [..., L, S]. bool: true = may attend (PyTorch 2's SDPA); f32: added to the scores. */
  readonly attnMask?: Sym;
  /** Query i attends to keys j <= i only (top-left aligned when L != S). Excludes `attnMask`. */
  readonly isCausal?: boolean;
  /** The scores' factor; 1 / sqrt(headDim) by default. */
  readonly scale?: number;
}

/**
 * The constant additive causal bias [L, S]: 0 where key j <= query i, -inf above the diagonal
 * (what `nn.Transformer.generateSquareSubsequentMask(L)` returns for L = S).
 */
export function causalMask(g: GraphBuilder, L: number, S = L): Sym {
  const data = new Float32Array(L * S);
  for (let i = 0; i < L; i++) for (let j = i + 1; j < S; j++) data[i * S + j] = -Infinity;
  return g.constant(tensor('f32', [L, S], data));
}

/**
 * `mask` as an additive f32 bias of its own shape. A bool mask is -inf where it equals
 * `maskedWhen` (false for SDPA's "may attend" masks, true for nn.MultiheadAttention's), 0
 * elsewhere; an f32 mask is already a bias.
 */
export function additiveMask(mask: Sym, maskedWhen: boolean): Sym {
  if (mask.dtype === 'f32') return mask;
  if (mask.dtype !== 'bool') mask.builder.fail(`an attention mask must be bool or f32, got ${mask}`);
  return maskedWhen ? where(mask, -Infinity, 0) : where(mask, 0, -Infinity);
}

/**
 * torch.nn.functional.scaled_dot_product_attention (PyTorch 2, no dropout):
 * softmax(q k^T * scale + bias) v over the last two dims, where the bias comes from `attnMask`
 * (bool: -inf where false; f32: itself) or from `isCausal`. At -O2 the whole chain, mask
 * included, is one fused attention op.
 */
export function scaledDotProductAttention(q: Sym, k: Sym, v: Sym, opts: AttentionMaskOptions = {}): Sym {
  const g = q.builder;
  if (opts.isCausal && opts.attnMask) g.fail('scaledDotProductAttention: pass attnMask or isCausal, not both (as PyTorch)');
  const [L, S] = [q.size(-2), k.size(-2)];
  const scores = q.matmul(k.transpose(-2, -1)).mul(opts.scale ?? 1 / Math.sqrt(q.size(-1)));
  const bias = opts.isCausal ? causalMask(g, L, S) : opts.attnMask && additiveMask(opts.attnMask, false);
  return (bias ? scores.add(bias) : scores).softmax(-1).matmul(v);
}
