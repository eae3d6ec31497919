// PyTorch's nn.TransformerDecoderLayer(16, 4, dim_feedforward 32, gelu, batch_first, norm_first):
// causal self-attention (generateSquareSubsequentMask, the causal flag at -O2), cross-attention
// over a memory with a key padding mask, then the feed-forward block; pre-norm residuals.
import { graph, nn } from '../src/index.ts';

export default () =>
  graph('torch_decoder_layer', (g) => {
    const tgt = g.input('tgt', [2, 5, 16]);
    const memory = g.input('memory', [2, 6, 16]);
    const memoryKeyPaddingMask = g.input('memory_key_padding_mask', [2, 6], 'bool');
    const layer = new nn.TransformerDecoderLayer(16, 4, { dimFeedforward: 32, activation: 'gelu', batchFirst: true, normFirst: true });
    return layer.forward(tgt, memory, { tgtMask: nn.Transformer.generateSquareSubsequentMask(g, 5), memoryKeyPaddingMask });
  });

/** The PyTorch fixture (test/fixtures/) this example reproduces. */
export const FIXTURE = 'torch_decoder_layer';
