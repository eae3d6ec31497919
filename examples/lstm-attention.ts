// Seed 001: AttentionModel — an LSTM, then attention weights softmax(Linear(out), dim=1) and
// bmm(weights^T, out), exactly as written (with seq-first data, dim=1 is the batch axis).
import { F, graph, nn, type Sym } from '../src/index.ts';

class AttentionModel extends nn.Module {
  lstm: nn.LSTM;
  attention: nn.Linear;
  constructor(inputSize: number, readonly hiddenSize: number, numLayers = 1) {
    super();
    this.lstm = new nn.LSTM(inputSize, hiddenSize, { numLayers });
    this.attention = new nn.Linear(hiddenSize, hiddenSize);
  }
  forward(input: Sym): Sym {
    const { output } = this.lstm.forward(input);
    const attnWeights = this.attention.forward(output).softmax(1);
    return F.bmm(attnWeights.transpose(1, 2), output).view(-1, this.hiddenSize);
  }
}

export default () => graph('lstm_attention', (g) => new AttentionModel(4, 3).forward(g.input('input', [5, 2, 4])));

/** The PyTorch fixture (test/fixtures/) this example reproduces. */
export const FIXTURE = 'seed001_lstm_attention';
