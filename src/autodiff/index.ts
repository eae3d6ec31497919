// Reverse-mode autodiff: gradientGraph(g, { loss }) is g plus the gradients of its loss as outputs.
import { OpgraphError } from '../errors.ts';
import { IRBuilder } from '../ir/builder.ts';
import type { Graph, ValueId } from '../ir/graph.ts';
import { appendBackward } from './backward.ts';
import { replay } from './replay.ts';

export { appendBackward } from './backward.ts';
export { replay, type Replayed } from './replay.ts';

/** Options of gradientGraph. */
export interface GradientOptions {
  /** The output holding the scalar loss. */
  readonly loss: string;
  /** Inputs and weights to differentiate with respect to, by name (default: every f32 weight). */
  readonly wrt?: readonly string[];
}

/**
 * `g` with the backward pass appended: its outputs, then `grad.NAME` = d loss / d NAME for each
 * `wrt` input or weight. The result is an ordinary graph for any pipeline and backend.
 */
export function gradientGraph(g: Graph, opts: GradientOptions): Graph {
  const b = new IRBuilder(`${g.name}.grad`);
  const byName = new Map<string, ValueId>();
  const { ids, nodes } = replay(b, g, (v, isWeight) => {
    const id = isWeight ? b.weight(v.name, v.type, 'data' in v ? v.data : undefined).id : b.input(v.name, v.type).id;
    byName.set(v.name, id);
    return id;
  });
  const lossOut = g.outputs.find((o) => o.name === opts.loss);
  if (!lossOut) throw new OpgraphError(`graph ${JSON.stringify(g.name)} has no output ${JSON.stringify(opts.loss)} to use as the loss`);
  const names = opts.wrt ?? g.weights.filter((w) => w.type.dtype === 'f32').map((w) => w.name);
  const wrt = names.map((n) => {
    const id = byName.get(n);
    if (id === undefined) throw new OpgraphError(`graph ${JSON.stringify(g.name)} has no input or weight ${JSON.stringify(n)} to differentiate`);
    return id;
  });
  const grads = appendBackward(b, nodes, ids.get(lossOut.id)!, wrt);
  for (const o of g.outputs) b.output(o.name, ids.get(o.id)!);
  names.forEach((n, i) => b.output(`grad.${n}`, grads.get(wrt[i]!)!));
  return b.finish();
}
