// Seed 000 (Keras): MultiHeadAttention with Dense layers (kernel [in, out]) and split_heads
// (reshape to (batch, -1, heads, depth), transpose perm [0, 2, 1, 3]); scores / sqrt(depth).
import { graph, nn, type Sym } from '../src/index.ts';

class MultiHeadAttention extends nn.Module {
  readonly depth: number;
  query_dense: nn.Dense;
  key_dense: nn.Dense;
  value_dense: nn.Dense;
  output_dense: nn.Dense;
  constructor(readonly numHeads: number, readonly dModel: number, inputDim: number) {
    super();
    this.depth = dModel / numHeads;
    this.query_dense = new nn.Dense(inputDim, dModel);
    this.key_dense = new nn.Dense(inputDim, dModel);
    this.value_dense = new nn.Dense(inputDim, dModel);
    this.output_dense = new nn.Dense(dModel, dModel);
  }
  splitHeads(x: Sym, batch: number): Sym {
    return x.reshape(batch, -1, this.numHeads, this.depth).permute(0, 2, 1, 3);
  }
  forward(query: Sym, key: Sym, value: Sym): Sym {
    const batch = query.size(0);
    const q = this.splitHeads(this.query_dense.forward(query), batch);
    const k = this.splitHeads(this.key_dense.forward(key), batch);
    const v = this.splitHeads(this.value_dense.forward(value), batch);
    const weights = q.matmul(k.transpose(-2, -1)).div(Math.fround(Math.sqrt(this.depth))).softmax(-1);
    const out = weights.matmul(v).permute(0, 2, 1, 3).reshape(batch, -1, this.dModel);
    return this.output_dense.forward(out);
  }
}

/** The layer with 2 heads and d_model 6 on query/key/value of `shape` (last dim = input width). */
export function kerasMha(shape: number[], name = 'keras_mha') {
  return graph(name, (g) => {
    const [q, k, v] = ['query', 'key', 'value'].map((n) => g.input(n, shape));
    return new MultiHeadAttention(2, 6, shape.at(-1)!).forward(q!, k!, v!);
  });
}

export default () => kerasMha([1, 3, 6]);

/** The PyTorch fixture (test/fixtures/) this example reproduces. */
export const FIXTURE = 'seed000_keras_mha';
