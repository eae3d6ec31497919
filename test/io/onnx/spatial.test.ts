// The spatial and linear-algebra ONNX compositions on hand-worked cases, interpreter and TS backend:
// LRN, CenterCropPad (crop and pad), Col2Im (overlapping blocks summed), MaxUnpool (and its range
// check), Det (3 x 3; 5 x 5 refused), DeformConv (bilinear samples, zero outside),
// RoiAlign (avg and max).
import { describe, expect, it } from 'vitest';
import { compile } from '../../../src/compile.ts';
import { type Tensor, tensor, toNumbers } from '../../../src/ir/tensor.ts';
import { importOnnx } from '../../../src/io/onnx/import.ts';
import { interpret } from '../../../src/runtime/interpreter.ts';
import { INT64, attr, graph, model, node, value } from './model-builder.ts';

const ints = (name: string, v: number[]) => ({ name, type: 7, ints: v });
const flt = (name: string, f: number) => ({ name, type: 1, f });
const i64 = (name: string, v: number[]) => ({ name, dataType: INT64, dims: [v.length], int64Data: v });

async function both(g: ReturnType<typeof importOnnx>, inputs: Record<string, Tensor>, want: number[], digits?: number): Promise<void> {
  const m = await compile(g, { target: 'ts' });
  for (const y of [interpret(g, inputs).y!, m.run(inputs).y!]) {
    if (digits === undefined) expect(toNumbers(y)).toEqual(want);
    else toNumbers(y).forEach((v, i) => expect(v).toBeCloseTo(want[i]!, digits));
  }
}

describe('spatial ONNX compositions', () => {
  it('LRN sums squares over the channel window (clipped at the ends)', async () => {
    const g = importOnnx(model(graph([node('LRN', ['x'], ['y'], [attr.int('size', 3), flt('alpha', 3), flt('beta', 1), flt('bias', 1)])], [value('x', [1, 3, 1, 1])], [value('y', [])]), 13));
    // Window sums 1+4, 1+4+9, 4+9; y = x / (1 + 3/3 * sum).
    await both(g, { x: tensor('f32', [1, 3, 1, 1], [1, 2, 3]) }, [1 / 6, 2 / 15, 3 / 14], 6);
  });

  it('CenterCropPad crops from floor((n - t) / 2) and pads floor((t - n) / 2) zeros before', async () => {
    const run = (t: number) => importOnnx(model(graph([node('CenterCropPad', ['x', 's'], ['y'])], [value('x', [5])], [value('y', [])], [i64('s', [t])]), 18));
    const x = tensor('f32', [5], [0, 1, 2, 3, 4]);
    await both(run(3), { x }, [1, 2, 3]);
    await both(run(8), { x }, [0, 0, 1, 2, 3, 4, 0, 0]);
  });

  it('Col2Im adds overlapping blocks into the image', async () => {
    // Image [3], block [2]: column 0 covers pixels 0-1, column 1 pixels 1-2; input[k][l].
    const g = importOnnx(model(graph([node('Col2Im', ['x', 'img', 'blk'], ['y'])], [value('x', [1, 2, 2])], [value('y', [])], [i64('img', [3]), i64('blk', [2])]), 18));
    await both(g, { x: tensor('f32', [1, 2, 2], [1, 2, 3, 4]) }, [1, 2 + 3, 4]);
  });

  it('MaxUnpool writes values at their flat indices into zeros; an index past the output is an error', async () => {
    const g = importOnnx(model(graph([node('MaxUnpool', ['x', 'i'], ['y'], [ints('kernel_shape', [1, 2]), ints('strides', [1, 2])])], [value('x', [1, 1, 1, 2]), value('i', [1, 1, 1, 2], INT64)], [value('y', [])]), 22));
    const x = tensor('f32', [1, 1, 1, 2], [5, 7]);
    await both(g, { x, i: tensor('i64', [1, 1, 1, 2], [1, 2]) }, [0, 5, 7, 0]);
    expect(() => interpret(g, { x, i: tensor('i64', [1, 1, 1, 2], [1, 4]) })).toThrow(/out of range/);
  });

  it('Det by cofactor expansion; a 5 x 5 matrix is refused naming the size', async () => {
    const g = importOnnx(model(graph([node('Det', ['x'], ['y'])], [value('x', [3, 3])], [value('y', [])]), 22));
    // 2 (3*4 - 2*1) - 0 + 1 (1*1 - 3*1) = 18.
    await both(g, { x: tensor('f32', [3, 3], [2, 0, 1, 1, 3, 2, 1, 1, 4]) }, [18]);
    expect(() => importOnnx(model(graph([node('Det', ['x'], ['y'])], [value('x', [5, 5])], [value('y', [])]), 22))).toThrow(/Det.*5 x 5 matrices are not supported/);
  });

  it('DeformConv samples bilinearly at the offset positions, corners outside the image counting 0', async () => {
    const g = importOnnx(model(graph([node('DeformConv', ['x', 'w', 'off'], ['y'])], [value('x', [1, 1, 2, 2]), value('w', [1, 1, 1, 1]), value('off', [1, 2, 2, 2])], [value('y', [])]), 22));
    // Every output samples half a pixel down and right: (0.5, 0.5) is the mean of all four; (0.5, 1.5)
    // a quarter each of x[0][1] and x[1][1]; (1.5, 0.5) of x[1][0] and x[1][1]; (1.5, 1.5) a quarter of x[1][1].
    const inputs = { x: tensor('f32', [1, 1, 2, 2], [1, 2, 3, 4]), w: tensor('f32', [1, 1, 1, 1], [1]), off: tensor('f32', [1, 2, 2, 2], Array(8).fill(0.5)) };
    await both(g, inputs, [2.5, 1.5, 1.75, 1], 6);
  });

  it('RoiAlign averages (or takes the max of) bilinear samples; a batch index past N is an error', async () => {
    const str = (name: string, v: string) => ({ name, type: 3, s: new TextEncoder().encode(v) });
    const roi = (mode: string) => importOnnx(model(graph([node('RoiAlign', ['x', 'rois', 'b'], ['y'], [str('mode', mode), str('coordinate_transformation_mode', 'output_half_pixel'), attr.int('sampling_ratio', 1)])],
      [value('x', [1, 1, 2, 2]), value('rois', [1, 4]), value('b', [1], INT64)], [value('y', [])]), 22));
    // The region [0, 1] x [0, 1] in one bin: one sample at (0.5, 0.5), a quarter of each pixel.
    const inputs = { x: tensor('f32', [1, 1, 2, 2], [1, 2, 3, 4]), rois: tensor('f32', [1, 4], [0, 0, 1, 1]), b: tensor('i64', [1], [0]) };
    await both(roi('avg'), inputs, [2.5], 6);
    await both(roi('max'), inputs, [1], 6);
    expect(() => interpret(roi('avg'), { ...inputs, b: tensor('i64', [1], [1]) })).toThrow(/out of range/);
  });
});
