// Seed 000: SelfAttention with ONE shared nn.Linear computing query, key and value.
//   query = key = value = self.linear(x); softmax(q k^T / sqrt(d)) v
import { graph, nn, type Sym } from '../src/index.ts';

class SelfAttention extends nn.Module {
  linear: nn.Linear;
  constructor(dModel: number) {
    super();
    this.linear = new nn.Linear(dModel, dModel);
  }
  forward(x: Sym): Sym {
    const query = this.linear.forward(x);
    const key = this.linear.forward(x);
    const value = this.linear.forward(x);
    let weight = query.matmul(key.transpose(-2, -1));
    weight = weight.div(query.size(-1) ** 0.5);
    weight = weight.softmax(-1);
    return weight.matmul(value);
  }
}

/** The seed's usage: d_model 4, x of shape [2, 3, 4]. */
export default () =>
  graph('self_attention', (g) => new SelfAttention(4).forward(g.input('x', [2, 3, 4])));

/** The PyTorch fixture (test/fixtures/) this example reproduces. */
export const FIXTURE = 'seed000_self_attention_shared';
