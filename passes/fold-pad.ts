// Pass: zero padding in front of a convolution folded into the convolution's own pads.
//
// Assumes:    shape inference and constant folding have run. Zero padding is what the ONNX
//             importer lowers Pad(mode constant, value 0) to: per padded axis a concat of a
//             zero border (an expand of a constant 0, or a constant of zeros once folded), the
//             value, and another zero border.
// Guarantees: no f32 conv reads the only use of a concat along one of its spatial dims whose
//             first and/or last parts are constant zeros of that dim's border: the conv reads the
//             middle part with those lengths added to its pads (one axis per firing, so Pad over
//             several axes folds completely). Pads inside the conv are zeros the kernel skips, so
//             the copy into a padded tensor disappears and nothing is computed differently.
// Runs:       after constant folding, before the fusions (which would take the concat apart).
import type { Node, ValueId } from '../src/ir/graph.ts';
import { getNumber } from '../src/ir/tensor.ts';
import { numel } from '../src/ir/types.ts';
import type { GraphEditor } from '../src/rewrite/editor.ts';
import { rewriteToFixpoint } from '../src/rewrite/driver.ts';
import type { Match, Rule } from '../src/rewrite/pattern.ts';
import type { Pass } from './pass.ts';

/** The most elements of a constant checked for zeros (a border is small; a big constant is no border). */
const MAX_CHECKED = 1 << 16;

/** Whether `v` is all zeros by construction: a constant of zeros, or an expand of one. */
function isZeros(ed: GraphEditor, v: ValueId): boolean {
  const p = ed.producer(v);
  if (!p) return false;
  if (p.op === 'expand') return isZeros(ed, p.inputs[0]!);
  if (p.op !== 'constant') return false;
  const t = p.attrs.value;
  const n = numel(t.shape);
  if (n > MAX_CHECKED) return false;
  for (let i = 0; i < n; i++) if (getNumber(t, i) !== 0) return false;
  return true;
}

/** conv(concat(0s, x, 0s) along a spatial dim) as conv(x) with wider pads. */
function padIntoConv(m: Match, ed: GraphEditor): ValueId | undefined {
  const conv = m.root as Node & { op: 'conv' };
  const [x, ...rest] = conv.inputs as [ValueId, ...ValueId[]];
  const cat = ed.producer(x);
  if (!cat || cat.op !== 'concat' || ed.uses(x) !== 1 || ed.isOutput(x) || ed.typeOf(x).dtype !== 'f32') return undefined;
  const rank = ed.typeOf(x).shape.length;
  const axis = cat.attrs.axis < 0 ? cat.attrs.axis + rank : cat.attrs.axis;
  const spatial = rank - 2;
  if (axis < 2 || cat.inputs.length < 2) return undefined;
  const parts = cat.inputs;
  const zeroFirst = isZeros(ed, parts[0]!);
  const zeroLast = isZeros(ed, parts.at(-1)!);
  // Exactly one middle part: [0s, x, 0s], [0s, x] or [x, 0s].
  const middle = parts.length === 3 && zeroFirst && zeroLast ? parts[1]! : parts.length === 2 && zeroFirst ? parts[1]! : parts.length === 2 && zeroLast ? parts[0]! : undefined;
  if (middle === undefined || (parts.length === 2 && zeroFirst && zeroLast)) return undefined;
  const len = (v: ValueId): number => ed.typeOf(v).shape[axis]!;
  const before = middle === parts[0] ? 0 : len(parts[0]!);
  const after = middle === parts.at(-1) ? 0 : len(parts.at(-1)!);
  const d = axis - 2;
  const pads = [...conv.attrs.pads];
  pads[d] = pads[d]! + before;
  pads[spatial + d] = pads[spatial + d]! + after;
  return ed.insertBefore(conv, 'conv', { ...conv.attrs, pads }, [middle, ...rest], conv.label)[0]!.id;
}

const RULES: Rule[] = [
  {
    name: 'pad-into-conv',
    reason: 'zeros concatenated before a conv along a spatial dim are the conv\'s own pads, which it skips instead of reading a padded copy',
    pattern: { op: 'conv' },
    rewrite: padIntoConv,
  },
];

export const foldPad: Pass = {
  name: 'fold-pad',
  summary: 'fold zero padding (ONNX Pad, constant 0) in front of a conv into its pads',
  run: (g, ctx) => rewriteToFixpoint(g, RULES, ctx),
};
