// Free input sizes: shapes, dims (dim_param overrides), sizes from run tensors, constants, and the
// one error listing every size still unknown.
import { describe, expect, it } from 'vitest';
import { OnnxError } from '../../../src/errors.ts';
import { tensor, toNumbers } from '../../../src/ir/tensor.ts';
import { UnknownDimError, importOnnx, loadOnnx } from '../../../src/index.ts';
import { interpret } from '../../../src/runtime/interpreter.ts';
import { INT64, graph, model, node, value } from './model-builder.ts';

// z = x + y, x: [batch, seq, 4], y: [batch, ?, 4].
const add = model(graph([node('Add', ['x', 'y'], ['z'])], [value('x', ['batch', 'seq', 4]), value('y', ['batch', null, 4])], [value('z', ['batch', 'seq', 4])]));
const shapesOf = (g: ReturnType<typeof importOnnx>) => g.inputs.map((i) => i.type.shape);

describe('free input dimensions', () => {
  it('one error lists every unknown size once, with the flag that gives it', () => {
    let e: unknown;
    try {
      importOnnx(add, { name: 'm.onnx' });
    } catch (err) {
      e = err;
    }
    expect(e).toBeInstanceOf(UnknownDimError);
    expect((e as UnknownDimError).unknown).toEqual([
      { input: 'x', axis: 0, param: 'batch' }, { input: 'x', axis: 1, param: 'seq' }, { input: 'y', axis: 0, param: 'batch' }, { input: 'y', axis: 1 },
    ]);
    expect((e as Error).message).toBe('m.onnx: 3 input size(s) unknown, and shapes are static: free dimension "batch" (graph input "x" axis 0, "y" axis 0): give --dim batch=N; '
      + 'free dimension "seq" (graph input "x" axis 1): give --dim seq=N; graph input "y" axis 1 (unnamed): give --shape y=N,N,4 '
      + "(API: loadOnnx's dims and shapes options; run takes them from its --inputs)");
  });

  it('dims name free dimensions across inputs; shapes give the rest', () => {
    expect(shapesOf(importOnnx(add, { dims: { batch: 2, seq: 3 }, shapes: { y: [2, 3, 4] } }))).toEqual([[2, 3, 4], [2, 3, 4]]);
    // A shape binds its dim_params for every other input.
    expect(shapesOf(importOnnx(add, { shapes: { x: [5, 1, 4], y: [5, 1, 4] } }))).toEqual([[5, 1, 4], [5, 1, 4]]);
    expect(() => importOnnx(add, { dims: { bach: 2 } })).toThrow(/--dim bach: the model has no free dimension "bach" \(its free dimensions: batch, seq\)/);
    expect(() => importOnnx(add, { dims: { batch: 2 }, shapes: { x: [3, 1, 4] } })).toThrow(/dimension "batch" is 3 by --shape x but 2 by --dim batch/);
    expect(() => importOnnx(add, { shapes: { x: [2, 1, 5] } })).toThrow(/--shape x gives shape \[2,1,5\], which differs from the declared size 4 at axis 2/);
    expect(() => importOnnx(add, { shapes: { w: [1] } })).toThrow(/"w" is not a graph input of the model \(its inputs: x, y\)/);
  });

  it('runShapes fill only what is still unknown, ignore names and shapes that do not fit', () => {
    const runShapes = { x: [2, 3, 4], y: [2, 3, 4], other: [7] };
    const g = importOnnx(add, { runShapes });
    expect(shapesOf(g)).toEqual([[2, 3, 4], [2, 3, 4]]);
    const out = interpret(g, { x: tensor('f32', [2, 3, 4], new Float32Array(24).fill(1)), y: tensor('f32', [2, 3, 4], new Float32Array(24).fill(2)) });
    expect(toNumbers(out.z!)).toEqual(new Array(24).fill(3));
    // Explicit dims win over the tensors; inconsistent tensors are an error naming both.
    expect(shapesOf(importOnnx(add, { dims: { batch: 2, seq: 3 }, runShapes: { y: [2, 1, 4] } }))).toEqual([[2, 3, 4], [2, 1, 4]]);
    expect(() => importOnnx(add, { runShapes: { x: [2, 3, 4], y: [3, 3, 4] } })).toThrow(/dimension "batch" is 3 by the input tensor "y" but 2 by the input tensor "x"/);
  });

  it('constants pin inputs in their declared dtype and shape, and everything downstream folds', async () => {
    // y = x * Cast(n), n: i64 scalar.
    const m = model(graph(
      [node('Cast', ['n'], ['nf'], [{ name: 'to', type: 2, i: 1 }]), node('Mul', ['x', 'nf'], ['y'])],
      [value('x', [2]), value('n', [], INT64)], [value('y', [2])],
    ));
    const g = await loadOnnx(m, { constants: { n: 3 } });
    expect(g.inputs.map((i) => i.name)).toEqual(['x']);
    expect(g.nodes.map((n) => n.op)).toEqual(['constant', 'mul']);
    expect(toNumbers(interpret(g, { x: tensor('f32', [2], [1, 2]) }).y!)).toEqual([3, 6]);
    expect(() => importOnnx(m, { constants: { n: 1.5 } })).toThrow(OnnxError);
    expect(() => importOnnx(m, { constants: { n: [1, 2] } })).toThrow(/constant has 2 value\(s\), which does not fit the declared shape \[\]/);
  });
});
