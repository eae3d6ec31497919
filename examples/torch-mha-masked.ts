// PyTorch's nn.MultiheadAttention(8, 2) as cross-attention over a memory, with PyTorch 1.13's masks
// (bool true = may NOT attend): a key padding mask with a bool attention mask (weights averaged over
// heads), then with an added f32 attention mask and per-head weights.
import { graph, nn } from '../src/index.ts';

export default () =>
  graph('torch_mha_masked', (g) => {
    const query = g.input('query', [4, 2, 8]);
    const memory = g.input('memory', [5, 2, 8]);
    const keyPaddingMask = g.input('key_padding_mask', [2, 5], 'bool');
    const attnMask = g.input('attn_mask', [4, 5], 'bool');
    const attnBias = g.input('attn_bias', [4, 5]);
    const mha = new nn.MultiheadAttention(8, 2);
    const a = mha.forward(query, memory, memory, { keyPaddingMask, attnMask });
    const b = mha.forward(query, memory, memory, { keyPaddingMask, attnMask: attnBias, averageAttnWeights: false });
    return { output: a.output, weights: a.weights, output_float_mask: b.output, weights_per_head: b.weights };
  });

/** The PyTorch fixture (test/fixtures/) this example reproduces. */
export const FIXTURE = 'torch_mha_masked';
