// Seed 004: MultiHeadSelfAttention(dim_in, d_model, num_heads) with dim_in != d_model,
// scale 1/sqrt(d_model / num_heads) applied as a multiplication, output fc.
import { graph, nn, type Sym } from '../src/index.ts';

class MultiHeadSelfAttention extends nn.Module {
  linear_q: nn.Linear;
  linear_k: nn.Linear;
  linear_v: nn.Linear;
  fc: nn.Linear;
  readonly scale: number;
  constructor(readonly dimIn: number, readonly dModel: number, readonly numHeads = 3) {
    super();
    this.linear_q = new nn.Linear(dimIn, dModel);
    this.linear_k = new nn.Linear(dimIn, dModel);
    this.linear_v = new nn.Linear(dimIn, dModel);
    this.scale = 1 / Math.sqrt(Math.floor(dModel / numHeads));
    this.fc = new nn.Linear(dModel, dModel);
  }
  forward(x: Sym): Sym {
    const [batch, n] = [x.size(0), x.size(1)];
    const nh = this.numHeads;
    const dk = Math.floor(this.dModel / nh);
    const q = this.linear_q.forward(x).reshape(batch, n, nh, dk).transpose(1, 2);
    const k = this.linear_k.forward(x).reshape(batch, n, nh, dk).transpose(1, 2);
    const v = this.linear_v.forward(x).reshape(batch, n, nh, dk).transpose(1, 2);
    const dist = q.matmul(k.transpose(2, 3)).mul(this.scale).softmax(-1);
    const att = dist.matmul(v).transpose(1, 2).reshape(batch, n, this.dModel);
    return this.fc.forward(att);
  }
}

/** The seed's usage: x = torch.rand((1, 4, 2)), MultiHeadSelfAttention(2, 6, 3). */
export default () =>
  graph('mhsa_dim_in', (g) => new MultiHeadSelfAttention(2, 6, 3).forward(g.input('x', [1, 4, 2])));

/** The PyTorch fixture (test/fixtures/) this example reproduces. */
export const FIXTURE = 'seed004_mhsa';
