// Seed 001, "基于RNN实现": an nn.RNN(4, 4) over the one-hot "hello" (seq, batch, input) learns
// "ohlol", cross-entropy over the 5 steps' outputs, Adam at lr 0.5.
import { F, type Sym, adam, graph, nn, type TrainingExample } from '../src/index.ts';
import { X_DATA, Y_DATA, indices, oneHotInputs, predictString } from './lib/hello.ts';

class Model extends nn.Module {
  rnn = new nn.RNN(4, 4);
  forward(input: Sym): Sym {
    const { output } = this.rnn.forward(input);
    return output.view(-1, 4);
  }
}

export default () =>
  graph('train_rnn', (g) => {
    const outputs = new Model().forward(g.input('inputs', [X_DATA.length, 1, 4]));
    return { loss: F.crossEntropy(outputs, g.input('labels', [Y_DATA.length], 'i64')), outputs };
  });

/** How `opgraph train` and the tests train it. */
export const TRAINING: TrainingExample = {
  loss: 'loss',
  optimizer: adam({ lr: 0.5 }),
  batch: () => ({ inputs: oneHotInputs(), labels: indices(Y_DATA, [Y_DATA.length]) }),
  predict: (outputs) => predictString(outputs.outputs!),
  epochs: 15,
  fixture: 'rnn',
};
