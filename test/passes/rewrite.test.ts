// The rewrite machinery under every pass: GraphEditor keeps unchanged graphs, the fixpoint driver names rules that never converge, a failing pass is an internal error that names where.
import { describe, expect, it } from 'vitest';
import { fuseElementwise } from '../../passes/fuse-elementwise.ts';
import type { Pass } from '../../passes/pass.ts';
import { runPipeline } from '../../passes/pipeline.ts';
import { shapeInference } from '../../passes/shape-inference.ts';
import { InternalCompilerError, ShapeError } from '../../src/errors.ts';
import { IRBuilder } from '../../src/ir/builder.ts';
import type { Graph } from '../../src/ir/graph.ts';
import { printGraph } from '../../src/ir/print.ts';
import { tensorType } from '../../src/ir/types.ts';
import { f32 } from '../../src/ir/tensor.ts';
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
  it('throws an InternalCompilerError naming the rules when they never converge', () => {
    for (const sweeps of [3, MAX_SWEEPS]) {
      let err: unknown;
      try {
        rewriteToFixpoint(square(), [never, flip], { note() {} }, sweeps);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(InternalCompilerError);
      expect((err as Error).message).toBe(`internal compiler error: rewrite rules did not converge after ${sweeps} sweeps (never-fires, flip-transB); this is a bug in opgraph`);
    }
  });

  it('returns the graph itself when no rule fires, and notes each firing as `rule: %old op -> %new`', () => {
    const g = square();
    const ctx = recorder();
    expect(rewriteToFixpoint(g, [never], ctx)).toBe(g);
    expect(ctx.notes).toEqual([]);
    let once = true;
    const flipOnce: Rule = { ...flip, rewrite: (m, ed) => (once ? ((once = false), flip.rewrite(m, ed)) : undefined) };
    const out = rewriteToFixpoint(g, [flipOnce], ctx);
    expect(ctx.notes).toEqual(['flip-transB: %2 matmul -> %4']);
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

describe('a pass that fails inside the pipeline', () => {
  /** y = x + c, the add labelled like a layer. */
  function plusConstant(): Graph {
    const b = new IRBuilder('plus_constant');
    const x = b.input('x', tensorType('f32', [2])).id;
    const c = b.node('constant', { value: f32([2], [1, 2]) }, [])[0]!.id;
    b.output('y', b.node('add', {}, [x, c], 'attn.0')[0]!.id);
    return b.finish();
  }
  /** The bug class of issue 15: a rule that reads its producer's first input without checking the op (a constant has none). */
  const readsThrough: Rule = {
    name: 'read-first-input',
    reason: 'test rule with the bug',
    pattern: { op: 'add', inputs: [undefined, { op: ['constant', 'reshape'], as: 'p' }] },
    rewrite: (m, ed) => (ed.typeOf(m.nodes.p!.inputs[0]), undefined),
  };
  const broken: Pass = { name: 'broken-rule', summary: 'test pass', run: (g, ctx) => rewriteToFixpoint(g, [readsThrough], ctx) };
  const crashing: Pass = { name: 'broken-whole-graph', summary: 'test pass', run: (g) => (g.nodes[9] as unknown as { op: string }).op as never };

  /** What `runPipeline(g, passes)` throws. */
  function thrown(g: Graph, passes: readonly Pass[]): unknown {
    try {
      runPipeline(g, passes);
    } catch (e) {
      return e;
    }
    throw new Error('runPipeline did not throw');
  }

  it('names the pass, the node (value id, op, label) and the rule, and says it is a bug in opgraph', () => {
    const e = thrown(plusConstant(), [shapeInference, broken]);
    expect(e).toBeInstanceOf(InternalCompilerError);
    expect((e as InternalCompilerError).site).toEqual({ pass: 'broken-rule', node: 'node %2 (add) ["attn.0"]', rule: 'read-first-input' });
    expect((e as Error).message).toBe(
      'internal compiler error in pass broken-rule at node %2 (add) ["attn.0"], rule read-first-input: a pass asked for the type of a missing operand; this is a bug in opgraph',
    );
  });

  it('names the pass of a whole-graph pass that crashes, keeping the original error as its cause', () => {
    const e = thrown(plusConstant(), [shapeInference, crashing]) as InternalCompilerError;
    expect(e).toBeInstanceOf(InternalCompilerError);
    expect(e.message).toMatch(/^internal compiler error in pass broken-whole-graph: TypeError: .+; this is a bug in opgraph$/);
    expect(e.cause).toBeInstanceOf(TypeError);
  });

  it('lets a typed error about the model through as it is (shape inference on an inconsistent graph)', () => {
    const g = square();
    const bad: Graph = { ...g, inputs: [{ ...g.inputs[0]!, type: tensorType('f32', [3, 4]) }, g.inputs[1]!] };
    const e = thrown(bad, [shapeInference, broken]);
    expect(e).toBeInstanceOf(ShapeError);
    expect(e).not.toBeInstanceOf(InternalCompilerError);
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
