// Seed 001: the "hello" model — Embedding(4, 10), a 2-layer batch-first RNN(10, 8), Linear(8, 4),
// flattened to (batch * seq, num_class) logits.
import { graph, nn, type Sym } from '../src/index.ts';

const [numClass, embeddingSize, hiddenSize, numLayers] = [4, 10, 8, 2];

/** The seed's model (also trained by train-embed-rnn.ts). */
export class EmbedRnnModel extends nn.Module {
  emb = new nn.Embedding(numClass, embeddingSize);
  rnn = new nn.RNN(embeddingSize, hiddenSize, { numLayers, batchFirst: true });
  fc = new nn.Linear(hiddenSize, numClass);
  forward(x: Sym): Sym {
    const { output } = this.rnn.forward(this.emb.forward(x));
    return this.fc.forward(output).view(-1, numClass);
  }
}

/** One sequence of 5 token ids ("hello" as indices). */
export default () => graph('rnn_embed_linear', (g) => new EmbedRnnModel().forward(g.input('x', [1, 5], 'i64')));

/** The PyTorch fixture (test/fixtures/) this example reproduces. */
export const FIXTURE = 'seed001_rnn_embed_linear';
