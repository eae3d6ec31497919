// ONNX ops composed from IR ops: GatherND (batch dims, negative indices, an out-of-range index
// reported by gather's range check), DepthToSpace and SpaceToDepth (inverse of each other), LpNormalization.
import { describe, expect, it } from 'vitest';
import { compile } from '../../../src/compile.ts';
import { IndexError } from '../../../src/errors.ts';
import { tensor, toNumbers } from '../../../src/ir/tensor.ts';
import { importOnnx } from '../../../src/io/onnx/import.ts';
import { interpret } from '../../../src/runtime/interpreter.ts';
import { INT64, attr, graph, model, node, value } from './model-builder.ts';

const str = (name: string, s: string) => ({ name, type: 3, s: new TextEncoder().encode(s) });

describe('composed ONNX ops', () => {
  const gatherND = (batchDims: number, idxShape: number[]) =>
    importOnnx(model(graph([node('GatherND', ['x', 'i'], ['y'], [attr.int('batch_dims', batchDims)])], [value('x', [2, 2, 2]), value('i', idxShape, INT64)], [value('y', [])]), 13));
  const X = tensor('f32', [2, 2, 2], [0, 1, 2, 3, 4, 5, 6, 7]);

  it('GatherND picks slices by tuples (negative indices wrap), and within batches', () => {
    expect(toNumbers(interpret(gatherND(0, [2, 2]), { x: X, i: tensor('i64', [2, 2], [1, 0, -2, 1]) }).y!)).toEqual([4, 5, 2, 3]);
    // batch_dims 1: batch b picks x[b][i[b]].
    expect(toNumbers(interpret(gatherND(1, [2, 1]), { x: X, i: tensor('i64', [2, 1], [1, 0]) }).y!)).toEqual([2, 3, 4, 5]);
  });

  it('GatherND with an index out of range is an IndexError on the interpreter and the TS backend', async () => {
    const g = gatherND(0, [1, 2]);
    const bad = { x: X, i: tensor('i64', [1, 2], [0, 2]) };
    expect(() => interpret(g, bad)).toThrow(IndexError);
    expect(() => interpret(g, bad)).toThrow(/out of range/);
    const m = await compile(g, { target: 'ts' });
    expect(() => m.run(bad)).toThrow(/out of range/);
  });

  it('DepthToSpace (DCR and CRD) and SpaceToDepth undo each other', () => {
    const x = tensor('f32', [1, 4, 1, 2], [0, 1, 2, 3, 4, 5, 6, 7]);
    for (const mode of ['DCR', 'CRD']) {
      const d2s = importOnnx(model(graph([node('DepthToSpace', ['x'], ['y'], [attr.int('blocksize', 2), str('mode', mode)])], [value('x', [1, 4, 1, 2])], [value('y', [])]), 13));
      const y = interpret(d2s, { x }).y!;
      expect(y.shape).toEqual([1, 1, 2, 4]);
      if (mode === 'DCR') {
        // channel c = (bh * 2 + bw): out[0,0,bh,w*2+bw] = x[0,c,0,w].
        expect(toNumbers(y)).toEqual([0, 2, 1, 3, 4, 6, 5, 7]);
        const s2d = importOnnx(model(graph([node('SpaceToDepth', ['y'], ['z'], [attr.int('blocksize', 2)])], [value('y', [1, 1, 2, 4])], [value('z', [])]), 13));
        expect(toNumbers(interpret(s2d, { y }).z!)).toEqual(toNumbers(x));
      }
    }
  });

  it('LpNormalization is 0 where the norm is 0', () => {
    const g = importOnnx(model(graph([node('LpNormalization', ['x'], ['y'], [attr.int('axis', 1), attr.int('p', 1)])], [value('x', [2, 2])], [value('y', [])]), 13));
    expect(toNumbers(interpret(g, { x: tensor('f32', [2, 2], [1, -3, 0, 0]) }).y!)).toEqual([0.25, -0.75, 0, 0]);
  });
});
