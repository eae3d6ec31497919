// Applying an op's shape rule to one node, with errors that name the node, op and input types.
import { ShapeError } from '../errors.ts';
import { type TensorType, formatType } from '../ir/types.ts';
import type { OpAttrs, OpKind } from './attrs.ts';
import { OPS } from './table.ts';

/** Where a node is, for messages: `%7 (matmul)` plus an optional label such as a layer path. */
export function describeNode(op: OpKind, firstOutput: number | undefined, label?: string): string {
  const at = firstOutput === undefined ? '' : `%${firstOutput} `;
  const from = label ? ` [${JSON.stringify(label)}]` : '';
  return `node ${at}(${op})${from}`;
}

/**
 * Output types of `op` applied to `inputs`. Arity and op-rule violations become a ShapeError:
 * `node %7 (matmul) with inputs f32[2,3], f32[4,5]: inner dimensions differ (3 vs 4)`.
 */
export function inferNode<K extends OpKind>(
  op: K,
  attrs: OpAttrs[K],
  inputs: readonly TensorType[],
  where: string = `node (${op})`,
): TensorType[] {
  const def = OPS[op];
  if (!def) throw new ShapeError(`${where}: unknown op kind ${JSON.stringify(op)}`);
  const { min, max } = def.arity;
  if (inputs.length < min || inputs.length > max) {
    const want = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
    throw new ShapeError(`${where} with inputs ${formatInputs(inputs)}: expects ${want} inputs, got ${inputs.length}`);
  }
  try {
    return def.infer(inputs, attrs);
  } catch (e) {
    if (e instanceof ShapeError) throw new ShapeError(`${where} with inputs ${formatInputs(inputs)}: ${e.message}`);
    throw e;
  }
}

/** The input types for a message (formatted only on error: inference must not cost a string per input). */
function formatInputs(inputs: readonly TensorType[]): string {
  return inputs.map(formatType).join(', ') || 'no inputs';
}
