// Basic layers with PyTorch semantics, defaults and state_dict names: Linear, Embedding, LayerNorm; Keras Dense.
import { isIndex } from '../../ir/types.ts';
import * as F from '../functional.ts';
import { normal, ones, uniform, zeros } from '../init.ts';
import type { Sym } from '../sym.ts';
import { Module, Parameter } from './module.ts';

/** nn.Linear(in, out): y = x W^T + b with W [out, in]; PyTorch's U(±1/sqrt(in)) initialisation. */
export class Linear extends Module {
  weight: Parameter;
  bias?: Parameter;
  constructor(readonly inFeatures: number, readonly outFeatures: number, opts: { bias?: boolean } = {}) {
    super();
    const bound = 1 / Math.sqrt(inFeatures);
    this.weight = new Parameter([outFeatures, inFeatures], uniform(bound));
    if (opts.bias ?? true) this.bias = new Parameter([outFeatures], uniform(bound));
  }
  forward(x: Sym): Sym {
    const g = x.builder;
    return this.scope(g, () => F.linear(x, this.weight.in(g), this.bias?.in(g)));
  }
}

/** Keras Dense(units) on inputs of width `inputDim`: y = x K + b with kernel K [in, out]. */
export class Dense extends Module {
  kernel: Parameter;
  bias: Parameter;
  constructor(readonly inputDim: number, readonly units: number) {
    super();
    const limit = Math.sqrt(6 / (inputDim + units)); // glorot_uniform, Keras' default
    this.kernel = new Parameter([inputDim, units], uniform(limit));
    this.bias = new Parameter([units], zeros);
  }
  forward(x: Sym): Sym {
    const g = x.builder;
    return this.scope(g, () => F.dense(x, this.kernel.in(g), this.bias.in(g)));
  }
}

/** nn.Embedding(num, dim): rows of a [num, dim] table at integer indices; N(0, 1) initialisation. */
export class Embedding extends Module {
  weight: Parameter;
  constructor(readonly numEmbeddings: number, readonly embeddingDim: number) {
    super();
    this.weight = new Parameter([numEmbeddings, embeddingDim], normal);
  }
  forward(indices: Sym): Sym {
    if (!isIndex(indices.dtype)) indices.builder.fail(`Embedding expects i32 or i64 indices, got ${indices}`);
    const g = indices.builder;
    return this.scope(g, () => F.embedding(indices, this.weight.in(g)));
  }
}

/** nn.LayerNorm(normalizedShape, eps): affine weight (ones) and bias (zeros). */
export class LayerNorm extends Module {
  weight: Parameter;
  bias: Parameter;
  readonly normalizedShape: readonly number[];
  constructor(normalizedShape: number | readonly number[], readonly eps = 1e-5) {
    super();
    this.normalizedShape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    this.weight = new Parameter(this.normalizedShape, ones);
    this.bias = new Parameter(this.normalizedShape, zeros);
  }
  forward(x: Sym): Sym {
    const g = x.builder;
    return this.scope(g, () => F.layerNorm(x, this.normalizedShape.length, this.weight.in(g), this.bias.in(g), this.eps));
  }
}
