// GridSample and AffineGrid on hand-worked points: bilinear at corners and centre, a point past
// the border under each padding mode, nearest and cubic at pixel centres, and an identity theta.
import { describe, expect, it } from 'vitest';
import { tensor, toNumbers } from '../../../src/ir/tensor.ts';
import { importOnnx } from '../../../src/io/onnx/import.ts';
import { interpret } from '../../../src/runtime/interpreter.ts';
import { INT64, graph, model, node, value } from './model-builder.ts';

const str = (name: string, s: string) => ({ name, type: 3, s: new TextEncoder().encode(s) });
const int = (name: string, i: number) => ({ name, type: 2, i });
const X = tensor('f32', [1, 1, 2, 2], [1, 2, 3, 4]);

function sample(points: number[][], attrs: object[]): number[] {
  const m = model(graph([node('GridSample', ['x', 'g'], ['y'], attrs)], [value('x', [1, 1, 2, 2]), value('g', [1, 1, points.length, 2])], [value('y', [1, 1, 1, points.length])]), 20);
  return toNumbers(interpret(importOnnx(m), { x: X, g: tensor('f32', [1, 1, points.length, 2], points.flat()) }).y!);
}

describe('ONNX GridSample', () => {
  it('linear with align_corners: corners, centre, and a point past the right border per padding mode', () => {
    const pts = [[-1, -1], [1, 1], [0, 0], [2, 0]];
    // (2, 0): x = 1.5, y = 0.5. zeros: half of column 1's mean (3); border: x clamped to 1 -> 3; reflection: x -> 0.5 -> 2.5.
    expect(sample(pts, [str('mode', 'linear'), int('align_corners', 1)])).toEqual([1, 4, 2.5, 1.5]);
    expect(sample(pts, [str('mode', 'linear'), int('align_corners', 1), str('padding_mode', 'border')])).toEqual([1, 4, 2.5, 3]);
    expect(sample(pts, [str('mode', 'linear'), int('align_corners', 1), str('padding_mode', 'reflection')])).toEqual([1, 4, 2.5, 2.5]);
  });

  it('nearest and cubic reproduce the pixels at their centres (align_corners 0)', () => {
    const centres = [[-0.5, -0.5], [0.5, -0.5], [-0.5, 0.5], [0.5, 0.5]];
    expect(sample(centres, [str('mode', 'nearest')])).toEqual([1, 2, 3, 4]);
    // Keys weights at t = 0 are (0, 1, 0, 0): each centre is its own pixel.
    expect(sample(centres, [str('mode', 'cubic'), str('padding_mode', 'border')])).toEqual([1, 2, 3, 4]);
  });
});

describe('ONNX AffineGrid', () => {
  it('an identity theta gives the base grid of pixel centres', () => {
    const m = model(graph([node('AffineGrid', ['t', 's'], ['g'])], [value('t', [1, 2, 3])], [value('g', [1, 2, 2, 2])], [{ name: 's', dims: [4], dataType: INT64, int64Data: [1, 1, 2, 2] }]), 20);
    const g = interpret(importOnnx(m), { t: tensor('f32', [1, 2, 3], [1, 0, 0, 0, 1, 0]) }).g!;
    expect(toNumbers(g)).toEqual([-0.5, -0.5, 0.5, -0.5, -0.5, 0.5, 0.5, 0.5]);
  });
});
