// How opgraph's dtypes live on the GPU: every element is 4 bytes in one u32 memory buffer.
// f32 is bit-cast; i32 is bit-cast; i64 travels as i32 (indices: exact below 2^31); bool is u32 0/1.
import type { DType } from '../../ir/types.ts';
import { WGSL_TYPE } from '../../ops/wgsl.ts';

export { WGSL_TYPE, convert, zero } from '../../ops/wgsl.ts';
import type { BufferLayout } from '../plan.ts';

/** Every buffer element is one 4-byte word; storages are word-aligned in one memory buffer. */
export const WGSL_LAYOUT: BufferLayout = { elementBytes: () => 4, align: 4 };

/** A WGSL f32 literal for `x` (Infinity and NaN through their bit patterns). */
export function f32Literal(x: number): string {
  // WGSL rejects non-finite constant expressions, so these come from helpers evaluated at run time.
  if (Number.isNaN(x)) return 'nan_f()';
  if (x === Infinity) return 'inf_f()';
  if (x === -Infinity) return '(-inf_f())';
  const s = String(Math.fround(x));
  return /[.e]/.test(s) ? (s.includes('e') && !s.includes('.') ? s.replace('e', '.0e') : s) : `${s}.0`;
}

/** Loads element `idx` of dtype `dtype` from the memory buffer `mem` at word offset `base`. */
export function load(dtype: DType | 'f64', base: number, idx: string): string {
  const at = base === 0 ? idx : `${base}u + ${idx}`;
  const t = WGSL_TYPE[dtype];
  return t === 'u32' ? `mem[${at}]` : `bitcast<${t}>(mem[${at}])`;
}

/** Stores WGSL value `value` (of the dtype's WGSL type) as element `idx` at word offset `base`. */
export function store(dtype: DType | 'f64', base: number, idx: string, value: string): string {
  const at = base === 0 ? idx : `${base}u + ${idx}`;
  return WGSL_TYPE[dtype] === 'u32' ? `mem[${at}] = ${value};` : `mem[${at}] = bitcast<u32>(${value});`;
}
