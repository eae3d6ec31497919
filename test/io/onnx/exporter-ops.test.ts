// The ops exporters emit first (Trilu, Tile, GreaterOrEqual, LessOrEqual, Clip, CastLike, Pad),
// lowered onto IR ops: values worked by hand, NaN comparisons, and a constant Trilu folding away.
import { describe, expect, it } from 'vitest';
import { tensor, toNumbers } from '../../../src/ir/tensor.ts';
import { importOnnx } from '../../../src/io/onnx/import.ts';
import { interpret } from '../../../src/runtime/interpreter.ts';
import { INT64, attr, graph, model, node, value } from './model-builder.ts';

const i64 = (name: string, dims: number[], data: number[]) => ({ name, dims, dataType: INT64, int64Data: data });

describe('exporter ops', () => {
  it('Trilu on a constant folds (a causal mask); on an input it is one select', () => {
    const ones = { name: 'ones', dims: [3, 3], dataType: INT64, int64Data: new Array(9).fill(1) };
    const folded = importOnnx(model(graph([node('Trilu', ['ones'], ['m'], [attr.int('upper', 0)]), node('Cast', ['m'], ['y'], [attr.int('to', 1)])], [], [value('y', [3, 3])], [ones])));
    expect(folded.nodes.map((n) => n.op)).toEqual(['constant']);
    expect(toNumbers(interpret(folded, {}).y!)).toEqual([1, 0, 0, 1, 1, 0, 1, 1, 1]);
    const g = importOnnx(model(graph([node('Trilu', ['x', 'k'], ['y'])], [value('x', [2, 3])], [value('y', [2, 3])], [i64('k', [], [1])])));
    expect(g.nodes.map((n) => n.op)).toEqual(['constant', 'constant', 'where']);
    // upper, k = 1: j - i >= 1.
    expect(toNumbers(interpret(g, { x: tensor('f32', [2, 3], [1, 2, 3, 4, 5, 6]) }).y!)).toEqual([0, 2, 3, 0, 0, 6]);
  });

  it('Tile repeats along every axis', () => {
    const g = importOnnx(model(graph([node('Tile', ['x', 'r'], ['y'])], [value('x', [2, 2])], [value('y', [4, 6])], [i64('r', [2], [2, 3])])));
    const y = interpret(g, { x: tensor('f32', [2, 2], [1, 2, 3, 4]) }).y!;
    expect(y.shape).toEqual([4, 6]);
    expect(toNumbers(y)).toEqual([1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4, 1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4]);
  });

  it('GreaterOrEqual and LessOrEqual are false against NaN', () => {
    for (const [op, want] of [['GreaterOrEqual', [1, 1, 0, 0]], ['LessOrEqual', [0, 1, 1, 0]]] as const) {
      const g = importOnnx(model(graph([node(op, ['a', 'b'], ['y'])], [value('a', [4]), value('b', [4])], [value('y', [4], 9)])));
      const out = interpret(g, { a: tensor('f32', [4], [2, 1, 0, NaN]), b: tensor('f32', [4], [1, 1, 1, 0]) });
      expect(toNumbers(out.y!)).toEqual(want);
    }
  });

  it('Clip with input bounds (opset 11+) and attributes (before); min > max gives max', () => {
    const x = tensor('f32', [4], [-2, 0.5, 3, NaN]);
    const bounds = [{ name: 'lo', dims: [], dataType: 1, floatData: [0] }, { name: 'hi', dims: [1], dataType: 1, floatData: [1] }];
    const g = importOnnx(model(graph([node('Clip', ['x', 'lo', 'hi'], ['y'])], [value('x', [4])], [value('y', [4])], bounds)));
    expect(toNumbers(interpret(g, { x }).y!)).toEqual([0, 0.5, 1, NaN]);
    const old = importOnnx(model(graph([node('Clip', ['x'], ['y'], [{ name: 'min', type: 1, f: 2 }, { name: 'max', type: 1, f: 1 }])], [value('x', [4])], [value('y', [4])]), 9));
    expect(toNumbers(interpret(old, { x }).y!).slice(0, 3)).toEqual([1, 1, 1]);
  });

  it('CastLike casts to the second input\'s type', () => {
    const g = importOnnx(model(graph([node('CastLike', ['x', 't'], ['y'])], [value('x', [3]), value('t', [1], INT64)], [value('y', [3], INT64)])));
    const y = interpret(g, { x: tensor('f32', [3], [1.7, -2.2, 3]), t: tensor('i64', [1], [0]) }).y!;
    expect(y.dtype).toBe('i64');
    expect(toNumbers(y)).toEqual([1, -2, 3]);
  });

  describe('Pad', () => {
    const mode = (m: string) => ({ name: 'mode', type: 3, s: new TextEncoder().encode(m) });
    const x = tensor('f32', [2, 3], [1, 2, 3, 4, 5, 6]);
    const padded = (m: string, pads: number[], outShape: number[], opset = 19, extra: object[] = []) => {
      const g = importOnnx(model(graph([node('Pad', ['x', 'pads', ...extra.map((e) => (e as { name: string }).name)], ['y'], [mode(m)])], [value('x', [2, 3])], [value('y', outShape)], [i64('pads', [pads.length], pads), ...extra]), opset));
      const y = interpret(g, { x }).y!;
      expect(y.shape).toEqual(outShape);
      return toNumbers(y);
    };
    // pads [b0, b1, e0, e1]: rows get b0 before and e0 after, columns b1 before and e1 after.
    it('constant with a value (row 0 | cols 1 before, 2 after)', () =>
      expect(padded('constant', [1, 1, 0, 2], [3, 6], 19, [{ name: 'v', dims: [], dataType: 1, floatData: [9] }])).toEqual([
        9, 9, 9, 9, 9, 9,
        9, 1, 2, 3, 9, 9,
        9, 4, 5, 6, 9, 9,
      ]));
    it('edge repeats the border element', () => expect(padded('edge', [0, 2, 1, 1], [3, 6])).toEqual([1, 1, 1, 2, 3, 3, 4, 4, 4, 5, 6, 6, 4, 4, 4, 5, 6, 6]));
    it('reflect mirrors without repeating the edge', () => expect(padded('reflect', [1, 2, 0, 2], [3, 7])).toEqual([6, 5, 4, 5, 6, 5, 4, 3, 2, 1, 2, 3, 2, 1, 6, 5, 4, 5, 6, 5, 4]));
    it('wrap continues from the far end', () => expect(padded('wrap', [0, 1, 1, 2], [3, 6])).toEqual([3, 1, 2, 3, 1, 2, 6, 4, 5, 6, 4, 5, 3, 1, 2, 3, 1, 2]));
    it('negative pads crop', () => expect(padded('constant', [0, -1, -1, 1], [1, 3])).toEqual([2, 3, 0]));
    it('refuses what it cannot mean, naming the node', () => {
      const bad = (m: string, pads: number[], opset = 19) => () => importOnnx(model(graph([node('Pad', ['x', 'pads'], ['y'], [mode(m)])], [value('x', [2, 3])], [value('y', [2, 3])], [i64('pads', [pads.length], pads)]), opset));
      expect(bad('reflect', [0, 3, 0, 0])).toThrow(/Pad.*reflect padding of 3 on axis 1 of length 3 \(at most 2\)/);
      expect(bad('mirror', [0, 0, 0, 0])).toThrow(/Pad.*mode "mirror" is not supported/);
      expect(bad('wrap', [0, 0, 0, 0], 18)).toThrow(/mode "wrap" is not supported \(constant, reflect, edge\)/);
      expect(bad('constant', [0, 1, 0])).toThrow(/pads has 3 entries for 2 axes/);
      expect(bad('constant', [0, -2, 0, -2])).toThrow(/pads crop 2 and 2 from axis 1 of length 3/);
    });
  });
});
