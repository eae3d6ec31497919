// Seed 001: TransformerEncoder(input_size, hidden_size, num_heads, num_layers) — an nn.Linear
// `embedding`, then nn.TransformerEncoderLayer(hidden_size, num_heads) layers (PyTorch defaults:
// feed-forward 2048, ReLU, post-norm) applied in turn to (seq, batch, input) data.
import { graph, nn, type Sym } from '../src/index.ts';

class TransformerEncoder extends nn.Module {
  layers: nn.TransformerEncoderLayer[];
  embedding: nn.Linear;
  constructor(inputSize: number, hiddenSize: number, numHeads: number, numLayers: number) {
    super();
    this.layers = Array.from({ length: numLayers }, () => new nn.TransformerEncoderLayer(hiddenSize, numHeads));
    this.embedding = new nn.Linear(inputSize, hiddenSize);
  }
  forward(src: Sym): Sym {
    let x = this.embedding.forward(src);
    for (const layer of this.layers) x = layer.forward(x);
    return x;
  }
}

/** input 4, hidden 8, 2 heads, 2 layers, src of shape [5, 2, 4]. */
export default () => graph('transformer_encoder', (g) => new TransformerEncoder(4, 8, 2, 2).forward(g.input('src', [5, 2, 4])));

/** The PyTorch fixture (test/fixtures/) this example reproduces. */
export const FIXTURE = 'seed001_transformer_encoder';
