// The arena scratch each TS kernel needs, in one place: the memory plan asks it for every node
// the TS kernels run (and the wasm target for the nodes it leaves to them). Imports only the
// kernels' size rules, not their emitters' tables.
import type { Node } from '../../../ir/graph.ts';
import type { TensorType } from '../../../ir/types.ts';
import { numel } from '../../../ir/types.ts';
import { attentionScratch } from './attention.ts';
import { recurrentScratch } from './recurrent.ts';
import { rnnGradScratch } from './recurrent-grad.ts';
import { gatedGradScratch } from './gated-grad.ts';
import { contractionScratch } from './contraction.ts';
import { convScratch } from './conv.ts';
import { convTransposeScratch } from './conv-transpose.ts';
import { poolScratch } from './pool.ts';

/**
 * f64 scratch elements the kernel of `n` needs: the attention tiles, or the packed B panel of a
 * blocked contraction tall enough to pack (the memory plan places it in the arena).
 */
export function scratchNeed(n: Node, inputs: readonly TensorType[], simple = false): number {
  if (n.op === 'attention') return attentionScratch(n.attrs);
  if (n.op === 'rnn' || n.op === 'lstm' || n.op === 'gru') return recurrentScratch(n, inputs);
  if (n.op === 'rnnGrad') return rnnGradScratch(n, inputs);
  if (n.op === 'lstmGrad' || n.op === 'gruGrad') return gatedGradScratch(n, inputs);
  if (n.op === 'conv') return convScratch(n, inputs, simple);
  if (n.op === 'convTranspose') return convTransposeScratch(n, inputs, simple);
  if (n.op === 'maxPool' || n.op === 'avgPool' || n.op === 'lpPool') return poolScratch({ node: n, inputs, outputs: n.outputs.map((o) => o.type) });
  if (simple) return 0;
  if (n.op === 'gemm') {
    const a = inputs[0]!.shape;
    const [m, k] = n.attrs.transA ? [a[1]!, a[0]!] : [numel(a.slice(0, -1)), a[a.length - 1]!];
    return contractionScratch(m, k);
  }
  if (n.op === 'matmul') {
    const a = inputs[0]!.shape;
    if (a.length === 1) return 0;
    const [r, c] = [a[a.length - 2]!, a[a.length - 1]!];
    return n.attrs.transA ? contractionScratch(c, r) : contractionScratch(r, c);
  }
  return 0;
}
