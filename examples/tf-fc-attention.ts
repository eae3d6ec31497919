// Seed 000 (TensorFlow): fully_connected_attention(q, k, v) = softmax(q k^T) v — no scale —
// on the seed's rank-2 constants [[1,2,3]], [[4,5,6]], [[7,8,9]].
import { F, graph } from '../src/index.ts';

/** The seed's function on [nq, d], [nk, d], [nk, dv] inputs. */
export function fcAttention(nq: number, nk: number, d: number, dv: number, name = 'tf_fc_attention') {
  return graph(name, (g) => {
    const [query, key, value] = [g.input('query', [nq, d]), g.input('key', [nk, d]), g.input('value', [nk, dv])];
    const score = F.matmul(query, key, { transB: true });
    return score.softmax(-1).matmul(value);
  });
}

export default () => fcAttention(1, 1, 3, 3);

/** The PyTorch fixture (test/fixtures/) this example reproduces. */
export const FIXTURE = 'seed000_tf_fc_attention';
