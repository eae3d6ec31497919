// Sequences and optionals at import: sequence inputs and outputs flattened into named tensors
// (`x[0]`, `x[1]`, ...), the layouts option and its errors, each sequence op's semantics on
// hand-built models (positions, splits, stacking, SequenceMap with a whole tensor, optionals),
// the errors that name the node, and the compiled backends running what the import flattened.
import { describe, expect, it } from 'vitest';
import { compile } from '../../../src/compile.ts';
import { OnnxError, UnsupportedOpError } from '../../../src/errors.ts';
import { OnnxDynamicError } from '../../../src/io/onnx/context.ts';
import { importOnnx } from '../../../src/io/onnx/import.ts';
import { type OnnxValue, flattenOnnxValue, layoutOf } from '../../../src/io/onnx/structured.ts';
import { valueTypes } from '../../../src/ir/graph.ts';
import { tensor, toNumbers } from '../../../src/ir/tensor.ts';
import { interpret } from '../../../src/runtime/interpreter.ts';
import { BOOL, FLOAT, INT64, attr, graph, model, node, value } from './model-builder.ts';

const seqOf = (name: string, elem: object) => ({ name, type: { sequenceType: { elemType: elem } } });
const optOf = (name: string, elem: object) => ({ name, type: { optionalType: { elemType: elem } } });
const tensorT = (dims: number[] | undefined, elemType = FLOAT) => ({ tensorType: { elemType, ...(dims ? { shape: { dim: dims.map((d) => ({ dimValue: d })) } } : {}) } });
const i64 = (name: string, dims: number[], data: number[]) => ({ name, dims, dataType: INT64, int64Data: data });
const f = (shape: number[], data: number[]) => tensor('f32', shape, data);

describe('sequence values', () => {
  it('names a value\'s tensors as the graph does, and gives its layout', () => {
    const v: OnnxValue = { sequence: [f([1], [1]), { optional: null } as OnnxValue, { optional: f([2], [2, 3]) }] } as unknown as OnnxValue;
    expect(flattenOnnxValue('x', v).map(([n, t]) => [n, toNumbers(t)])).toEqual([['x[0]', [1]], ['x[2]', [2, 3]]]);
    expect(layoutOf(v)).toEqual({ sequence: [[1], { optional: null }, { optional: [2] }] });
  });

  it('a sequence input becomes one IR input per element; SequenceAt, Insert, Erase and Length rearrange it', () => {
    const m = model(graph(
      [
        node('SequenceInsert', ['s', 't', 'zero'], ['s1']), // [t, s0, s1]
        node('SequenceErase', ['s1', 'minus1'], ['s2']), // [t, s0]
        node('SequenceAt', ['s2', 'minus1'], ['last']), // s0
        node('SequenceLength', ['s1'], ['n']),
      ],
      [seqOf('s', tensorT([2])), value('t', [2])], [seqOf('s2', tensorT([2])), value('last', [2]), value('n', [], INT64)],
      [i64('zero', [], [0]), i64('minus1', [], [-1])],
    ));
    const g = importOnnx(m, { layouts: { s: { sequence: [[2], [2]] } } });
    expect(g.inputs.map((i) => i.name)).toEqual(['s[0]', 's[1]', 't']);
    expect(g.outputs.map((o) => o.name)).toEqual(['s2[0]', 's2[1]', 'last', 'n']);
    const out = interpret(g, { 's[0]': f([2], [1, 2]), 's[1]': f([2], [3, 4]), t: f([2], [9, 9]) });
    expect(toNumbers(out['s2[0]']!)).toEqual([9, 9]);
    expect(toNumbers(out['s2[1]']!)).toEqual([1, 2]);
    expect(toNumbers(out.last!)).toEqual([1, 2]);
    expect(toNumbers(out.n!)).toEqual([3]);
  });

  it('SplitToSequence (uneven scalar split, keepdims 0) and ConcatFromSequence (join and stack) match the spec on ts and wasm', async () => {
    const m = model(graph(
      [
        node('SplitToSequence', ['x', 'two'], ['parts'], [attr.int('axis', 1)]), // widths 2, 2, 1
        node('ConcatFromSequence', ['parts'], ['joined'], [attr.int('axis', 1)]),
        node('SplitToSequence', ['x'], ['rows'], [attr.int('axis', 0), attr.int('keepdims', 0)]),
        node('ConcatFromSequence', ['rows'], ['stacked'], [attr.int('axis', -1), attr.int('new_axis', 1)]),
      ],
      [value('x', [2, 5])], [seqOf('parts', tensorT(undefined)), value('joined', [2, 5]), value('stacked', [5, 2])],
      [i64('two', [], [2])],
    ));
    const g = importOnnx(m);
    const types = valueTypes(g);
    expect(g.outputs.map((o) => [o.name, types.get(o.id)!.shape])).toEqual([['parts[0]', [2, 2]], ['parts[1]', [2, 2]], ['parts[2]', [2, 1]], ['joined', [2, 5]], ['stacked', [5, 2]]]);
    const x = f([2, 5], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const target of ['ts', 'wasm'] as const) {
      const mod = await compile(g, { target });
      const out = await mod.run({ x });
      expect(toNumbers(out['parts[2]']!)).toEqual([4, 9]);
      expect(toNumbers(out.joined!)).toEqual(toNumbers(x));
      expect(toNumbers(out.stacked!)).toEqual([0, 5, 1, 6, 2, 7, 3, 8, 4, 9]);
      mod.dispose();
    }
  });

  it('SequenceMap zips sequence inputs and passes a tensor input whole to every call', () => {
    const body = graph([node('Add', ['a', 'b'], ['y'])], [value('a', [2]), value('b', [2])], [value('y', [2])]);
    const m = model(graph(
      [node('SequenceConstruct', ['p', 'q'], ['s']), node('SequenceMap', ['s', 'w'], ['ys'], [attr.graph('body', body)])],
      [value('p', [2]), value('q', [2]), value('w', [2])], [seqOf('ys', tensorT([2]))],
    ));
    const out = interpret(importOnnx(m), { p: f([2], [1, 2]), q: f([2], [3, 4]), w: f([2], [10, 20]) });
    expect(toNumbers(out['ys[0]']!)).toEqual([11, 22]);
    expect(toNumbers(out['ys[1]']!)).toEqual([13, 24]);
  });

  it('optionals: an empty one of the type attribute, OptionalHasElement and OptionalGetElement', () => {
    const m = model(graph(
      [
        node('Optional', [], ['none'], [{ name: 'type', type: 13, tp: tensorT([2]) }]),
        node('Optional', ['x'], ['some']),
        node('OptionalHasElement', ['none'], ['hasNone']),
        node('OptionalHasElement', ['some'], ['hasSome']),
        node('OptionalGetElement', ['some'], ['y']),
      ],
      [value('x', [2])], [value('hasNone', [], BOOL), value('hasSome', [], BOOL), value('y', [2]), optOf('none', tensorT([2]))],
    ), 18);
    const g = importOnnx(m);
    // The empty optional output flattens into no tensor at all.
    expect(g.outputs.map((o) => o.name)).toEqual(['hasNone', 'hasSome', 'y']);
    const out = interpret(g, { x: f([2], [5, 6]) });
    expect([toNumbers(out.hasNone!), toNumbers(out.hasSome!), toNumbers(out.y!)]).toEqual([[0], [1], [5, 6]]);
  });

  it('an optional input takes its layout: present, or empty (no IR input)', () => {
    const m = model(graph([node('OptionalHasElement', ['o'], ['has'])], [optOf('o', tensorT([3]))], [value('has', [], BOOL)]), 18);
    expect(importOnnx(m, { layouts: { o: { optional: [3] } } }).inputs.map((i) => i.name)).toEqual(['o']);
    const empty = importOnnx(m, { layouts: { o: { optional: null } } });
    expect(empty.inputs).toEqual([]);
    expect(toNumbers(interpret(empty, {}).has!)).toEqual([0]);
  });
});

describe('sequence errors name what and where', () => {
  const seqModel = model(graph([node('SequenceAt', ['s', 'p'], ['y'])], [seqOf('s', tensorT([2])), value('p', [], INT64)], [value('y', [2])]));

  it('a sequence input without a layout, a layout of the wrong form or size, and a layout for no such input', () => {
    expect(() => importOnnx(seqModel, { constants: { p: 0 } })).toThrow(/graph input "s" is a sequence, and shapes are static: give its layout \(loadOnnx's layouts option/);
    expect(() => importOnnx(seqModel, { constants: { p: 0 }, layouts: { s: [2] } })).toThrow(/graph input "s" is a sequence, but its layout \[2\] is not \{ sequence: \[\.\.\.\] \}/);
    expect(() => importOnnx(seqModel, { constants: { p: 0 }, layouts: { s: { sequence: [[3]] } } })).toThrow(/graph input "s" element 0: shape \[3\] does not fit the declared \[2\]/);
    expect(() => importOnnx(seqModel, { constants: { p: 0 }, layouts: { s: { sequence: [] }, zz: [1] } })).toThrow(/layout of "zz": the model has no sequence or optional input of that name/);
  });

  it('without a layout, the tensors a run binds (named x[0], x[1], ...) give it; none bound is still an error', () => {
    const g = importOnnx(seqModel, { constants: { p: 1 }, runShapes: { 's[0]': [2], 's[1]': [2] } });
    expect(g.inputs.map((i) => i.name)).toEqual(['s[0]', 's[1]']);
    expect(() => importOnnx(seqModel, { constants: { p: 0 }, runShapes: { t: [2] } })).toThrow(/graph input "s" is a sequence, and shapes are static: give its layout/);
  });

  it('a position only known at run time asks for its inputs to be pinned; out of range is an error naming the node', () => {
    const layouts = { s: { sequence: [[2], [2]] } };
    const dyn = (() => {
      try {
        importOnnx(seqModel, { layouts });
      } catch (e) {
        return e;
      }
    })();
    expect(dyn).toBeInstanceOf(OnnxDynamicError);
    expect((dyn as OnnxDynamicError).inputs).toEqual(['p']);
    expect(() => importOnnx(seqModel, { layouts, constants: { p: 2 } })).toThrow(OnnxError);
    expect(() => importOnnx(seqModel, { layouts, constants: { p: 2 } })).toThrow(/node "y" \(SequenceAt\): position 2 is out of range for a sequence of 2 element\(s\) \(allowed: -2 to 1\)/);
    expect(toNumbers(interpret(importOnnx(seqModel, { layouts, constants: { p: -2 } }), { 's[0]': f([2], [7, 8]), 's[1]': f([2], [0, 0]) }).y!)).toEqual([7, 8]);
  });

  it('a sequence where a tensor is taken, and a mismatched element type, are errors naming the node', () => {
    const m = model(graph([node('SequenceConstruct', ['x'], ['s']), node('Relu', ['s'], ['y'])], [value('x', [2])], [value('y', [2])]));
    expect(() => importOnnx(m)).toThrow(/node "y" \(Relu\): input 0 \("s"\) is a sequence, where the op takes a tensor/);
    const mixed = model(graph([node('SequenceConstruct', ['x', 'k'], ['s'])], [value('x', [2]), value('k', [2], INT64)], [seqOf('s', tensorT([2]))]));
    expect(() => importOnnx(mixed)).toThrow(/node "s" \(SequenceConstruct\): input 1 is i64\[2\], but the sequence holds tensors of f32/);
  });

  it('an If on a run-time condition whose branches give sequences is refused naming the node', () => {
    const branch = (src: string) => graph([node('SequenceConstruct', [src], [`s_${src}`])], [], [seqOf(`s_${src}`, tensorT([2]))]);
    const m = model(graph(
      [node('If', ['c'], ['s'], [attr.graph('then_branch', branch('x')), attr.graph('else_branch', branch('z'))])],
      [value('c', [], BOOL), value('x', [2]), value('z', [2])], [seqOf('s', tensorT([2]))],
    ));
    expect(() => importOnnx(m)).toThrow(UnsupportedOpError);
    expect(() => importOnnx(m)).toThrow(/node "s" \(If\): the condition "c" is only known at run time, and a branch gives a sequence/);
    expect(importOnnx(m, { constants: { c: 1 } }).outputs.map((o) => o.name)).toEqual(['s[0]']);
  });
});
