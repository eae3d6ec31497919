// Multi-head attention as the seeds write it: four Linears and the view/transpose head split.
import { ShapeError } from '../../errors.ts';
import { additiveMask } from '../attention.ts';
import * as F from '../functional.ts';
import type { Sym } from '../sym.ts';
import { Linear } from './layers.ts';
import { Module } from './module.ts';

/** Checks that `dim` (named `what`) splits into `heads` whole heads; a ShapeError otherwise. */
export function checkHeads(dim: number, heads: number, what: string): void {
  if (!Number.isInteger(heads) || heads <= 0 || !Number.isInteger(dim) || dim <= 0 || dim % heads !== 0) {
    throw new ShapeError(`${what} ${dim} is not a positive multiple of num_heads ${heads}`);
  }
}

/**
 * Scaled dot-product attention: softmax(q k^T / sqrt(d) + bias) v, over the last two dims, with
 * an optional mask in F.scaledDotProductAttention's convention (bool: true = may attend; f32:
 * added). Returns the output and the attention weights.
 */
export function scaledDotProductAttention(q: Sym, k: Sym, v: Sym, mask?: Sym): { output: Sym; weights: Sym } {
  const d = q.size(-1);
  const scores = q.matmul(k.transpose(-2, -1)).div(Math.sqrt(d));
  const weights = F.softmax(mask ? scores.add(additiveMask(mask, false)) : scores, -1);
  return { output: weights.matmul(v), weights };
}

/**
 * The seeds' MultiHeadAttention(num_heads, d_model): `query_linear`, `key_linear`,
 * `value_linear`, `output_linear`; heads split with `view(b, -1, h, d).transpose(1, 2)` and
 * merged with `transpose(1, 2).contiguous().view(b, -1, d_model)`.
 */
export class MultiHeadAttention extends Module {
  readonly depth: number;
  query_linear: Linear;
  key_linear: Linear;
  value_linear: Linear;
  output_linear: Linear;

  constructor(readonly numHeads: number, readonly dModel: number) {
    super();
    checkHeads(dModel, numHeads, 'd_model');
    this.depth = dModel / numHeads;
    this.query_linear = new Linear(dModel, dModel);
    this.key_linear = new Linear(dModel, dModel);
    this.value_linear = new Linear(dModel, dModel);
    this.output_linear = new Linear(dModel, dModel);
  }

  /**
   * The seeds' `forward(query, key, value)`, with an optional `mask` broadcast to
   * [batch, heads, Lq, Lk] (bool: true = may attend, as F.scaledDotProductAttention; f32: added).
   */
  forward(query: Sym, key: Sym, value: Sym, mask?: Sym): Sym {
    const b = query.size(0);
    const split = (x: Sym): Sym => x.view(b, -1, this.numHeads, this.depth).transpose(1, 2);
    const q = split(this.query_linear.forward(query));
    const k = split(this.key_linear.forward(key));
    const v = split(this.value_linear.forward(value));
    const { output } = this.scope(query.builder, () => scaledDotProductAttention(q, k, v, mask));
    const merged = output.transpose(1, 2).contiguous().view(b, -1, this.dModel);
    return this.output_linear.forward(merged);
  }
}
