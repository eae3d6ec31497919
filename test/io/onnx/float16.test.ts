// float16 in: ONNX FLOAT16 tensors (raw bytes and int32_data bits) and safetensors F16 read into f32
// exactly; Cast to FLOAT16 and FLOAT16 graph outputs round to the nearest half (ties to even,
// overflow to Inf). Bit patterns are the IEEE 754 binary16 encodings of the listed values.
import { describe, expect, it } from 'vitest';
import { tensor, toNumbers } from '../../../src/ir/tensor.ts';
import { importOnnx } from '../../../src/io/onnx/import.ts';
import { parseSafetensors } from '../../../src/io/safetensors.ts';
import { interpret } from '../../../src/runtime/interpreter.ts';
import { compile } from '../../../src/compile.ts';
import { attr, graph, model, node, value } from './model-builder.ts';

const FLOAT16 = 10;
// 1, -2, 0.5, 65504 (largest), 2^-24 (smallest subnormal), -0, +Inf, NaN.
const BITS = [0x3c00, 0xc000, 0x3800, 0x7bff, 0x0001, 0x8000, 0x7c00, 0x7e00];
const VALUES = [1, -2, 0.5, 65504, 2 ** -24, -0, Infinity, NaN];
const le16 = (bits: readonly number[]) => new Uint8Array(bits.flatMap((b) => [b & 0xff, b >> 8]));

describe('float16', () => {
  it.each(['rawData', 'int32Data'] as const)('an ONNX FLOAT16 initializer (%s) reads as its exact values', (field) => {
    const init = { name: 'h', dims: [8], dataType: FLOAT16, ...(field === 'rawData' ? { rawData: le16(BITS) } : { int32Data: BITS }) };
    const g = importOnnx(model(graph([node('Cast', ['h'], ['y'], [attr.int('to', 1)])], [], [value('y', [8])], [init])));
    expect(toNumbers(interpret(g, {}).y!)).toEqual(VALUES);
  });

  it('Cast to FLOAT16 rounds to the nearest half, ties to even, past 65504 to Inf', () => {
    const g = importOnnx(model(graph([node('Cast', ['x'], ['y'], [attr.int('to', FLOAT16)])], [value('x', [6])], [value('y', [6], FLOAT16)])));
    const x = tensor('f32', [6], [1 + 2 ** -11, 1 + 3 * 2 ** -11, 65519, 65520, 0.1, -3 * 2 ** -25]);
    const want = [1, 1 + 2 ** -9, 65504, Infinity, 0.0999755859375, -(2 ** -23)];
    expect(toNumbers(interpret(g, { x }).y!)).toEqual(want);
  });

  it.each(['ts', 'wasm'] as const)('the rounding runs the same on %s', async (target) => {
    const g = importOnnx(model(graph([node('Cast', ['x'], ['y'], [attr.int('to', FLOAT16)])], [value('x', [6])], [value('y', [6], FLOAT16)])));
    const x = tensor('f32', [6], [1 + 2 ** -11, 1 + 3 * 2 ** -11, 65519, 65520, 0.1, -3 * 2 ** -25]);
    const m = await compile(g, { target });
    try {
      expect(toNumbers(m.run({ x }).y!)).toEqual([1, 1 + 2 ** -9, 65504, Infinity, 0.0999755859375, -(2 ** -23)]);
    } finally {
      m.dispose();
    }
  });

  it('a FLOAT16 graph output computed in f32 is rounded to halves', () => {
    const g = importOnnx(model(graph([node('Add', ['a', 'b'], ['y'])], [value('a', [2], FLOAT16), value('b', [2], FLOAT16)], [value('y', [2], FLOAT16)])));
    const out = interpret(g, { a: tensor('f32', [2], [1, 2048]), b: tensor('f32', [2], [2 ** -11, 1]) }).y!;
    // 1 + 2^-11 ties to 1; 2049 ties (ulp 2 at 2048) to the even 2048.
    expect(toNumbers(out)).toEqual([1, 2048]);
  });

  it('safetensors F16 (PyTorch half) reads into f32 exactly', () => {
    const header = new TextEncoder().encode(JSON.stringify({ w: { dtype: 'F16', shape: [2, 4], data_offsets: [0, 16] } }));
    const file = new Uint8Array(8 + header.length + 16);
    new DataView(file.buffer).setBigUint64(0, BigInt(header.length), true);
    file.set(header, 8);
    file.set(le16(BITS), 8 + header.length);
    const w = parseSafetensors(file).get('w')!;
    expect(w.dtype).toBe('f32');
    expect(w.shape).toEqual([2, 4]);
    expect(toNumbers(w)).toEqual(VALUES);
  });
});
