// Reading the ONNX element types narrower than a byte or than the IR's dtypes: float8 (one per
// byte) and float4 E2M1 (two per byte) into f32, INT4/UINT4 (two per byte) and INT2/UINT2 (four
// per byte) into i32. Packed elements fill each byte from its low bits, as ONNX stores them.
import { OnnxError } from '../../errors.ts';
import { type LowFloat, lowFloatToNumber } from '../../ops/lowfloat.ts';
import { ELEM } from './schema.ts';

/** The float format of each low-precision float element type. */
export const LOW_FLOAT_OF: Readonly<Record<number, LowFloat>> = {
  [ELEM.FLOAT8E4M3FN]: 'e4m3fn', [ELEM.FLOAT8E4M3FNUZ]: 'e4m3fnuz', [ELEM.FLOAT8E5M2]: 'e5m2',
  [ELEM.FLOAT8E5M2FNUZ]: 'e5m2fnuz', [ELEM.FLOAT4E2M1]: 'e2m1',
};

/** Bits per element of the sub-byte types, and whether they are signed. */
export const PACKED: Readonly<Record<number, { readonly bits: number; readonly signed: boolean }>> = {
  [ELEM.INT4]: { bits: 4, signed: true }, [ELEM.UINT4]: { bits: 4, signed: false }, [ELEM.FLOAT4E2M1]: { bits: 4, signed: false },
  [ELEM.INT2]: { bits: 2, signed: true }, [ELEM.UINT2]: { bits: 2, signed: false },
};

/** Bytes that `n` elements of `elemType` take in raw_data (float8: one each). */
export function lowBytes(elemType: number, n: number): number {
  const p = PACKED[elemType];
  return p ? Math.ceil((n * p.bits) / 8) : n;
}

/** The `n` elements of a low-precision type from raw bytes (or, one per entry, from int32_data), as numbers. */
export function decodeLow(elemType: number, bytes: ArrayLike<number>, n: number, label: string, packed: boolean): number[] {
  const p = PACKED[elemType];
  const need = packed ? lowBytes(elemType, n) : n;
  if (bytes.length !== need) throw new OnnxError(`${label}: declares ${n} element(s) (${need} ${packed ? 'bytes' : 'entries'}) but holds ${bytes.length}`);
  const format = LOW_FLOAT_OF[elemType];
  return Array.from({ length: n }, (_, i) => {
    let bits = bytes[i]! & 0xff;
    if (p && packed) {
      const per = 8 / p.bits;
      bits = (bytes[Math.floor(i / per)]! >> ((i % per) * p.bits)) & ((1 << p.bits) - 1);
    }
    if (format) return lowFloatToNumber(bits, format);
    return p && p.signed && bits >= 1 << (p.bits - 1) ? bits - (1 << p.bits) : bits;
  });
}
