// ONNX element types that the IR holds in a wider dtype (tensor.ts): FLOAT16 and BFLOAT16 in f32, INT8/INT16
// and UINT8/UINT16 in i32, UINT32 in i64 (UINT64 too, which shares i64's bits, so wraps alike). Arithmetic runs in the wide dtype; a value is brought back into its
// declared type where the model casts to it and at each graph output that declares it: halves
// are rounded (roundF16, roundBF16), narrow integers wrap (UINT masked to its bits, INT sign-extended from
// them), as the narrow type's own arithmetic would have left them.
import { type Tensor, tensor } from '../../ir/tensor.ts';
import type { DType } from '../../ir/types.ts';
import { ELEM } from './schema.ts';

/** One IR step, applied to the value (and a scalar constant of its dtype, when given). */
export type NarrowStep = { readonly op: 'roundF16' | 'roundBF16' } | { readonly op: 'bitAnd' | 'shiftLeft' | 'shiftRight'; readonly operand: Tensor };

const BITS: Readonly<Record<number, number>> = { [ELEM.UINT8]: 8, [ELEM.UINT16]: 16, [ELEM.INT8]: 8, [ELEM.INT16]: 16 };

/** The steps that bring a `dtype` value into ONNX element type `elem` (none when the IR holds it exactly). */
export function narrowSteps(elem: number, dtype: DType): NarrowStep[] {
  if (elem === ELEM.FLOAT16 && dtype === 'f32') return [{ op: 'roundF16' }];
  if (elem === ELEM.BFLOAT16 && dtype === 'f32') return [{ op: 'roundBF16' }];
  const bits = BITS[elem];
  if (elem === ELEM.UINT32 && dtype === 'i64') return [{ op: 'bitAnd', operand: tensor('i64', [], [2 ** 32 - 1]) }];
  if (bits === undefined || dtype !== 'i32') return [];
  if (elem === ELEM.UINT8 || elem === ELEM.UINT16) return [{ op: 'bitAnd', operand: tensor('i32', [], [2 ** bits - 1]) }];
  const shift = tensor('i32', [], [32 - bits]);
  return [{ op: 'shiftLeft', operand: shift }, { op: 'shiftRight', operand: shift }];
}
