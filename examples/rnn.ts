// Seed 001: nn.RNN(input_size=4, hidden_size=2, num_layers=1, batch_first=True) on (batch, seq, input).
import { graph, nn } from '../src/index.ts';

export default () =>
  graph('rnn', (g) => {
    const { output, h_n } = new nn.RNN(4, 2, { batchFirst: true }).forward(g.input('inputs', [1, 3, 4]), g.input('hidden0', [1, 1, 2]));
    return { output, hidden: h_n };
  });

/** The PyTorch fixture (test/fixtures/) this example reproduces. */
export const FIXTURE = 'seed001_rnn';
