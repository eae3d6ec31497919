// WGSL spellings the op definitions' scalar expressions share: value types, zeros, conversions.
import type { DType } from '../ir/types.ts';

/** The WGSL value type of each dtype (and of f64 scratch, computed in f32 on the GPU). */
export const WGSL_TYPE: Readonly<Record<DType | 'f64', string>> = { f32: 'f32', i32: 'i32', i64: 'i32', bool: 'u32', f64: 'f32' };

/** The zero of a dtype's WGSL type. */
export function zero(dtype: DType): string {
  return dtype === 'f32' ? '0.0' : dtype === 'bool' ? '0u' : '0i';
}

/**
 * Converts WGSL value `x` of dtype `from` to dtype `to` by the cast rule (fromNumberArray):
 * float to int wraps (f32_to_i32), float to bool is true for NaN, read from the bits.
 */
export function convert(x: string, from: DType, to: DType): string {
  const [a, b] = [WGSL_TYPE[from], WGSL_TYPE[to]];
  if (to === 'bool') return from === 'f32' ? `select(0u, 1u, (bitcast<u32>(${x}) & 0x7fffffffu) != 0u)` : `select(0u, 1u, ${x} != ${zero(from)})`;
  if (from === 'f32' && b === 'i32') return `f32_to_i32(${x})`;
  if (a === b) return x;
  return `${b}(${x})`;
}

/** A finite attribute value as a WGSL f32 literal, parenthesised (`(-0.1)`, `(2.0)`); the op's check rejects non-finite ones. */
export function f32Lit(x: number): string {
  const s = String(Math.fround(x));
  const body = /[.e]/.test(s) ? (s.includes('e') && !s.includes('.') ? s.replace('e', '.0e') : s) : `${s}.0`;
  return `(${body})`;
}
