// Small helpers shared by pass implementations.
import type { Graph, ValueId } from '../src/ir/graph.ts';
import { getNumber } from '../src/ir/tensor.ts';
import { numel } from '../src/ir/types.ts';
import { GraphEditor } from '../src/rewrite/editor.ts';
import { newWork } from '../src/rewrite/work.ts';
import type { PassContext } from './pass.ts';

/**
 * Runs `edit` over a GraphEditor of `graph`, repeating while it changes something (so
 * replacements that expose new duplicates are caught), then drops dead nodes. Returns `graph`
 * itself when nothing changed.
 */
export function rewriteAll(graph: Graph, ctx: PassContext, edit: (ed: GraphEditor) => void, maxRounds = 16): Graph {
  const ed = new GraphEditor(graph, ctx.work ?? newWork());
  for (let round = 0; round < maxRounds; round++) {
    const before = ed.changed;
    ed.changed = false;
    edit(ed);
    ed.removeDead();
    const changed = ed.changed;
    ed.changed = before || changed;
    if (!changed) break;
  }
  return ed.finish();
}

/** The number an f32 constant of one element holds (any rank), else undefined. */
export function scalarConstant(ed: GraphEditor, v: ValueId | undefined): number | undefined {
  const p = v === undefined ? undefined : ed.producer(v);
  if (p?.op !== 'constant' || p.attrs.value.dtype !== 'f32' || numel(p.attrs.value.shape) !== 1) return undefined;
  return getNumber(p.attrs.value, 0);
}
