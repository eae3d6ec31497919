// Losses with PyTorch semantics, composed of primitive ops (their elementwise parts fuse, and
// autodiff differentiates them through the primitives' own rules).
import { tensor } from '../ir/tensor.ts';
import { isIndex } from '../ir/types.ts';
import * as F from './functional.ts';
import type { Sym } from './sym.ts';

/** How per-sample losses combine, as PyTorch's `reduction`. */
export type Reduction = 'mean' | 'sum';

/**
 * torch.nn.functional.cross_entropy from logits and class indices: logits [N, C] (or [C]) and
 * target [N] (or []) of i32/i64; -log_softmax(logits)[n, target[n]], averaged or summed. Class
 * weights, ignore_index and label smoothing are not supported (a target outside 0..C-1 adds 0).
 */
export function crossEntropy(logits: Sym, target: Sym, opts: { reduction?: Reduction } = {}): Sym {
  const g = logits.builder;
  if (!isIndex(target.dtype)) g.fail(`crossEntropy target must hold class indices (i32 or i64), got ${target}`);
  const batched = logits.rank === 2 ? logits : logits.rank === 1 ? logits.unsqueeze(0) : g.fail(`crossEntropy expects logits [N, C] or [C], got ${logits}`);
  const labels = target.rank === 1 ? target : target.rank === 0 ? target.unsqueeze(0) : g.fail(`crossEntropy expects targets [N] or [], got ${target}`);
  const [n, c] = batched.shape as [number, number];
  if (labels.size(0) !== n) g.fail(`crossEntropy has ${n} rows of logits but ${labels.size(0)} targets`);
  const classes = g.constant(tensor(labels.dtype, [1, c], Array.from({ length: c }, (_, i) => i)));
  const onehot = F.cast(labels.unsqueeze(1).eq(classes), 'f32');
  const nll = batched.logSoftmax(1).mul(onehot).sum(1).neg();
  return opts.reduction === 'sum' ? nll.sum() : nll.mean();
}
