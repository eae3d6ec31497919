// PyTorch's nn.TransformerDecoder: two post-norm relu TransformerDecoderLayer(16, 4, 32) and a final
// LayerNorm, seq first, with the subsequent mask and a target key padding mask. The first target
// token is never padding (a sequence has one), so no query row is fully masked: with the causal
// mask, padding key 0 would leave query 0 nothing to attend to (NaN in PyTorch too).
import { F, graph, nn, tensor } from '../src/index.ts';

export default () =>
  graph('torch_decoder', (g) => {
    const tgt = g.input('tgt', [5, 2, 16]);
    const memory = g.input('memory', [6, 2, 16]);
    const padding = g.input('tgt_key_padding_mask', [2, 5], 'bool');
    const tgtKeyPaddingMask = F.logicalAnd(padding, g.constant(tensor('bool', [1, 5], [0, 1, 1, 1, 1])));
    const decoder = new nn.TransformerDecoder(() => new nn.TransformerDecoderLayer(16, 4, { dimFeedforward: 32 }), 2, new nn.LayerNorm(16));
    return decoder.forward(tgt, memory, { tgtMask: nn.Transformer.generateSquareSubsequentMask(g, 5), tgtKeyPaddingMask });
  });

/** The PyTorch fixture (test/fixtures/) this example reproduces. */
export const FIXTURE = 'torch_decoder';
