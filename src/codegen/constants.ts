// Large constants are weights to the backends: before code generation, every constant node above
// CONSTANT_WEIGHT_BYTES becomes a graph weight carrying its data, so its values reach the module
// the way weights do (the weights file, or create()'s argument in process) instead of a literal
// in the generated source. Whatever made the constant (an ONNX Constant node or an export without
// initializers, an API g.constant, or constant folding, e.g. a concatenated QKV weight) does not
// matter; small constants (shapes, scales, masks) stay literals.
import { type Graph, type Weight, freezeGraph } from '../ir/graph.ts';
import type { Tensor } from '../ir/tensor.ts';
import { DTYPE_BYTES, numel } from '../ir/types.ts';

/** Constants larger than this (in bytes) are written as weights, not as source literals. */
export const CONSTANT_WEIGHT_BYTES = 4 * 1024;

/** Bytes of a tensor's data. */
export function tensorBytes(t: Tensor): number {
  return numel(t.shape) * DTYPE_BYTES[t.dtype];
}

/**
 * `g` with each constant node larger than `maxLiteralBytes` replaced by a weight of the same value
 * id holding its data, appended after the graph's own weights. The weight's name is
 * `constant:LABEL` (the node's label: the ONNX value or the layer path), or `constant:INDEX` (the
 * node's index) without one, with `#2`, `#3`... on a clash, so it is the same for the same graph.
 * Returns `g` itself when no constant is that large. Run it after the passes: they fold and
 * match constants, never weights.
 */
export function constantsAsWeights(g: Graph, maxLiteralBytes = CONSTANT_WEIGHT_BYTES): Graph {
  const taken = new Set(g.weights.map((w) => w.name));
  const added: Weight[] = [];
  const nodes = g.nodes.filter((n, i) => {
    if (n.op !== 'constant' || tensorBytes(n.attrs.value) <= maxLiteralBytes) return true;
    const name = unique(`constant:${n.label || i}`, taken);
    taken.add(name);
    added.push({ id: n.outputs[0]!.id, name, type: n.outputs[0]!.type, data: n.attrs.value });
    return false;
  });
  if (added.length === 0) return g;
  return freezeGraph({ ...g, weights: [...g.weights, ...added], nodes });
}

/** The weights of `g` that constantsAsWeights made (those not among `source`'s weights). */
export function constantWeights(g: Graph, source: Graph): Weight[] {
  const own = new Set(source.weights.map((w) => w.name));
  return g.weights.filter((w) => !own.has(w.name));
}

function unique(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base)) return base;
  let k = 2;
  while (taken.has(`${base}#${k}`)) k++;
  return `${base}#${k}`;
}
