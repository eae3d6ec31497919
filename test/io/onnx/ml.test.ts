// ai.onnx.ml's Binarizer (strictly above the threshold) and ArrayFeatureExtractor (last axis; a
// 1-D input gives [1, k]; an index out of range is an error), interpreter and TS backend.
import { describe, expect, it } from 'vitest';
import { compile } from '../../../src/compile.ts';
import { tensor, toNumbers } from '../../../src/ir/tensor.ts';
import { importOnnx } from '../../../src/io/onnx/import.ts';
import { encodeModel } from '../../../src/io/onnx/schema.ts';
import { interpret } from '../../../src/runtime/interpreter.ts';
import { INT64, graph, value } from './model-builder.ts';

const ml = (op: string, inputs: object[], attrs: object[] = []) => importOnnx(encodeModel({
  irVersion: 8, opsetImport: [{ domain: '', version: 17 }, { domain: 'ai.onnx.ml', version: 1 }],
  graph: graph([{ opType: op, domain: 'ai.onnx.ml', input: inputs.map((v) => (v as { name: string }).name), output: ['y'], name: op, attribute: attrs }], inputs, [value('y', [])]),
}));

describe('ai.onnx.ml tensor ops', () => {
  it('Binarizer is 1 strictly above the threshold', async () => {
    const g = ml('Binarizer', [value('x', [3])], [{ name: 'threshold', type: 1, f: 0.5 }]);
    const x = tensor('f32', [3], [0.2, 0.5, 0.7]);
    expect(toNumbers(interpret(g, { x }).y!)).toEqual([0, 0, 1]);
    expect(toNumbers((await compile(g, { target: 'ts' })).run({ x }).y!)).toEqual([0, 0, 1]);
  });

  it('ArrayFeatureExtractor picks along the last axis; a 1-D input gives [1, k]; an index past the end is an error', async () => {
    const g = ml('ArrayFeatureExtractor', [value('x', [4]), value('i', [2], INT64)]);
    const inputs = { x: tensor('f32', [4], [10, 11, 12, 13]), i: tensor('i64', [2], [3, 1]) };
    const y = interpret(g, inputs).y!;
    expect([y.shape, toNumbers(y)]).toEqual([[1, 2], [13, 11]]);
    expect(toNumbers((await compile(g, { target: 'ts' })).run(inputs).y!)).toEqual([13, 11]);
    expect(() => interpret(g, { ...inputs, i: tensor('i64', [2], [4, 0]) })).toThrow(/out of range/);
  });
});
