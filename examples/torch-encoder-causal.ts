// PyTorch's nn.TransformerEncoder: two post-norm relu TransformerEncoderLayer(16, 4, 32) and a final
// LayerNorm, seq first, with the subsequent (causal) mask and a key padding mask. Its ONNX export
// (test/fixtures/torch_encoder_causal.onnx, seq and batch dynamic) builds the mask with Trilu.
import { graph, nn } from '../src/index.ts';

export default () =>
  graph('torch_encoder_causal', (g) => {
    const src = g.input('src', [5, 2, 16]);
    const srcKeyPaddingMask = g.input('src_key_padding_mask', [2, 5], 'bool');
    const encoder = new nn.TransformerEncoder(() => new nn.TransformerEncoderLayer(16, 4, { dimFeedforward: 32 }), 2, new nn.LayerNorm(16));
    return encoder.forward(src, { mask: nn.Transformer.generateSquareSubsequentMask(g, 5), srcKeyPaddingMask });
  });

/** The PyTorch fixture (test/fixtures/) this example reproduces. */
export const FIXTURE = 'torch_encoder_causal';
