// Graphs from IRBuilder.finish() are frozen all the way down: no pass can mutate one in place.
import { describe, expect, it } from 'vitest';
import { IRBuilder } from '../../src/ir/builder.ts';
import type { Graph } from '../../src/ir/graph.ts';
import { printGraph } from '../../src/ir/print.ts';
import { f32 } from '../../src/ir/tensor.ts';
import { tensorType } from '../../src/ir/types.ts';

const t = tensorType;

/** Writable view of anything, to attempt the mutations the types forbid. */
const w = (o: unknown): Record<string | number, unknown> & unknown[] => o as never;

function build(perm = [1, 0], sizes = [1, 3]): Graph {
  const b = new IRBuilder('frozen');
  const x = b.input('x', t('f32', [2, 4]));
  const wt = b.weight('w', t('f32', [4, 2]), f32([4, 2]));
  const [y] = b.node('transpose', { perm }, [x.id], 'layer');
  const [s0, s1] = b.node('split', { axis: 0, sizes }, [y!.id]);
  b.node('add', {}, [wt.id, y!.id]);
  b.output('a', s0!.id);
  b.output('b', s1!.id);
  return b.finish();
}

describe('IRBuilder.finish() freezes the graph', () => {
  const g = build();
  const n = g.nodes[0]!;

  it('runs in strict mode (so assignments to frozen objects throw)', () => {
    expect(
      (function (this: unknown) {
        return this;
      })(),
    ).toBeUndefined();
  });

  it('freezes the graph object and its lists', () => {
    expect(() => (w(g).name = 'other')).toThrow(TypeError);
    expect(() => w(g.nodes).push(n)).toThrow(TypeError);
    expect(() => w(g.inputs).pop()).toThrow(TypeError);
    expect(() => (w(g.weights)[0] = g.weights[0])).toThrow(TypeError);
    expect(() => w(g.outputs).splice(0, 1)).toThrow(TypeError);
    expect(g.nodes).toHaveLength(3);
    expect(g.outputs.map((o) => o.name)).toEqual(['a', 'b']);
  });

  it('freezes inputs, weights and outputs', () => {
    expect(() => (w(g.inputs[0]).name = 'y')).toThrow(TypeError);
    expect(() => (w(g.weights[0]).data = f32([4, 2]))).toThrow(TypeError);
    expect(() => (w(g.outputs[0]).id = 0)).toThrow(TypeError);
    expect(g.inputs[0]!.name).toBe('x');
  });

  it('freezes every node, its input and output lists, and its attrs', () => {
    for (const node of g.nodes) {
      expect(Object.isFrozen(node)).toBe(true);
      expect(Object.isFrozen(node.inputs)).toBe(true);
      expect(Object.isFrozen(node.outputs)).toBe(true);
      expect(Object.isFrozen(node.attrs)).toBe(true);
    }
    expect(() => (w(n).op = 'neg')).toThrow(TypeError);
    expect(() => (w(n).label = 'other')).toThrow(TypeError);
    expect(() => (w(n.inputs)[0] = 1)).toThrow(TypeError);
    expect(() => w(n.outputs).push({ id: 9, type: t('f32', [1]) })).toThrow(TypeError);
    expect(() => (w(n.attrs).perm = [0, 1])).toThrow(TypeError);
    expect(n.op).toBe('transpose');
  });

  it('freezes value types, down to their shapes', () => {
    const out = n.outputs[0]!;
    expect(() => (w(out).id = 7)).toThrow(TypeError);
    expect(() => (w(out.type).dtype = 'i32')).toThrow(TypeError);
    expect(() => (w(out.type.shape)[0] = 9)).toThrow(TypeError);
    expect(() => (w(g.inputs[0]!.type.shape)[1] = 9)).toThrow(TypeError);
    expect(out.type.shape).toEqual([4, 2]);
  });

  it('freezes arrays inside attrs', () => {
    const split = g.nodes[1]!;
    if (n.op !== 'transpose' || split.op !== 'split') throw new Error('unexpected node order');
    expect(() => (w(n.attrs.perm)[0] = 0)).toThrow(TypeError);
    expect(() => w(split.attrs.sizes).push(1)).toThrow(TypeError);
    expect(n.attrs.perm).toEqual([1, 0]);
  });

  it('is not changed by later edits to the arrays the caller passed in', () => {
    const perm = [1, 0];
    const sizes = [1, 3];
    const g2 = build(perm, sizes);
    const before = printGraph(g2);
    try {
      perm.reverse();
      sizes.push(0);
    } catch {
      // A builder that froze the caller's arrays is fine too.
    }
    expect(printGraph(g2)).toBe(before);
  });
});
