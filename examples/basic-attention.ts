// Seed 001: BasicAttention — encoder-decoder attention with bmm: weights = softmax(enc · dec),
// context = weights · enc. (Its `attention` Linear is built but unused, as in the seed.)
import { F, graph, nn, type Sym } from '../src/index.ts';

class BasicAttention extends nn.Module {
  attention: nn.Linear;
  constructor(hiddenSize: number) {
    super();
    this.attention = new nn.Linear(hiddenSize, hiddenSize);
  }
  forward(encoderOutputs: Sym, decoderHidden: Sym) {
    const scores = F.bmm(encoderOutputs, decoderHidden.unsqueeze(2)).squeeze(2);
    const attn_weights = scores.softmax(1);
    const context = F.bmm(attn_weights.unsqueeze(1), encoderOutputs).squeeze(1);
    return { context, attn_weights };
  }
}

export default () =>
  graph('basic_attention', (g) => {
    const model = new BasicAttention(5);
    const out = model.forward(g.input('encoder_outputs', [2, 7, 5]), g.input('decoder_hidden', [2, 5]));
    // The unused Linear still belongs to the model's state_dict, as in PyTorch.
    model.attention.weight.in(g);
    model.attention.bias!.in(g);
    return out;
  });

/** The PyTorch fixture (test/fixtures/) this example reproduces. */
export const FIXTURE = 'seed001_basic_attention';
