// Issue 15's reproduction as a model module: 2-head attention whose scores add a causal mask built
// with g.constant (the -O2 pipeline crashed on it with "value %undefined is not defined").
import { graph, tensor } from '../../src/index.ts';

export default () =>
  graph('mini', (g) => {
    const q = g.input('q', [1, 2, 4, 8]), k = g.input('k', [1, 2, 4, 8]), v = g.input('v', [1, 2, 4, 8]);
    const m = g.constant(tensor('f32', [4, 4], Array.from({ length: 16 }, (_, i) => (i % 4 > (i >> 2) ? -1e9 : 0))));
    return q.matmul(k.transpose(-2, -1)).div(Math.sqrt(8)).add(m).softmax(-1).matmul(v);
  });
