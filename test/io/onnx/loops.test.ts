// Scan and Loop unrolled at import: carried state, reversed scan inputs and outputs, a Loop whose
// condition folds each iteration, the unroll limit, refusals naming the node, and the graph
// inputs a value that must be known at import is computed from (what test-onnx pins).
import { describe, expect, it } from 'vitest';
import { LimitError, UnsupportedOpError } from '../../../src/errors.ts';
import { OnnxDynamicError } from '../../../src/io/onnx/context.ts';
import { tensor, toNumbers } from '../../../src/ir/tensor.ts';
import { importOnnx } from '../../../src/io/onnx/import.ts';
import { interpret } from '../../../src/runtime/interpreter.ts';
import { BOOL, INT64, attr, graph, model, node, value } from './model-builder.ts';

const ints = (name: string, ints: number[]) => ({ name, type: 7, ints });
const i64 = (name: string, dims: number[], data: number[]) => ({ name, dims, dataType: INT64, int64Data: data });
const bool = (name: string, v: number) => ({ name, dims: [], dataType: BOOL, int32Data: [v] });

// Body: s' = s + x_t; out_t = s' * x_t.
const sumBody = graph([node('Add', ['s', 'xt'], ['s2']), node('Mul', ['s2', 'xt'], ['o'])], [value('s', [2]), value('xt', [2])], [value('s2', [2]), value('o', [2])]);

describe('ONNX Scan', () => {
  it('scans axis 1 in reverse and stacks the outputs on axis 0 in reverse, as the spec orders them', () => {
    const m = model(graph(
      [node('Scan', ['init', 'x'], ['final', 'outs'], [attr.graph('body', sumBody), attr.int('num_scan_inputs', 1), ints('scan_input_axes', [1]), ints('scan_input_directions', [1]), ints('scan_output_directions', [1])])],
      [value('init', [2]), value('x', [2, 3])], [value('final', [2]), value('outs', [3, 2])],
    ), 16);
    const g = importOnnx(m);
    // x columns: [1,4], [2,5], [3,6]; scanned from the last column.
    const out = interpret(g, { init: tensor('f32', [2], [0, 0]), x: tensor('f32', [2, 3], [1, 2, 3, 4, 5, 6]) });
    expect(toNumbers(out.final!)).toEqual([6, 15]);
    // Iterations (t = 0, 1, 2 on columns 2, 1, 0): s = [3,6], [5,11], [6,15]; out = s * x_t = [9,36], [10,55], [6,60]; reversed.
    expect(toNumbers(out.outs!)).toEqual([6, 60, 10, 55, 9, 36]);
  });

  it('Scan-8 runs one scan per batch row', () => {
    const m = model(graph(
      [node('Scan', ['', 'init', 'x'], ['final', 'outs'], [attr.graph('body', sumBody), attr.int('num_scan_inputs', 1)])],
      [value('init', [2, 2]), value('x', [2, 2, 2])], [value('final', [2, 2]), value('outs', [2, 2, 2])],
    ), 8);
    const out = interpret(importOnnx(m), { init: tensor('f32', [2, 2], [0, 0, 1, 1]), x: tensor('f32', [2, 2, 2], [1, 2, 3, 4, 1, 1, 2, 2]) });
    expect(toNumbers(out.final!)).toEqual([4, 6, 4, 4]);
    expect(toNumbers(out.outs!)).toEqual([1, 4, 12, 24, 2, 2, 8, 8]);
  });

  it('an unroll past maxUnrolledNodes is a LimitError naming the node', () => {
    const m = model(graph(
      [node('Scan', ['init', 'x'], ['final', 'outs'], [attr.graph('body', sumBody), attr.int('num_scan_inputs', 1)])],
      [value('init', [2]), value('x', [50, 2])], [value('final', [2]), value('outs', [50, 2])],
    ), 16);
    expect(() => importOnnx(m, { limits: { maxUnrolledNodes: 99 } })).toThrow(LimitError);
    expect(() => importOnnx(m, { limits: { maxUnrolledNodes: 99 } })).toThrow(/node "final" \(Scan\): unrolling 50 iterations of a 2-node body gives 100 nodes, over the limit maxUnrolledNodes = 99/);
    expect(importOnnx(m, { limits: { maxUnrolledNodes: 100 } }).nodes.length).toBeGreaterThan(100);
  });
});

// Body: cond' = (i + 1 < 3) via Less; y' = y + i (i cast to float); scan out y'.
const loopBody = graph(
  [node('Cast', ['i'], ['fi'], [attr.int('to', 1)]), node('Add', ['y', 'fi'], ['y2']), node('Add', ['i', 'one'], ['i1']), node('Less', ['i1', 'three'], ['c2']), node('Identity', ['y2'], ['so'])],
  [value('i', [], INT64), value('c', [], BOOL), value('y', [2])], [value('c2', [], BOOL), value('y2', [2]), value('so', [2])],
  [i64('one', [], [1]), i64('three', [], [3])],
);

describe('ONNX Loop', () => {
  it('runs while the folded condition holds, below the trip count, and stacks the scan output', () => {
    const m = model(graph(
      [node('Loop', ['M', 'cond', 'y0'], ['y', 'ys'], [attr.graph('body', loopBody)])],
      [value('y0', [2])], [value('y', [2]), value('ys', [3, 2])], [i64('M', [], [10]), bool('cond', 1)],
    ), 16);
    const out = interpret(importOnnx(m), { y0: tensor('f32', [2], [1, 2]) });
    // i = 0, 1, 2: y = [1,2], [2,3], [4,5]; the condition is false after i = 2.
    expect(toNumbers(out.y!)).toEqual([4, 5]);
    expect(toNumbers(out.ys!)).toEqual([1, 2, 2, 3, 4, 5]);
    // A trip count of 2 stops first.
    const two = model(graph(
      [node('Loop', ['M', '', 'y0'], ['y', 'ys'], [attr.graph('body', loopBody)])],
      [value('y0', [2])], [value('y', [2]), value('ys', [2, 2])], [i64('M', [], [2])],
    ), 16);
    expect(toNumbers(interpret(importOnnx(two), { y0: tensor('f32', [2], [1, 2]) }).ys!)).toEqual([1, 2, 2, 3]);
  });

  it('a condition computed from run-time values is refused, naming the node and why', () => {
    const body = graph([node('Greater', ['y', 'y'], ['c2']), node('Identity', ['y'], ['y2'])], [value('i', [], INT64), value('c', [], BOOL), value('y', [])], [value('c2', [], BOOL), value('y2', [])]);
    const m = model(graph([node('Loop', ['', 'cond', 'y0'], ['y'], [attr.graph('body', body)])], [value('y0', [])], [value('y', [])], [bool('cond', 1)]), 16);
    expect(() => importOnnx(m)).toThrow(UnsupportedOpError);
    expect(() => importOnnx(m)).toThrow(/node "y" \(Loop\): the condition output of iteration 0 depends on run-time values/);
  });

  it('a trip count computed from graph inputs names them, and pinning them imports', () => {
    const m = model(graph(
      [node('Add', ['a', 'b'], ['M']), node('Loop', ['M', '', 'y0'], ['y', 'ys'], [attr.graph('body', loopBody)])],
      [value('a', [], INT64), value('b', [], INT64), value('y0', [2])], [value('y', [2]), value('ys', [2, 2])],
    ), 16);
    let err: unknown;
    try { importOnnx(m); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(OnnxDynamicError);
    expect((err as OnnxDynamicError).value).toBe('M');
    expect((err as OnnxDynamicError).inputs).toEqual(['a', 'b']);
    const g = importOnnx(m, { constants: { a: 1, b: 1 } });
    expect(toNumbers(interpret(g, { y0: tensor('f32', [2], [0, 0]) }).y!)).toEqual([1, 1]);
  });
});
