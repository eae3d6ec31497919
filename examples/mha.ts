// Seed 000: MultiHeadAttention(num_heads, d_model) on separate query, key and value inputs.
import { graph, nn } from '../src/index.ts';

/** Sizes of one MHA instance. */
export interface MhaConfig {
  readonly batch: number;
  readonly seq: number;
  readonly dModel: number;
  readonly heads: number;
}

/** The seed MHA as a graph with inputs `query`, `key`, `value` of shape [batch, seq, dModel]. */
export function seedMha({ batch, seq, dModel, heads }: MhaConfig, name = 'mha') {
  return graph(name, (g) => {
    const mha = new nn.MultiHeadAttention(heads, dModel);
    const query = g.input('query', [batch, seq, dModel]);
    const key = g.input('key', [batch, seq, dModel]);
    const value = g.input('value', [batch, seq, dModel]);
    return mha.forward(query, key, value);
  });
}

/** The seed MHA used as self-attention: one input `x` is the query, the key and the value. */
export function seedSelfMha({ batch, seq, dModel, heads }: MhaConfig, name = 'mha_self') {
  return graph(name, (g) => {
    const x = g.input('x', [batch, seq, dModel]);
    return new nn.MultiHeadAttention(heads, dModel).forward(x, x, x);
  });
}

/** The tiny configuration: 2 heads, d_model 6, a batch of one 3-token sequence. */
export default () => seedMha({ batch: 1, seq: 3, dModel: 6, heads: 2 });

/** The PyTorch fixture (test/fixtures/) this example reproduces. */
export const FIXTURE = 'seed000_mha_qkv_h2_d6';
