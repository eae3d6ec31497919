// The shape-inference pass: identity on well-typed graphs, repairs wrong annotations, rejects inconsistent graphs.
import { describe, expect, it } from 'vitest';
import { SILENT, type PassContext } from '../../passes/pass.ts';
import { shapeInference } from '../../passes/shape-inference.ts';
import { ShapeError, VerifyError } from '../../src/errors.ts';
import type { Graph, Node } from '../../src/ir/graph.ts';
import { printGraph } from '../../src/ir/print.ts';
import { f32 } from '../../src/ir/tensor.ts';
import { formatType, tensorType } from '../../src/ir/types.ts';
import { verifyGraph } from '../../src/ir/verify.ts';
import { EXAMPLE_NAMES, buildExample } from '../example-graphs.ts';
import { describeProperties } from './harness.ts';

const t = tensorType;

/** A context that keeps its notes. */
function recorder(): PassContext & { notes: string[] } {
  const notes: string[] = [];
  return { notes, note: (m) => void notes.push(m) };
}

/**
 * x: f32[2,3] @ w: f32[3,4] -> %2 (recorded f32[2,5], rule f32[2,4]), relu -> %3 (recorded f32[2,5]),
 * transpose -> %4 (recorded f32[4,2], already right), output y = %3, z = %4.
 */
function mistyped(): Graph {
  return {
    name: 'mistyped',
    inputs: [{ id: 0, name: 'x', type: t('f32', [2, 3]) }],
    weights: [{ id: 1, name: 'w', type: t('f32', [3, 4]), data: f32([3, 4]) }],
    nodes: [
      { op: 'matmul', attrs: { transA: false, transB: false }, inputs: [0, 1], outputs: [{ id: 2, type: t('f32', [2, 5]) }] },
      { op: 'relu', attrs: {}, inputs: [2], outputs: [{ id: 3, type: t('f32', [2, 5]) }], label: 'act' },
      { op: 'transpose', attrs: { perm: [1, 0] }, inputs: [2], outputs: [{ id: 4, type: t('f32', [4, 2]) }] },
    ],
    outputs: [{ name: 'y', id: 3 }, { name: 'z', id: 4 }],
  };
}

describe('shape-inference on well-typed graphs', () => {
  it.each(EXAMPLE_NAMES)('returns the graph of examples/%s.ts itself', async (name) => {
    const g = await buildExample(name);
    const ctx = recorder();
    expect(shapeInference.run(g, ctx)).toBe(g);
    expect(ctx.notes).toEqual([]);
  });

  it('is named for traces', () => {
    expect(shapeInference.name).toBe('shape-inference');
    expect(shapeInference.summary.length).toBeGreaterThan(0);
  });
});

describe('shape-inference on wrongly annotated graphs', () => {
  it('returns a new graph with the rule types, which verifies', () => {
    const g = mistyped();
    expect(() => verifyGraph(g)).toThrow(VerifyError);
    const out = shapeInference.run(g, SILENT);
    expect(out).not.toBe(g);
    expect(out.nodes.map((n) => n.outputs.map((o) => formatType(o.type)).join())).toEqual(['f32[2,4]', 'f32[2,4]', 'f32[4,2]']);
    expect(() => verifyGraph(out, shapeInference.name)).not.toThrow();
  });

  it('keeps ids, ops, attrs, labels, names and untouched nodes', () => {
    const g = mistyped();
    const out = shapeInference.run(g, SILENT);
    expect(out.name).toBe(g.name);
    expect(out.inputs).toEqual(g.inputs);
    expect(out.weights).toEqual(g.weights);
    expect(out.outputs).toEqual(g.outputs);
    expect(out.nodes.map((n) => [n.op, n.inputs, n.outputs.map((o) => o.id), n.label])).toEqual(
      g.nodes.map((n) => [n.op, n.inputs, n.outputs.map((o) => o.id), n.label]),
    );
    expect(out.nodes[1]!.attrs).toEqual(g.nodes[1]!.attrs);
    expect(out.nodes[2]).toBe(g.nodes[2]);
  });

  it('notes each corrected value once, old type -> new type', () => {
    const ctx = recorder();
    shapeInference.run(mistyped(), ctx);
    expect(ctx.notes).toEqual(['%2 matmul: f32[2,5] -> f32[2,4]', '%3 relu "act": f32[2,5] -> f32[2,4]']);
  });

  it('does not mutate its input', () => {
    const g = mistyped();
    const before = structuredClone(g);
    const text = printGraph(g);
    shapeInference.run(g, SILENT);
    expect(g).toEqual(before);
    expect(printGraph(g)).toBe(text);
  });

  it('returns a frozen graph', () => {
    const out = shapeInference.run(mistyped(), SILENT);
    expect(Object.isFrozen(out)).toBe(true);
    expect(Object.isFrozen(out.nodes)).toBe(true);
    expect(Object.isFrozen(out.nodes[0]!.outputs[0]!.type.shape)).toBe(true);
  });

  it('corrects dtypes as well as shapes', () => {
    const g = mistyped();
    const relu = { ...g.nodes[1]!, outputs: [{ id: 3, type: t('i32', [2, 4]) }] } as Node;
    const wrong: Graph = { ...g, nodes: [g.nodes[0]!, relu], outputs: [{ name: 'y', id: 3 }] };
    const ctx = recorder();
    const out = shapeInference.run(wrong, ctx);
    expect(formatType(out.nodes[1]!.outputs[0]!.type)).toBe('f32[2,4]');
    expect(ctx.notes).toContain('%3 relu "act": i32[2,4] -> f32[2,4]');
  });

  it('is idempotent: running it on its own output returns that output', () => {
    const once = shapeInference.run(mistyped(), SILENT);
    const ctx = recorder();
    expect(shapeInference.run(once, ctx)).toBe(once);
    expect(ctx.notes).toEqual([]);
  });
});

describe('shape-inference on inconsistent graphs', () => {
  it('fails with a ShapeError naming the node, the op and both input types', () => {
    const g = mistyped();
    const bad: Graph = { ...g, weights: [{ id: 1, name: 'w', type: t('f32', [4, 5]) }] };
    let err: unknown;
    try {
      shapeInference.run(bad, SILENT);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ShapeError);
    const msg = (err as Error).message;
    expect(msg).toContain('%2');
    expect(msg).toContain('matmul');
    expect(msg).toContain('f32[2,3], f32[4,5]');
    expect(msg).toContain('inner dimensions differ (3 vs 4)');
  });

  it('names a downstream node whose input became inconsistent, with its label', () => {
    const g = mistyped();
    // relu accepts anything, so break a later node: add of f32[2,4] and f32[3] does not broadcast.
    const bad: Graph = {
      ...g,
      inputs: [...g.inputs, { id: 9, name: 'b', type: t('f32', [3]) }],
      nodes: [g.nodes[0]!, { op: 'add', attrs: {}, inputs: [2, 9], outputs: [{ id: 3, type: t('f32', [2, 5]) }], label: 'act' }],
      outputs: [{ name: 'y', id: 3 }],
    };
    expect(() => shapeInference.run(bad, SILENT)).toThrow(/node %3 \(add\) \["act"\] with inputs f32\[2,4\], f32\[3\]/);
  });
});

// The properties every pass has; on well-typed graphs this pass is the identity.
describeProperties(shapeInference);
