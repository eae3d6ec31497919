// ONNX ops that read positions from an index tensor: ScatterElements (and its old name Scatter)
// and ScatterND onto the IR's scatters.
import type { ScatterReduction } from '../../../ops/scatter.ts';
import type { NodeContext, Val } from '../context.ts';
import type { Lowerings } from './lowering.ts';

const REDUCTIONS: readonly ScatterReduction[] = ['none', 'add', 'mul', 'max', 'min'];

/** The reduction attribute: none before opset 16, add and mul from 16, max and min from 18. */
function reductionOf(c: NodeContext): ScatterReduction {
  const r = c.string('reduction', 'none');
  const allowed = c.opset >= 18 ? REDUCTIONS : c.opset >= 16 ? REDUCTIONS.slice(0, 3) : REDUCTIONS.slice(0, 1);
  if (!(allowed as readonly string[]).includes(r)) c.fail(`reduction ${JSON.stringify(r)} is not supported at opset ${c.opset} (${allowed.join(', ')})`);
  return r as ScatterReduction;
}

/** ScatterElements (opset 11 on) and Scatter (9, 10): axis default 0. */
function scatterElements(c: NodeContext): Val[] {
  const reduction = c.node.opType === 'Scatter' ? 'none' : reductionOf(c);
  return [c.op1('scatterElements', { axis: c.int('axis', 0), reduction }, [c.input(0), c.input(1), c.input(2)])];
}

/** The indexing lowerings. */
export const indexingLowerings: Lowerings = {
  ScatterElements: scatterElements,
  Scatter: scatterElements,
  ScatterND: (c) => [c.op1('scatterND', { reduction: reductionOf(c) }, [c.input(0), c.input(1), c.input(2)])],
};
