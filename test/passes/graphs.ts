// Hand-built graphs shared by several pass tests.
import { IRBuilder } from '../../src/ir/builder.ts';
import type { Graph, ValueId } from '../../src/ir/graph.ts';
import { f32 } from '../../src/ir/tensor.ts';
import { tensorType } from '../../src/ir/types.ts';
import { weightData } from './harness.ts';

/**
 * Self-attention with 2 heads of size 2 on x: f32[1,3,4]: Q, K and V are nn.Linear projections of
 * x (gemm, transB, bias), split into heads by view + transpose, scaled by 1/sqrt(2), and merged
 * back by transpose + view.
 */
export function selfAttention2Heads(): Graph {
  const b = new IRBuilder('self_attention_2h');
  const x = b.input('x', tensorType('f32', [1, 3, 4])).id;
  const one = (op: 'reshape' | 'transpose', attrs: object, v: ValueId): ValueId => b.node(op, attrs as never, [v])[0]!.id;
  const linear = (name: string, seed: number): ValueId => {
    const w = b.weight(`${name}.weight`, tensorType('f32', [4, 4]), weightData([4, 4], seed)).id;
    const bias = b.weight(`${name}.bias`, tensorType('f32', [4]), weightData([4], seed + 1)).id;
    return b.node('gemm', { transA: false, transB: true, alpha: 1, beta: 1 }, [x, w, bias], name)[0]!.id;
  };
  const heads = (v: ValueId): ValueId => one('transpose', { perm: [0, 2, 1, 3] }, one('reshape', { shape: [1, 3, 2, 2] }, v));
  const [q, k, v] = [heads(linear('q', 10)), heads(linear('k', 20)), heads(linear('v', 30))];
  const scale = b.node('constant', { value: f32([], [Math.SQRT1_2]) }, [])[0]!.id;
  const scores = b.node('mul', {}, [b.node('matmul', { transA: false, transB: false }, [q, one('transpose', { perm: [0, 1, 3, 2] }, k)])[0]!.id, scale])[0]!.id;
  const y = b.node('matmul', { transA: false, transB: false }, [b.node('softmax', { axis: -1 }, [scores])[0]!.id, v])[0]!.id;
  b.output('y', one('reshape', { shape: [1, 3, 4] }, one('transpose', { perm: [0, 2, 1, 3] }, y)));
  return b.finish();
}
