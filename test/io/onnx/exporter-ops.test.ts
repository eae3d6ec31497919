// The ops exporters emit first (Trilu, Tile, GreaterOrEqual, LessOrEqual, Clip, CastLike), lowered
// onto IR ops: values worked by hand, NaN comparisons, and a constant Trilu folding away.
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
});
