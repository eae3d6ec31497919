// The wasm row families (softmax, logSoftmax, layerNorm) against the interpreter, over the full
// unit range and split into ranges, at both SIMD levels, with ragged rows and edge values.
import { describe, expect, it } from 'vitest';
import { layerNormFamily, softmaxFamily } from '../../src/codegen/wasm/kernels/rows.ts';
import { f32 } from '../../src/ir/tensor.ts';
import { tensorType } from '../../src/ir/types.ts';
import { checkFamily, oneNode, randomInputs } from './rows-harness.ts';

const t = (...shape: number[]) => tensorType('f32', shape);

describe('wasm row families', () => {
  for (const op of ['softmax', 'logSoftmax'] as const) {
    it(`${op} over the last axis: rows of 1, 3, 4, 37 and 1000 elements`, () => {
      for (const shape of [[5, 1], [4, 3], [2, 3, 4], [6, 37], [3, 1000]]) {
        const g = oneNode(op, { axis: -1 }, [t(...shape)]);
        checkFamily(g, softmaxFamily, randomInputs(g, 5, -20, 20));
      }
    });
    it(`${op}: a row of -Infinity gives NaN, +Infinity and NaN propagate as the reference`, () => {
      const g = oneNode(op, { axis: 1 }, [t(4, 6)]);
      const x = [-Infinity, -Infinity, -Infinity, -Infinity, -Infinity, -Infinity, 1, 2, -Infinity, 3, 4, 5, 1, Infinity, 2, 3, 4, 5, 1, 2, NaN, 3, 4, 5];
      checkFamily(g, softmaxFamily, { x0: f32([4, 6], x) });
    });
  }
  it('declines softmax along an inner axis', () => {
    const g = oneNode('softmax', { axis: 0 }, [t(4, 6)]);
    const n = g.nodes[0]!;
    expect(softmaxFamily.accepts({ node: n as never, inputs: [t(4, 6)], outputs: [t(4, 6)], staticInputs: [false], simd: 'plain' })).toBe(false);
  });
  it('layerNorm with and without scale and bias, over one or two trailing dims', () => {
    for (const [shape, axis] of [[[4, 37], -1], [[3, 2, 8], 1], [[2, 512], 1], [[7, 3], -1]] as const) {
      const dims = shape.slice(axis < 0 ? shape.length + axis : axis);
      for (const affine of [0, 1, 2]) {
        const g = oneNode('layerNorm', { axis, epsilon: 1e-5 }, [t(...shape), ...Array.from({ length: affine }, () => t(...dims))]);
        checkFamily(g, layerNormFamily, randomInputs(g, 9, -4, 6));
      }
    }
  });
});
