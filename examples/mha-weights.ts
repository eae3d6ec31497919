// Seed 001: MultiHeadAttention(input_size, hidden_size, num_heads): per-head size hidden_size,
// projections to hidden_size * num_heads, output fc back to hidden_size; returns the weights too.
import { graph, nn, type Sym } from '../src/index.ts';

class MultiHeadAttention extends nn.Module {
  query: nn.Linear;
  key: nn.Linear;
  value: nn.Linear;
  fc: nn.Linear;
  constructor(inputSize: number, readonly hiddenSize: number, readonly numHeads: number) {
    super();
    this.query = new nn.Linear(inputSize, hiddenSize * numHeads);
    this.key = new nn.Linear(inputSize, hiddenSize * numHeads);
    this.value = new nn.Linear(inputSize, hiddenSize * numHeads);
    this.fc = new nn.Linear(hiddenSize * numHeads, hiddenSize);
  }
  forward(x: Sym) {
    const b = x.size(0);
    const heads = (s: Sym) => s.view(b, -1, this.numHeads, this.hiddenSize).transpose(1, 2);
    const Q = heads(this.query.forward(x));
    const K = heads(this.key.forward(x));
    const V = heads(this.value.forward(x));
    const attention_weights = Q.matmul(K.transpose(-2, -1)).div(Math.sqrt(this.hiddenSize)).softmax(-1);
    const context = attention_weights.matmul(V).transpose(1, 2).contiguous().view(b, -1, this.hiddenSize * this.numHeads);
    return { output: this.fc.forward(context), attention_weights };
  }
}

/** input_size 4, hidden_size 6, 2 heads, x of shape [2, 5, 4]. */
export default () =>
  graph('mha_weights', (g) => new MultiHeadAttention(4, 6, 2).forward(g.input('x', [2, 5, 4])));

/** The PyTorch fixture (test/fixtures/) this example reproduces. */
export const FIXTURE = 'seed001_mha_weights';
