// PyTorch's nn.Transformer(d_model 16, nhead 4, 2 + 2 layers, feed-forward 32): encoder with a source
// key padding mask, decoder with the subsequent mask and the same padding over the memory.
import { graph, nn } from '../src/index.ts';

export default () =>
  graph('torch_transformer', (g) => {
    const src = g.input('src', [6, 2, 16]);
    const tgt = g.input('tgt', [5, 2, 16]);
    const pad = g.input('src_key_padding_mask', [2, 6], 'bool');
    const model = new nn.Transformer({ dModel: 16, nhead: 4, numEncoderLayers: 2, numDecoderLayers: 2, dimFeedforward: 32 });
    return model.forward(src, tgt, { tgtMask: nn.Transformer.generateSquareSubsequentMask(g, 5), srcKeyPaddingMask: pad, memoryKeyPaddingMask: pad });
  });

/** The PyTorch fixture (test/fixtures/) this example reproduces. */
export const FIXTURE = 'torch_transformer';
