// Seed 001: SelfAttention(input_size, hidden_size) with bmm and a scale of sqrt(hidden_size);
// returns the context and the attention weights.
import { F, graph, nn, type Sym } from '../src/index.ts';

class SelfAttention extends nn.Module {
  query: nn.Linear;
  key: nn.Linear;
  value: nn.Linear;
  constructor(inputSize: number, readonly hiddenSize: number) {
    super();
    this.query = new nn.Linear(inputSize, hiddenSize);
    this.key = new nn.Linear(inputSize, hiddenSize);
    this.value = new nn.Linear(inputSize, hiddenSize);
  }
  forward(x: Sym) {
    const Q = this.query.forward(x);
    const K = this.key.forward(x);
    const V = this.value.forward(x);
    const scale = Math.sqrt(this.hiddenSize);
    const attention_weights = F.bmm(Q, K.transpose(1, 2)).div(scale).softmax(-1);
    const context = F.bmm(attention_weights, V);
    return { context, attention_weights };
  }
}

/** input_size 4, hidden_size 6, x of shape [2, 5, 4]. */
export default () =>
  graph('self_attention_bmm', (g) => new SelfAttention(4, 6).forward(g.input('x', [2, 5, 4])));

/** The PyTorch fixture (test/fixtures/) this example reproduces. */
export const FIXTURE = 'seed001_self_attention_bmm';
