// The rewrite machinery under every pass: GraphEditor keeps unchanged graphs, the fixpoint driver names rules that never converge.
import { describe, expect, it } from 'vitest';
import { fuseElementwise } from '../../passes/fuse-elementwise.ts';
import { OpgraphError } from '../../src/errors.ts';
import { IRBuilder } from '../../src/ir/builder.ts';
import type { Graph } from '../../src/ir/graph.ts';
import { printGraph } from '../../src/ir/print.ts';
import { tensorType } from '../../src/ir/types.ts';
import { MAX_SWEEPS, rewriteToFixpoint } from '../../src/rewrite/driver.ts';
import { GraphEditor } from '../../src/rewrite/editor.ts';
import type { Rule } from '../../src/rewrite/pattern.ts';
import { recorder, runChecked } from './harness.ts';

/** y = relu(x @ x) for a square x, plus an input nothing reads. */
function square(): Graph {
  const b = new IRBuilder('square');
  const x = b.input('x', tensorType('f32', [3, 3])).id;
  b.input('spare', tensorType('f32', [2]));
  b.output('y', b.node('relu', {}, [b.node('matmul', { transA: false, transB: false }, [x, x])[0]!.id])[0]!.id);
  return b.finish();
}

/** Flips transB on every matmul: on a square operand the types still check, so it fires forever. */
const flip: Rule = {
  name: 'flip-transB',
  reason: 'test rule that never converges',
  pattern: { op: 'matmul' },
  rewrite: (m, ed) => (m.root.op === 'matmul' ? ed.insertBefore(m.root, 'matmul', { ...m.root.attrs, transB: !m.root.attrs.transB }, m.root.inputs)[0]!.id : undefined),
};
const never: Rule = { name: 'never-fires', reason: 'test rule that declines', pattern: { op: 'relu' }, rewrite: () => undefined };

describe('rewriteToFixpoint', () => {
  it('throws an OpgraphError naming the rules when they never converge', () => {
    for (const sweeps of [3, MAX_SWEEPS]) {
      let err: unknown;
      try {
        rewriteToFixpoint(square(), [never, flip], () => {}, sweeps);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(OpgraphError);
      expect((err as Error).message).toBe(`rewrite rules did not converge after ${sweeps} sweeps (never-fires, flip-transB)`);
    }
  });

  it('returns the graph itself when no rule fires, and notes each firing as `rule: %old -> %new`', () => {
    const g = square();
    const ctx = recorder();
    expect(rewriteToFixpoint(g, [never], ctx.note)).toBe(g);
    expect(ctx.notes).toEqual([]);
    let once = true;
    const flipOnce: Rule = { ...flip, rewrite: (m, ed) => (once ? ((once = false), flip.rewrite(m, ed)) : undefined) };
    const out = rewriteToFixpoint(g, [flipOnce], ctx.note);
    expect(ctx.notes).toEqual(['flip-transB: %2 -> %4']);
    expect(out.nodes.map((n) => n.op === 'matmul' && n.attrs.transB)).toEqual([true, false]);
  });

  it('sweeps again after a sweep that only removed dead nodes (a pass is idempotent on graphs with dead code)', () => {
    // BUG: the driver returns as soon as no rule fired, although removing a dead reader may have
    // made a value single-use: here `exp` only fuses into `neg` on a second run.
    const b = new IRBuilder('dead_reader');
    const x = b.input('x', tensorType('f32', [4])).id;
    const e = b.node('exp', {}, [x])[0]!.id;
    b.node('transpose', { perm: [0] }, [e]);
    b.output('y', b.node('neg', {}, [e])[0]!.id);
    const { out } = runChecked(fuseElementwise, b.finish());
    expect(out.nodes.map((n) => n.op)).toEqual(['fused']);
  });
});

describe('GraphEditor.finish', () => {
  it('returns the original graph object when nothing changed', () => {
    const g = square();
    expect(new GraphEditor(g).finish()).toBe(g);
    const ed = new GraphEditor(g);
    const [x, mm] = [g.inputs[0]!.id, g.nodes[0]!.outputs[0]!.id];
    ed.replaceUses(mm, mm); // to itself
    ed.replaceUses(g.inputs[1]!.id, x); // a value nothing reads
    expect(ed.removeDead()).toBe(0); // an unread input is interface, not dead code
    expect(ed.changed).toBe(false);
    expect(ed.finish()).toBe(g);
  });

  it('returns a new frozen graph after a change and leaves the original as it was', () => {
    const g = square();
    const text = printGraph(g);
    const ed = new GraphEditor(g);
    ed.replaceUses(g.nodes[0]!.outputs[0]!.id, g.inputs[0]!.id);
    expect(ed.removeDead()).toBe(1);
    const out = ed.finish();
    expect(out).not.toBe(g);
    expect(Object.isFrozen(out) && Object.isFrozen(out.nodes)).toBe(true);
    expect(out.nodes.map((n) => `${n.op} ${n.inputs.join()}`)).toEqual(['relu 0']);
    expect(printGraph(g)).toBe(text);
  });
});
