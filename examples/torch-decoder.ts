// PyTorch's nn.TransformerDecoder: two post-norm relu TransformerDecoderLayer(16, 4, 32) and a final
// LayerNorm, seq first, with the subsequent mask and a target key padding mask.
import { graph, nn } from '../src/index.ts';

export default () =>
  graph('torch_decoder', (g) => {
    const tgt = g.input('tgt', [5, 2, 16]);
    const memory = g.input('memory', [6, 2, 16]);
    const tgtKeyPaddingMask = g.input('tgt_key_padding_mask', [2, 5], 'bool');
    const decoder = new nn.TransformerDecoder(() => new nn.TransformerDecoderLayer(16, 4, { dimFeedforward: 32 }), 2, new nn.LayerNorm(16));
    return decoder.forward(tgt, memory, { tgtMask: nn.Transformer.generateSquareSubsequentMask(g, 5), tgtKeyPaddingMask });
  });

/** The PyTorch fixture (test/fixtures/) this example reproduces. */
export const FIXTURE = 'torch_decoder';
