// Seed 001, the embedding model: Embedding(4, 10), a 2-layer batch-first RNN(10, 8) and
// Linear(8, 4) (the model of rnn-embed-linear.ts) learn "hello" -> "ohlol" from token ids,
// cross-entropy, Adam at lr 0.05.
import { F, adam, graph, type TrainingExample } from '../src/index.ts';
import { EmbedRnnModel } from './rnn-embed-linear.ts';
import { X_DATA, Y_DATA, indices, predictString } from './lib/hello.ts';

export default () =>
  graph('train_embed_rnn', (g) => {
    const outputs = new EmbedRnnModel().forward(g.input('x', [1, X_DATA.length], 'i64'));
    return { loss: F.crossEntropy(outputs, g.input('labels', [Y_DATA.length], 'i64')), outputs };
  });

/** How `opgraph train` and the tests train it. */
export const TRAINING: TrainingExample = {
  loss: 'loss',
  optimizer: adam({ lr: 0.05 }),
  batch: () => ({ x: indices(X_DATA, [1, X_DATA.length]), labels: indices(Y_DATA, [Y_DATA.length]) }),
  predict: (outputs) => predictString(outputs.outputs!),
  epochs: 15,
  fixture: 'embed_rnn',
};
