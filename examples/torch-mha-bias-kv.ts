// PyTorch's nn.MultiheadAttention(8, 2, add_bias_kv=True, add_zero_attn=True) as self-attention on
// (seq, batch, embed) input: the learned bias_k/bias_v position and a zero position are appended to
// every sequence of keys and values, so each query also attends to them. Output only.
import { graph, nn } from '../src/index.ts';

export default () =>
  graph('torch_mha_bias_kv', (g) => {
    const x = g.input('x', [4, 2, 8]);
    const mha = new nn.MultiheadAttention(8, 2, { addBiasKv: true, addZeroAttn: true });
    return { output: mha.forward(x, x, x, { needWeights: false }).output };
  });

/** The PyTorch fixture (test/fixtures/) this example reproduces. */
export const FIXTURE = 'torch_mha_bias_kv';
