// Seed 001, "基于RNNCell实现": an nn.RNNCell(4, 4) learns "hello" -> "ohlol", the cross-entropy of
// each step's hidden state summed over the 5 steps, Adam at lr 0.01.
import { F, type Sym, adam, graph, nn, tensor, type TrainingExample } from '../src/index.ts';
import { X_DATA, Y_DATA, indices, oneHotInputs, predictString } from './lib/hello.ts';

class Model extends nn.Module {
  rnncell = new nn.RNNCell(4, 4);
  forward(input: Sym, hidden: Sym): Sym {
    return this.rnncell.forward(input, hidden);
  }
}

export default () =>
  graph('train_rnncell', (g) => {
    const model = new Model();
    const inputs = g.input('inputs', [X_DATA.length, 1, 4]);
    const labels = g.input('labels', [Y_DATA.length, 1], 'i64');
    let hidden = g.constant(tensor('f32', [1, 4]));
    let loss: Sym | undefined;
    const hiddens: Sym[] = [];
    for (let t = 0; t < X_DATA.length; t++) {
      hidden = model.forward(inputs.select(0, t), hidden);
      const step = F.crossEntropy(hidden, labels.select(0, t));
      loss = loss ? loss.add(step) : step;
      hiddens.push(hidden);
    }
    return { loss: loss!, hidden: F.concat(hiddens, 0) };
  });

/** How `opgraph train` and the tests train it. */
export const TRAINING: TrainingExample = {
  loss: 'loss',
  optimizer: adam({ lr: 0.01 }),
  batch: () => ({ inputs: oneHotInputs(), labels: indices(Y_DATA, [Y_DATA.length, 1]) }),
  predict: (outputs) => predictString(outputs.hidden!),
  epochs: 15,
  fixture: 'rnncell',
};
