// The quantization family: packed sub-byte tensors in int32_data, QuantizeLinear's rounding (half to
// even) and saturation, MatMulInteger exact past 2^24, DynamicQuantizeLinear on an all-zero input,
// and the refusals (a computed zero point, an integer convolution too long for exact f32 sums).
import { describe, expect, it } from 'vitest';
import { compile } from '../../../src/compile.ts';
import { tensor, toNumbers } from '../../../src/ir/tensor.ts';
import { importOnnx } from '../../../src/io/onnx/import.ts';
import { DEFAULT_ONNX_LIMITS } from '../../../src/io/onnx/limits.ts';
import { ELEM, type OnnxTensor } from '../../../src/io/onnx/schema.ts';
import { toTensor } from '../../../src/io/onnx/tensor.ts';
import { interpret } from '../../../src/runtime/interpreter.ts';
import { FLOAT, attr, graph, model, node, value } from './model-builder.ts';

const proto = (dataType: number, dims: number[], int32Data: number[]): OnnxTensor => ({
  dims, dataType, int32Data, floatData: [], stringData: [], int64Data: [], name: 't', rawData: new Uint8Array(), doubleData: [], uint64Data: [], externalData: [], dataLocation: 0,
});
const init = (name: string, dataType: number, dims: number[], int32Data: number[]) => ({ name, dataType, dims, int32Data });

/** Runs `g` on the interpreter and the TS backend; both must agree with `want`. */
async function both(g: ReturnType<typeof importOnnx>, inputs: Record<string, ReturnType<typeof tensor>>, out: string, want: number[]): Promise<void> {
  expect(toNumbers(interpret(g, inputs)[out]!)).toEqual(want);
  const m = await compile(g, { target: 'ts' });
  expect(toNumbers(m.run(inputs)[out]!)).toEqual(want);
}

describe('quantization', () => {
  it('reads packed INT4 and UINT2 from int32_data, one packed byte per entry, low bits first', () => {
    const src = { limits: DEFAULT_ONNX_LIMITS };
    expect(toNumbers(toTensor(proto(ELEM.INT4, [5], [0x87, 0x0f, 0x01]), 'x', src))).toEqual([7, -8, -1, 0, 1]);
    expect(toNumbers(toTensor(proto(ELEM.UINT2, [6], [0xe4, 0x09]), 'x', src))).toEqual([0, 1, 2, 3, 1, 2]);
    expect(() => toTensor(proto(ELEM.INT4, [5], [0x87, 0x0f]), 'x', src)).toThrow(/declares 5 element\(s\) \(3 bytes\) but holds 2/);
  });

  it('QuantizeLinear rounds half to even, adds the zero point and saturates to int8', async () => {
    const g = importOnnx(model(graph([node('QuantizeLinear', ['x', 's', 'zp'], ['y'])], [value('x', [8])], [value('y', [8], ELEM.INT8)],
      [{ name: 's', dataType: FLOAT, dims: [], floatData: [2] }, init('zp', ELEM.INT8, [], [1])]), 21));
    // x / 2 = -500, -1.25, -0.75, -0.25, 0.25, 0.75, 1.25, 500 -> round: -500, -1, -1, -0, 0, 1, 1, 500; + 1; clamp to [-128, 127].
    // Halves: 5 / 2 = 2.5 -> 2, 3 / 2 = 1.5 -> 2.
    const x = tensor('f32', [8], [-1000, -2.5, -1.5, -0.5, 5, 3, 2.5, 1000]);
    await both(g, { x }, 'y', [-128, 0, 0, 1, 3, 3, 2, 127]);
  });

  it('QuantizeLinear to int4 per axis saturates to [-8, 7]', async () => {
    const g = importOnnx(model(graph([node('QuantizeLinear', ['x', 's', 'zp'], ['y'], [attr.int('axis', 0)])], [value('x', [2, 2])], [value('y', [2, 2], ELEM.INT4)],
      [{ name: 's', dataType: FLOAT, dims: [2], floatData: [1, 10] }, init('zp', ELEM.INT4, [2], [0x1f])]), 21));
    // zero points -1 (row 0) and 1 (row 1): round(x / s) + zp; 45 / 10 = 4.5 rounds to 4.
    await both(g, { x: tensor('f32', [2, 2], [3, -20, 45, -200]) }, 'y', [2, -8, 5, -8]);
  });

  it('MatMulInteger is exact past 2^24 (an odd sum an f32 accumulator cannot hold)', async () => {
    const K = 301;
    const g = importOnnx(model(graph([node('MatMulInteger', ['a', 'b'], ['y'])], [value('a', [1, K], ELEM.UINT8), value('b', [K, 1], ELEM.UINT8)], [value('y', [1, 1], ELEM.INT32)]), 10));
    const ones = (shape: number[]) => tensor('i32', shape, Array(K).fill(255));
    await both(g, { a: ones([1, K]), b: ones([K, 1]) }, 'y', [K * 255 * 255]);
  });

  it('DynamicQuantizeLinear of all zeros gives scale 0, zero point 0 and y 0', async () => {
    const g = importOnnx(model(graph([node('DynamicQuantizeLinear', ['x'], ['y', 's', 'zp'])], [value('x', [3])], [value('y', [3], ELEM.UINT8), value('s', []), value('zp', [], ELEM.UINT8)]), 11));
    const out = interpret(g, { x: tensor('f32', [3], [0, 0, 0]) });
    expect([toNumbers(out.y!), toNumbers(out.s!), toNumbers(out.zp!)]).toEqual([[0, 0, 0], [0], [0]]);
  });

  it('refuses a zero point of unknown element type, and an integer convolution whose sums may pass 2^24', () => {
    const computed = model(graph([node('Add', ['z1', 'z2'], ['zp']), node('QuantizeLinear', ['x', 's', 'zp'], ['y'])],
      [value('x', [2]), value('z1', [], ELEM.INT8), value('z2', [], ELEM.INT8)], [value('y', [2], ELEM.INT8)], [{ name: 's', dataType: FLOAT, dims: [], floatData: [1] }]), 21);
    expect(() => importOnnx(computed)).toThrow(/QuantizeLinear.*element type of y_zero_point must be declared/);
    const conv = model(graph([node('ConvInteger', ['x', 'w'], ['y'])], [value('x', [1, 300, 1, 1], ELEM.UINT8), value('w', [1, 300, 1, 1], ELEM.UINT8)], [value('y', [], ELEM.INT32)]), 10);
    expect(() => importOnnx(conv)).toThrow(/ConvInteger.*300 products per output.*2\^24/);
  });
});
