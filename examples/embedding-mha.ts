// Seed 003: nn.Embedding(6, 512) over a 10-token sentence, then an 8-head, 512-d
// MultiHeadAttention(embed_dim, num_heads) with layers query/key/value/out.
import { graph, nn, type Sym } from '../src/index.ts';

class MultiHeadAttention extends nn.Module {
  readonly headDim: number;
  query: nn.Linear;
  key: nn.Linear;
  value: nn.Linear;
  out: nn.Linear;
  constructor(readonly embedDim: number, readonly numHeads: number) {
    super();
    this.headDim = embedDim / numHeads;
    this.query = new nn.Linear(embedDim, embedDim);
    this.key = new nn.Linear(embedDim, embedDim);
    this.value = new nn.Linear(embedDim, embedDim);
    this.out = new nn.Linear(embedDim, embedDim);
  }
  forward(X: Sym): Sym {
    const [batch, seq, embed] = X.shape as [number, number, number];
    const heads = (s: Sym) => s.view(batch, seq, this.numHeads, this.headDim).transpose(1, 2);
    const q = heads(this.query.forward(X));
    const k = heads(this.key.forward(X));
    const v = heads(this.value.forward(X));
    const scores = q.matmul(k.transpose(-2, -1)).div(this.headDim ** 0.5);
    const attn = scores.softmax(-1).matmul(v);
    return this.out.forward(attn.transpose(1, 2).contiguous().view(batch, seq, embed));
  }
}

/** Embedding then attention, as the seed wires them (`attention_layer(embedded.unsqueeze(0))`). */
class EmbeddingAttention extends nn.Module {
  embedding: nn.Embedding;
  attention: MultiHeadAttention;
  constructor(vocab: number, dim: number, heads: number) {
    super();
    this.embedding = new nn.Embedding(vocab, dim);
    this.attention = new MultiHeadAttention(dim, heads);
  }
  forward(tokens: Sym): Sym {
    return this.attention.forward(this.embedding.forward(tokens).unsqueeze(0));
  }
}

/** vocab 6, 512-d, 8 heads, 10 token ids (i64). */
export default () =>
  graph('embedding_mha', (g) => new EmbeddingAttention(6, 512, 8).forward(g.input('tokens', [10], 'i64')));

/** The PyTorch fixture (test/fixtures/) this example reproduces. */
export const FIXTURE = 'seed003_embed_mha';
