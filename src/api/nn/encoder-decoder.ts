// PyTorch's transformer stacks: nn.TransformerEncoderLayer, nn.TransformerDecoderLayer, their
// stacks and nn.Transformer, with PyTorch 1.13's state_dict names, options (norm_first, relu or
// gelu, batch_first) and masks (bool true = may not attend; f32 = added). Dropout is the identity
// (inference), so the dropout modules have no parameters and are not kept.
import { causalMask } from '../attention.ts';
import type { GraphBuilder } from '../builder.ts';
import type { Sym } from '../sym.ts';
import { LayerNorm, Linear } from './layers.ts';
import { Module } from './module.ts';
import { MultiheadAttention } from './transformer.ts';

/** Options of the encoder and decoder layers, as PyTorch names them. */
export interface TransformerLayerOptions {
  /** Feed-forward width (default 2048). */
  readonly dimFeedforward?: number;
  readonly layerNormEps?: number;
  /** (batch, seq, feature) instead of (seq, batch, feature). */
  readonly batchFirst?: boolean;
  /** Pre-norm blocks x + f(norm(x)) instead of post-norm norm(x + f(x)). */
  readonly normFirst?: boolean;
  /** 'gelu' is the exact erf GELU, as PyTorch's string option. */
  readonly activation?: 'relu' | 'gelu';
}

/** The masks of an encoder layer (or stack), as PyTorch's forward names them. */
export interface EncoderMasks {
  /** [S, S] or [batch * heads, S, S]. */
  readonly mask?: Sym;
  /** [batch, S]: true = padding. */
  readonly srcKeyPaddingMask?: Sym;
}

/** The masks of a decoder layer (or stack), as PyTorch's forward names them. */
export interface DecoderMasks {
  /** [T, T] self-attention mask, e.g. Transformer.generateSquareSubsequentMask(g, T). */
  readonly tgtMask?: Sym;
  /** [T, S] cross-attention mask. */
  readonly memoryMask?: Sym;
  readonly tgtKeyPaddingMask?: Sym;
  readonly memoryKeyPaddingMask?: Sym;
  /** Without tgtMask, mask the self-attention causally (PyTorch 2's tgt_is_causal). */
  readonly tgtIsCausal?: boolean;
}

/** The feed-forward block shared by both layers: linear2(act(linear1(x))). */
abstract class TransformerLayerBase extends Module {
  linear1: Linear;
  linear2: Linear;
  readonly activation: 'relu' | 'gelu';
  readonly normFirst: boolean;
  readonly batchFirst: boolean;

  constructor(dModel: number, opts: TransformerLayerOptions) {
    super();
    const ff = opts.dimFeedforward ?? 2048;
    this.linear1 = new Linear(dModel, ff);
    this.linear2 = new Linear(ff, dModel);
    this.activation = opts.activation ?? 'relu';
    this.normFirst = opts.normFirst ?? false;
    this.batchFirst = opts.batchFirst ?? false;
  }

  protected feedForward(x: Sym): Sym {
    const hidden = this.linear1.forward(x);
    return this.linear2.forward(this.activation === 'relu' ? hidden.relu() : hidden.gelu());
  }

  /** One residual block: pre-norm x + f(norm(x)) or post-norm norm(x + f(x)). */
  protected residual(x: Sym, norm: LayerNorm, f: (y: Sym) => Sym): Sym {
    return this.normFirst ? x.add(f(norm.forward(x))) : norm.forward(x.add(f(x)));
  }
}

/** nn.TransformerEncoderLayer(d_model, nhead): `self_attn`, `linear1`, `linear2`, `norm1`, `norm2`. */
export class TransformerEncoderLayer extends TransformerLayerBase {
  self_attn: MultiheadAttention;
  norm1: LayerNorm;
  norm2: LayerNorm;

  constructor(dModel: number, nhead: number, opts: TransformerLayerOptions = {}) {
    super(dModel, opts);
    const eps = opts.layerNormEps ?? 1e-5;
    this.self_attn = new MultiheadAttention(dModel, nhead, { batchFirst: this.batchFirst });
    this.norm1 = new LayerNorm(dModel, eps);
    this.norm2 = new LayerNorm(dModel, eps);
  }

  /** forward(src, { mask, srcKeyPaddingMask }) as PyTorch's forward(src, src_mask, src_key_padding_mask). */
  forward(src: Sym, masks: EncoderMasks = {}): Sym {
    const sa = (x: Sym): Sym => this.self_attn.forward(x, x, x, { attnMask: masks.mask, keyPaddingMask: masks.srcKeyPaddingMask, needWeights: false }).output;
    return this.residual(this.residual(src, this.norm1, sa), this.norm2, (x) => this.feedForward(x));
  }
}

/**
 * nn.TransformerDecoderLayer(d_model, nhead): self-attention (`self_attn`), cross-attention over
 * the memory (`multihead_attn`), feed-forward (`linear1`, `linear2`), `norm1`..`norm3`.
 */
export class TransformerDecoderLayer extends TransformerLayerBase {
  self_attn: MultiheadAttention;
  multihead_attn: MultiheadAttention;
  norm1: LayerNorm;
  norm2: LayerNorm;
  norm3: LayerNorm;

  constructor(dModel: number, nhead: number, opts: TransformerLayerOptions = {}) {
    super(dModel, opts);
    const eps = opts.layerNormEps ?? 1e-5;
    this.self_attn = new MultiheadAttention(dModel, nhead, { batchFirst: this.batchFirst });
    this.multihead_attn = new MultiheadAttention(dModel, nhead, { batchFirst: this.batchFirst });
    this.norm1 = new LayerNorm(dModel, eps);
    this.norm2 = new LayerNorm(dModel, eps);
    this.norm3 = new LayerNorm(dModel, eps);
  }

  /** forward(tgt, memory, masks) as PyTorch's forward(tgt, memory, tgt_mask, memory_mask, ...). */
  forward(tgt: Sym, memory: Sym, masks: DecoderMasks = {}): Sym {
    const sa = (x: Sym): Sym =>
      this.self_attn.forward(x, x, x, { attnMask: masks.tgtMask, isCausal: masks.tgtIsCausal, keyPaddingMask: masks.tgtKeyPaddingMask, needWeights: false }).output;
    const ca = (x: Sym): Sym =>
      this.multihead_attn.forward(x, memory, memory, { attnMask: masks.memoryMask, keyPaddingMask: masks.memoryKeyPaddingMask, needWeights: false }).output;
    const x = this.residual(this.residual(tgt, this.norm1, sa), this.norm2, ca);
    return this.residual(x, this.norm3, (y) => this.feedForward(y));
  }
}

/** nn.TransformerEncoder(layer, num_layers, norm): `layers.0`, `layers.1`, ..., then `norm` if given. */
export class TransformerEncoder extends Module {
  layers: TransformerEncoderLayer[];
  norm?: LayerNorm;
  constructor(makeLayer: () => TransformerEncoderLayer, numLayers: number, norm?: LayerNorm) {
    super();
    this.layers = Array.from({ length: numLayers }, makeLayer);
    if (norm) this.norm = norm;
  }
  /** forward(src, { mask, srcKeyPaddingMask }): every layer with the same masks, then the norm. */
  forward(src: Sym, masks: EncoderMasks = {}): Sym {
    const x = this.layers.reduce((h, layer) => layer.forward(h, masks), src);
    return this.norm ? this.norm.forward(x) : x;
  }
}

/** nn.TransformerDecoder(layer, num_layers, norm): `layers.0`, ..., then `norm` if given. */
export class TransformerDecoder extends Module {
  layers: TransformerDecoderLayer[];
  norm?: LayerNorm;
  constructor(makeLayer: () => TransformerDecoderLayer, numLayers: number, norm?: LayerNorm) {
    super();
    this.layers = Array.from({ length: numLayers }, makeLayer);
    if (norm) this.norm = norm;
  }
  /** forward(tgt, memory, masks): every layer with the same masks, then the norm. */
  forward(tgt: Sym, memory: Sym, masks: DecoderMasks = {}): Sym {
    const x = this.layers.reduce((h, layer) => layer.forward(h, memory, masks), tgt);
    return this.norm ? this.norm.forward(x) : x;
  }
}

/** Options of nn.Transformer, as PyTorch names them. */
export interface TransformerOptions extends TransformerLayerOptions {
  readonly dModel?: number;
  readonly nhead?: number;
  readonly numEncoderLayers?: number;
  readonly numDecoderLayers?: number;
}

/** The masks of nn.Transformer.forward, as PyTorch names them. */
export interface TransformerMasks extends DecoderMasks {
  readonly srcMask?: Sym;
  readonly srcKeyPaddingMask?: Sym;
}

/**
 * nn.Transformer: `encoder` (layers + final `norm`) and `decoder` (layers + final `norm`), PyTorch's
 * defaults (d_model 512, nhead 8, 6 + 6 layers, feed-forward 2048, relu, post-norm, seq first).
 */
export class Transformer extends Module {
  encoder: TransformerEncoder;
  decoder: TransformerDecoder;
  readonly dModel: number;

  constructor(opts: TransformerOptions = {}) {
    super();
    const [d, h] = [opts.dModel ?? 512, opts.nhead ?? 8];
    const eps = opts.layerNormEps ?? 1e-5;
    this.dModel = d;
    this.encoder = new TransformerEncoder(() => new TransformerEncoderLayer(d, h, opts), opts.numEncoderLayers ?? 6, new LayerNorm(d, eps));
    this.decoder = new TransformerDecoder(() => new TransformerDecoderLayer(d, h, opts), opts.numDecoderLayers ?? 6, new LayerNorm(d, eps));
  }

  /**
   * nn.Transformer.generate_square_subsequent_mask(n): the constant f32 [n, n] mask, 0 on and
   * below the diagonal, -inf above. At -O2 attention with it becomes the causal flag.
   */
  static generateSquareSubsequentMask(g: GraphBuilder, n: number): Sym {
    return causalMask(g, n, n);
  }

  /** forward(src, tgt, masks) -> decoder(tgt, encoder(src)), as PyTorch's forward. */
  forward(src: Sym, tgt: Sym, masks: TransformerMasks = {}): Sym {
    const memory = this.encoder.forward(src, { mask: masks.srcMask, srcKeyPaddingMask: masks.srcKeyPaddingMask });
    return this.decoder.forward(tgt, memory, masks);
  }
}
