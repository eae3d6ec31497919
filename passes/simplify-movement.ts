// Pass: movement simplification (reshape and transpose algebra).
//
// Assumes:    shape inference has run.
// Guarantees: no transpose with the identity permutation, no transpose of a transpose, no chain
//             of reshape-like ops (squeeze and unsqueeze become reshapes), no reshape to the
//             input's own shape, no identity op, no concat of a single input, and no transpose
//             of the last two dims feeding a matmul operand (it becomes the matmul's
//             transA/transB flag).
// Runs:       before fusion, so fusion patterns see canonical movement.
import type { ValueId } from '../src/ir/graph.ts';
import { sameShape } from '../src/ir/types.ts';
import type { GraphEditor } from '../src/rewrite/editor.ts';
import { rewriteToFixpoint } from '../src/rewrite/driver.ts';
import type { Match, Rule } from '../src/rewrite/pattern.ts';
import type { Pass } from './pass.ts';

const isIdentityPerm = (perm: readonly number[]): boolean => perm.every((p, i) => p === i);

/** True when a permutation puts its last two source dims in reversed order (a matmul can undo that for free). */
function endsReversed(perm: readonly number[]): boolean {
  const r = perm.length;
  return r >= 2 && perm[r - 1]! < perm[r - 2]!;
}

/**
 * matmul(.., transpose(y, p), ..) with p ending reversed: swap p's last two entries and flip the
 * operand's trans flag instead; the rest of the permutation stays (and vanishes if identity).
 */
function flipOperand(m: Match, ed: GraphEditor, slot: 0 | 1): ValueId | undefined {
  if (m.root.op !== 'matmul' || m.nodes.t!.op !== 'transpose') return undefined;
  const t = m.nodes.t!;
  const perm = [...(t.op === 'transpose' ? t.attrs.perm : [])];
  const r = perm.length;
  [perm[r - 2], perm[r - 1]] = [perm[r - 1]!, perm[r - 2]!];
  const y = t.inputs[0]!;
  const operand = isIdentityPerm(perm) ? y : ed.insertBefore(m.root, 'transpose', { perm }, [y], t.label)[0]!.id;
  const attrs = m.root.attrs;
  const inputs = m.root.inputs.map((v, i) => (i === slot ? operand : v)); // epilogue inputs stay
  const flipped = slot === 0 ? { ...attrs, transA: !attrs.transA } : { ...attrs, transB: !attrs.transB };
  return ed.insertBefore(m.root, 'matmul', flipped, inputs, m.root.label)[0]!.id;
}

/** A reshape of `x` to the root's output shape, placed before the root. */
function reshapeTo(m: Match, ed: GraphEditor, x: ValueId): ValueId {
  const shape = m.root.outputs[0]!.type.shape;
  if (sameShape(ed.typeOf(x).shape, shape)) return x;
  return ed.insertBefore(m.root, 'reshape', { shape: [...shape] }, [x], m.root.label)[0]!.id;
}

/** The movement rules, in the order they are tried. */
export const MOVEMENT_RULES: readonly Rule[] = [
  {
    name: 'identity-op',
    reason: 'identity computes nothing',
    pattern: { op: 'identity', inputs: [{ value: 'x' }] },
    rewrite: (m) => m.values.x,
  },
  {
    name: 'concat-single',
    reason: 'a concat of one input is that input (the recurrent layers stack one layer this way)',
    pattern: { op: 'concat', inputs: [{ value: 'x' }], where: (n) => n.inputs.length === 1 },
    rewrite: (m) => m.values.x,
  },
  {
    name: 'transpose-identity',
    reason: 'a transpose by the identity permutation moves nothing',
    pattern: { op: 'transpose', inputs: [{ value: 'x' }], where: (n) => n.op === 'transpose' && isIdentityPerm(n.attrs.perm) },
    rewrite: (m) => m.values.x,
  },
  {
    name: 'transpose-compose',
    reason: 'transpose(transpose(x, p), q) is one transpose by p[q[i]]',
    pattern: { op: 'transpose', inputs: [{ op: 'transpose', as: 'inner', inputs: [{ value: 'x' }] }] },
    rewrite: (m, ed) => {
      const outer = m.root.op === 'transpose' ? m.root.attrs.perm : [];
      const inner = m.nodes.inner!.op === 'transpose' ? m.nodes.inner!.attrs.perm : [];
      const perm = outer.map((q) => inner[q]!);
      if (isIdentityPerm(perm)) return m.values.x;
      return ed.insertBefore(m.root, 'transpose', { perm }, [m.values.x!], m.root.label)[0]!.id;
    },
  },
  {
    name: 'reshape-canonical',
    reason: 'squeeze and unsqueeze are reshapes; one spelling lets reshapes compose',
    pattern: { op: ['squeeze', 'unsqueeze'], inputs: [{ value: 'x' }] },
    rewrite: (m, ed) => reshapeTo(m, ed, m.values.x!),
  },
  {
    name: 'reshape-compose',
    reason: 'a reshape of a reshape only depends on the final shape',
    pattern: { op: 'reshape', inputs: [{ op: ['reshape', 'squeeze', 'unsqueeze'], inputs: [{ value: 'x' }] }] },
    rewrite: (m, ed) => reshapeTo(m, ed, m.values.x!),
  },
  {
    name: 'reshape-noop',
    reason: 'a reshape to the input shape is the input',
    pattern: { op: 'reshape', inputs: [{ value: 'x' }], where: (n, ed) => sameShape(ed.typeOf(n.inputs[0]!).shape, n.outputs[0]!.type.shape) },
    rewrite: (m) => m.values.x,
  },
  {
    name: 'matmul-transposed-b',
    reason: 'matmul reads B transposed through its strides; no copy of B^T is needed',
    pattern: { op: 'matmul', inputs: [{ value: 'a' }, { op: 'transpose', as: 't', where: (n) => n.op === 'transpose' && endsReversed(n.attrs.perm) }] },
    rewrite: (m, ed) => flipOperand(m, ed, 1),
  },
  {
    name: 'matmul-transposed-a',
    reason: 'matmul reads A transposed through its strides; no copy of A^T is needed',
    pattern: { op: 'matmul', inputs: [{ op: 'transpose', as: 't', where: (n) => n.op === 'transpose' && endsReversed(n.attrs.perm) }, { value: 'b' }] },
    rewrite: (m, ed) => flipOperand(m, ed, 0),
  },
];

export const simplifyMovement: Pass = {
  name: 'simplify-movement',
  summary: 'compose and cancel reshapes and transposes; fold transposes into matmul',
  run: (graph, ctx) => rewriteToFixpoint(graph, MOVEMENT_RULES, ctx),
};
