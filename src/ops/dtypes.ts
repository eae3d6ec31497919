// Dtype sets and dtype checks shared by the op families, with one wording for their errors.
import { type DType, type TensorType, formatType } from '../ir/types.ts';
import { fail } from './util.ts';

/** Dtype sets ops accept. */
export const ANY: readonly DType[] = ['f32', 'i32', 'i64', 'bool'];
export const FLOAT: readonly DType[] = ['f32'];
export const NUMERIC: readonly DType[] = ['f32', 'i32', 'i64'];
export const BOOL: readonly DType[] = ['bool'];
export const INDEX: readonly DType[] = ['i32', 'i64'];

/** Fails unless `t` has one of `allowed`: `exp expects f32, got i32`. */
export function expectDType(op: string, t: TensorType, allowed: readonly DType[]): void {
  if (allowed.includes(t.dtype)) return;
  const names = allowed.length === 1 ? allowed[0]! : `${allowed.slice(0, -1).join(', ')} or ${allowed.at(-1)!}`;
  fail(`${op} expects ${names}, got ${t.dtype}`);
}

/** Fails unless every input is f32: `gemm needs f32 inputs, got f32[2,3], i32[3,4]`. */
export function expectAllF32(op: string, inputs: readonly TensorType[]): void {
  for (const t of inputs) {
    if (t.dtype !== 'f32') fail(`${op} needs f32 inputs, got ${inputs.map(formatType).join(', ')}`);
  }
}

/** Fails unless `a` and `b` have one dtype (no implicit promotion): `add expects matching dtypes, got f32[2] and i32[2]`. */
export function expectSameDType(op: string, a: TensorType, b: TensorType, what = 'dtypes'): void {
  if (a.dtype !== b.dtype) fail(`${op} expects matching ${what}, got ${formatType(a)} and ${formatType(b)}`);
}
