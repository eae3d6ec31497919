// nn.TransformerEncoderLayer(d_model, nhead) as PyTorch defines it: post-norm self-attention
// with packed in_proj weights, then a ReLU feed-forward block; (seq, batch, d_model) layout.
import { graph, nn } from '../src/index.ts';

/** Sizes of one encoder layer. */
export interface EncoderConfig {
  readonly seq: number;
  readonly batch: number;
  readonly dModel: number;
  readonly heads: number;
  readonly ff: number;
}

/** One encoder layer over `src` of shape [seq, batch, dModel]. */
export function encoderLayer({ seq, batch, dModel, heads, ff }: EncoderConfig, name = 'encoder_layer') {
  return graph(name, (g) => new nn.TransformerEncoderLayer(dModel, heads, { dimFeedforward: ff }).forward(g.input('src', [seq, batch, dModel])));
}

/** A small layer: 5 tokens, batch 2, d_model 16, 4 heads, feed-forward 32. */
export default () => encoderLayer({ seq: 5, batch: 2, dModel: 16, heads: 4, ff: 32 });

/** The PyTorch fixture (test/fixtures/) this example reproduces. */
export const FIXTURE = 'torch_encoder_layer';
