// Decoding the low-precision element types: float8 and float4 bit patterns (specials, subnormals)
// and packed sub-byte integers (low bits first).
import { describe, expect, it } from 'vitest';
import { decodeLow } from '../../../src/io/onnx/packed.ts';
import { ELEM } from '../../../src/io/onnx/schema.ts';
import { lowFloatToNumber } from '../../../src/ops/lowfloat.ts';

describe('low-precision element types', () => {
  it('float8 and float4 bit patterns', () => {
    expect([0x7e, 0x7f, 0xff, 0x01, 0x38].map((b) => lowFloatToNumber(b, 'e4m3fn'))).toEqual([448, NaN, NaN, 2 ** -9, 1]);
    expect([0x80, 0x00, 0x7f].map((b) => lowFloatToNumber(b, 'e4m3fnuz'))).toEqual([NaN, 0, 240]);
    expect([0x7c, 0xfc, 0x7d, 0x7b].map((b) => lowFloatToNumber(b, 'e5m2'))).toEqual([Infinity, -Infinity, NaN, 57344]);
    expect([0x80, 0x7f].map((b) => lowFloatToNumber(b, 'e5m2fnuz'))).toEqual([NaN, 57344]);
    expect([0x1, 0x7, 0xf, 0x8].map((b) => lowFloatToNumber(b, 'e2m1'))).toEqual([0.5, 6, -6, -0]);
  });

  it('packed INT4 and UINT2 fill each byte from its low bits; a short buffer is an error naming the tensor', () => {
    expect(decodeLow(ELEM.INT4, [0x87, 0x0f], 3, 't', true)).toEqual([7, -8, -1]);
    expect(decodeLow(ELEM.UINT4, [0x87], 2, 't', true)).toEqual([7, 8]);
    expect(decodeLow(ELEM.UINT2, [0x39, 0x01], 5, 't', true)).toEqual([1, 2, 3, 0, 1]);
    expect(decodeLow(ELEM.INT2, [0x39], 4, 't', true)).toEqual([1, -2, -1, 0]);
    expect(() => decodeLow(ELEM.INT4, [0x87], 3, 'tensor "x"', true)).toThrow(/tensor "x": declares 3 element\(s\) \(2 bytes\) but holds 1/);
  });
});
