// Ops whose output shape depends on values (NonZero, Unique, Compress's condition) are computed at
// import from known values and refused, naming the input and the reason, when those are run-time
// inputs; OneHot and EyeLike, whose shapes are static, on small hand-worked inputs.
import { describe, expect, it } from 'vitest';
import { OnnxDynamicError } from '../../../src/io/onnx/context.ts';
import { tensor, toNumbers } from '../../../src/ir/tensor.ts';
import { importOnnx } from '../../../src/io/onnx/import.ts';
import { interpret } from '../../../src/runtime/interpreter.ts';
import { BOOL, FLOAT, INT64, attr, graph, model, node, value } from './model-builder.ts';

const f32s = (name: string, dims: number[], data: number[]) => ({ name, dims, dataType: FLOAT, floatData: data });
const i64s = (name: string, dims: number[], data: number[]) => ({ name, dims, dataType: INT64, int64Data: data });
const bools = (name: string, dims: number[], data: number[]) => ({ name, dims, dataType: BOOL, int32Data: data });

describe('data-dependent output shapes', () => {
  it('NonZero of a known tensor is a constant of coordinates', () => {
    const g = importOnnx(model(graph([node('NonZero', ['x'], ['y'])], [], [value('y', [], INT64)], [i64s('x', [2, 2], [1, 0, 0, 3])]), 13));
    const y = interpret(g, {}).y!;
    expect(y.shape).toEqual([2, 2]);
    expect(toNumbers(y)).toEqual([0, 1, 0, 1]);
  });

  it('Unique of a run-time input is refused, naming the input and why', () => {
    const m = model(graph([node('Unique', ['x'], ['y'])], [value('x', [4])], [value('y', [])]), 11);
    let err: unknown;
    try { importOnnx(m); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(OnnxDynamicError);
    expect((err as Error).message).toMatch(/node "y" \(Unique\): X, whose values decide the output shape of Unique \(opgraph's shapes are static\), \(input 0, "x"\) must be known at import time/);
  });

  it('Unique of a known tensor: sorted values, first indices, inverse and counts', () => {
    const outs = ['y', 'idx', 'inv', 'cnt'];
    const g = importOnnx(model(graph([node('Unique', ['x'], outs)], [], outs.map((o) => value(o, [], o === 'y' ? FLOAT : INT64)), [f32s('x', [5], [3, 1, 3, 2, 1])]), 11));
    const out = interpret(g, {});
    expect(outs.map((o) => toNumbers(out[o]!))).toEqual([[1, 2, 3], [1, 3, 0], [2, 0, 2, 1, 0], [2, 1, 2]]);
  });

  it('Compress with a known condition is a gather: its data may be a run-time input', () => {
    const g = importOnnx(model(graph([node('Compress', ['x', 'c'], ['y'], [attr.int('axis', 1)])], [value('x', [2, 3])], [value('y', [])], [bools('c', [3], [1, 0, 1])]), 11));
    expect(g.nodes.map((n) => n.op)).toEqual(['constant', 'gather']);
    expect(toNumbers(interpret(g, { x: tensor('f32', [2, 3], [1, 2, 3, 4, 5, 6]) }).y!)).toEqual([1, 3, 4, 6]);
  });
});

describe('OneHot and EyeLike', () => {
  it('OneHot: negative indices count from depth; out of range gives a row of off values', () => {
    const g = importOnnx(model(graph([node('OneHot', ['i', 'd', 'v'], ['y'])], [value('i', [3], INT64)], [value('y', [])], [f32s('d', [], [3]), f32s('v', [2], [-1, 5])]), 11));
    const y = interpret(g, { i: tensor('i64', [3], [0, -1, 3]) }).y!;
    expect(y.shape).toEqual([3, 3]);
    expect(toNumbers(y)).toEqual([5, -1, -1, -1, -1, 5, -1, -1, -1]);
  });

  it('EyeLike: ones on diagonal k, the dtype attribute or the input type', () => {
    const g = importOnnx(model(graph([node('EyeLike', ['x'], ['y'], [attr.int('k', -1), attr.int('dtype', FLOAT)])], [value('x', [3, 2], INT64)], [value('y', [])]), 22));
    const y = interpret(g, { x: tensor('i64', [3, 2], [0, 0, 0, 0, 0, 0]) }).y!;
    expect(y.dtype).toBe('f32');
    expect(toNumbers(y)).toEqual([0, 0, 1, 0, 0, 1]);
  });
});

describe('NonMaxSuppression', () => {
  // Three boxes [y1, x1, y2, x2]: 1 lies inside 0 (IoU 0.81 / 1); 2 is apart.
  const boxes = f32s('boxes', [1, 3, 4], [0, 0, 1, 1, 0.1, 0.1, 1, 1, 2, 2, 3, 3]);
  const nms = (scores: number[], iou: number, max: number) => model(graph(
    [node('NonMaxSuppression', ['boxes', 'scores', 'max', 'iou'], ['sel'])],
    [], [value('sel', [], INT64)], [boxes, f32s('scores', [1, 1, 3], scores), i64s('max', [1], [max]), f32s('iou', [1], [iou])],
  ), 11);

  it('known inputs fold to the selected (batch, class, box) rows, highest score first', () => {
    expect(toNumbers(interpret(importOnnx(nms([0.9, 0.8, 0.7], 0.5, 3)), {}).sel!)).toEqual([0, 0, 0, 0, 0, 2]);
    // Scored the other way, boxes 2 and 1 come first and overlap nothing selected; max_output 2 stops there.
    expect(toNumbers(interpret(importOnnx(nms([0.7, 0.8, 0.9], 0.7, 2)), {}).sel!)).toEqual([0, 0, 2, 0, 0, 1]);
  });

  it('run-time boxes are refused, naming the input and why', () => {
    const m = model(graph([node('NonMaxSuppression', ['b', 's'], ['sel'])], [value('b', [1, 3, 4]), value('s', [1, 1, 3])], [value('sel', [], INT64)]), 11);
    expect(() => importOnnx(m)).toThrow(OnnxDynamicError);
    expect(() => importOnnx(m)).toThrow(/node "sel" \(NonMaxSuppression\): boxes, whose values decide how many boxes NonMaxSuppression selects/);
  });
});
