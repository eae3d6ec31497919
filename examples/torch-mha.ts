// PyTorch's nn.MultiheadAttention(embed_dim=8, num_heads=2) used as self-attention,
// mha(x, x, x) on (seq, batch, embed) input; returns the output and the head-averaged weights.
import { graph, nn } from '../src/index.ts';

export default () =>
  graph('torch_mha', (g) => {
    const x = g.input('x', [5, 2, 8]);
    const { output, weights } = new nn.MultiheadAttention(8, 2).forward(x, x, x);
    return { output, weights };
  });

/** The PyTorch fixture (test/fixtures/) this example reproduces. */
export const FIXTURE = 'torch_mha_self';
