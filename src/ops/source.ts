// Source ops: nodes without inputs. The only one is constant, a literal tensor in the graph.
import { formatType, numel, tensorType } from '../ir/types.ts';
import type { OpDef, OpDefs } from './def.ts';
import { checkDims, fail } from './util.ts';

/**
 * constant: no inputs; its type is that of `attrs.value`, and evaluating it returns
 * `attrs.value` itself (tensors are immutable, so no copy is made). The shape rule checks
 * that the value is well-formed, since constants may come from files rather than `tensor()`.
 */
const constant: OpDef<'constant'> = {
  kind: 'constant',
  groups: ['source'],
  arity: { min: 0, max: 0 },
  infer(_inputs, { value }) {
    checkDims(value.shape, 'constant value');
    if (value.data.length !== numel(value.shape)) {
      fail(`constant value ${formatType(value)} holds ${value.data.length} elements`);
    }
    return [tensorType(value.dtype, value.shape)];
  },
  evaluate(_inputs, { value }) {
    return [value];
  },
  // No inputs, so nothing to propagate to.
  grad: () => [],
};

/** The source ops. */
export const sourceOps: OpDefs<'constant'> = { constant };
