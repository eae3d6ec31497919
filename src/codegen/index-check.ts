// The nodes whose kernels read indices from data, and the dims those indices are checked against.
// Backends that cannot throw from a kernel (WGSL) give each such node a bounds flag and report the
// dim named here; the TS kernels throw at the same check with the same message.
import type { Node } from '../ir/graph.ts';
import type { TensorType } from '../ir/types.ts';
import { normAxis } from '../ops/util.ts';

/** A checked dim: an axis of the indexed tensor and its size. */
export interface CheckedDim {
  readonly axis: number;
  readonly size: number;
}

/**
 * The dims a node's data-dependent indices must fall in, in the order its kernel numbers them
 * (the flag's word 0 is 1 + that entry), or undefined for a node that reads no indices.
 */
export function checkedDims(node: Node, inputs: readonly TensorType[]): readonly CheckedDim[] | undefined {
  const data = inputs[0]?.shape;
  if (!data) return undefined;
  switch (node.op) {
    case 'gather':
    case 'scatterElements': {
      const axis = normAxis(node.attrs.axis, data.length);
      return [{ axis, size: data[axis]! }];
    }
    case 'scatterND': {
      const k = inputs[1]!.shape.at(-1)!;
      return data.slice(0, k).map((size, axis) => ({ axis, size }));
    }
    default:
      return undefined;
  }
}
