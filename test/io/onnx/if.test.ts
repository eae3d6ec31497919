// If: inlined when the condition folds (a --const input, or a shape check), selected with `where`
// when it is data-dependent, refused naming the node when the branches' types differ.
import { describe, expect, it } from 'vitest';
import { UnsupportedOpError } from '../../../src/errors.ts';
import { tensor, toNumbers } from '../../../src/ir/tensor.ts';
import { importOnnx } from '../../../src/io/onnx/import.ts';
import { interpret } from '../../../src/runtime/interpreter.ts';
import { BOOL, INT64, attr, graph, model, node, value } from './model-builder.ts';

const f32 = (name: string, data: number[]) => ({ name, dims: [data.length], dataType: 1, floatData: data });
const i64 = (name: string, data: number[]) => ({ name, dims: [], dataType: INT64, int64Data: data });
// Each branch reads the outer x: then = x * 2, else = x + 10 (its own initializer).
const thenBranch = graph([node('Add', ['x', 'x'], ['t'])], [], [value('t', [3])]);
const elseBranch = graph([node('Add', ['x', 'ten'], ['e'])], [], [value('e', [3])], [f32('ten', [10, 10, 10])]);
const X = tensor('f32', [3], [1, 2, 3]);

describe('ONNX If', () => {
  // silero-style: cond = (sr == 16000), sr an i64 graph input.
  const vad = model(graph(
    [node('Equal', ['sr', 'rate'], ['c']), node('If', ['c'], ['y'], [attr.graph('then_branch', thenBranch), attr.graph('else_branch', elseBranch)], 'sr_if')],
    [value('x', [3]), value('sr', [], INT64)], [value('y', [3])], [i64('rate', [16000])],
  ));

  it('a condition pinned by constants inlines the taken branch, outer names resolved', () => {
    const g = importOnnx(vad, { constants: { sr: 16000 } });
    expect(g.inputs.map((i) => i.name)).toEqual(['x']);
    expect(g.nodes.map((n) => n.op)).toEqual(['add']);
    expect(toNumbers(interpret(g, { x: X }).y!)).toEqual([2, 4, 6]);
    const other = importOnnx(vad, { constants: { sr: 8000 } });
    expect(toNumbers(interpret(other, { x: X }).y!)).toEqual([11, 12, 13]);
  });

  it('a data-dependent condition runs both branches and selects', () => {
    const g = importOnnx(vad);
    expect(g.nodes.map((n) => n.op)).toContain('where');
    expect(toNumbers(interpret(g, { x: X, sr: tensor('i64', [], [16000]) }).y!)).toEqual([2, 4, 6]);
    expect(toNumbers(interpret(g, { x: X, sr: tensor('i64', [], [8000]) }).y!)).toEqual([11, 12, 13]);
    // A condition computed from a probability (the wake-word model's form), as a [1] bool.
    const p = model(graph(
      [node('Greater', ['x', 'half'], ['gt']), node('ReduceMax', ['gt_f'], ['m'], [attr.int('keepdims', 1)]), node('Cast', ['gt'], ['gt_f'], [attr.int('to', 1)]),
        node('Cast', ['m'], ['c'], [attr.int('to', BOOL)]), node('If', ['c'], ['y'], [attr.graph('then_branch', thenBranch), attr.graph('else_branch', elseBranch)])],
      [value('x', [3])], [value('y', [3])], [{ name: 'half', dims: [], dataType: 1, floatData: [0.5] }],
    ));
    const h = importOnnx(p);
    expect(toNumbers(interpret(h, { x: tensor('f32', [3], [0.1, 0.9, 0.2]) }).y!)).toEqual([0.2, 1.8, 0.4].map((v) => Math.fround(v)));
    expect(toNumbers(interpret(h, { x: tensor('f32', [3], [0.1, 0.2, 0.3]) }).y!)).toEqual([10.1, 10.2, 10.3].map((v) => Math.fround(v)));
  });

  it('a data-dependent If whose branches differ in type is refused, naming the node', () => {
    const short = graph([node('Slice', ['x', 's', 'e'], ['t'])], [], [value('t', [2])], [{ name: 's', dims: [1], dataType: INT64, int64Data: [0] }, { name: 'e', dims: [1], dataType: INT64, int64Data: [2] }]);
    const bad = model(graph([node('If', ['c'], ['y'], [attr.graph('then_branch', short), attr.graph('else_branch', elseBranch)], 'odd_if')], [value('x', [3]), value('c', [], BOOL)], [value('y', [3])]));
    expect(() => importOnnx(bad)).toThrow(UnsupportedOpError);
    expect(() => importOnnx(bad)).toThrow(/node "odd_if" \(If\): the condition "c" is only known at run time, and output 0 is f32\[2\] in then_branch but f32\[3\] in else_branch/);
    // Pinned, the same model imports.
    expect(toNumbers(interpret(importOnnx(bad, { constants: { c: 1 } }), { x: X }).y!)).toEqual([1, 2]);
  });

  it('unsupported ops inside a branch are reported with the rest', () => {
    const weird = graph([node('Frob', ['x'], ['t'])], [], [value('t', [3])]);
    const m = model(graph([node('If', ['c'], ['y'], [attr.graph('then_branch', weird), attr.graph('else_branch', elseBranch)]), node('Blip', ['y'], ['z'])], [value('x', [3]), value('c', [], BOOL)], [value('z', [3])]));
    expect(() => importOnnx(m, { name: 'w.onnx' })).toThrow(/w\.onnx: 2 unsupported feature\(s\): op Frob .*; op Blip/);
  });
});
