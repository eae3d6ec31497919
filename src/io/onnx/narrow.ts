// ONNX element types that the IR holds in a wider dtype (tensor.ts): FLOAT16, BFLOAT16, the float8
// formats and FLOAT4E2M1 in f32, INT2/INT4 and UINT2/UINT4 in i32 like the 8- and 16-bit ones; INT8/INT16
// and UINT8/UINT16 in i32, UINT32 in i64 (UINT64 too, which shares i64's bits, so wraps alike). Arithmetic runs in the wide dtype; a value is brought back into its
// declared type where the model casts to it and at each graph output that declares it: halves
// are rounded (roundF16, roundBF16, roundLowFloat), narrow integers wrap (UINT masked to its bits, INT sign-extended from
// them), as the narrow type's own arithmetic would have left them.
import { type Tensor, tensor } from '../../ir/tensor.ts';
import type { DType } from '../../ir/types.ts';
import type { OpAttrs } from '../../ops/attrs.ts';
import { LOW_FLOAT_OF } from './packed.ts';
import { ELEM } from './schema.ts';

/** One IR step, applied to the value (and a scalar constant of its dtype, when given). */
export interface NarrowStep {
  readonly op: 'roundF16' | 'roundBF16' | 'roundLowFloat' | 'bitAnd' | 'shiftLeft' | 'shiftRight';
  readonly attrs: OpAttrs['roundLowFloat'] | Record<string, never>;
  readonly operand?: Tensor;
}

/** Bits of the narrow integer types held in i32. */
const BITS: Readonly<Record<number, number>> = {
  [ELEM.UINT8]: 8, [ELEM.UINT16]: 16, [ELEM.INT8]: 8, [ELEM.INT16]: 16, [ELEM.UINT4]: 4, [ELEM.INT4]: 4, [ELEM.UINT2]: 2, [ELEM.INT2]: 2,
};
const UNSIGNED = new Set<number>([ELEM.UINT8, ELEM.UINT16, ELEM.UINT4, ELEM.UINT2]);

/**
 * The steps that bring a `dtype` value into ONNX element type `elem` (none when the IR holds it
 * exactly). `saturate` is Cast's: whether a float8 overflow becomes the largest value.
 */
export function narrowSteps(elem: number, dtype: DType, saturate = true): NarrowStep[] {
  const none = {} as Record<string, never>;
  if (elem === ELEM.FLOAT16 && dtype === 'f32') return [{ op: 'roundF16', attrs: none }];
  if (elem === ELEM.BFLOAT16 && dtype === 'f32') return [{ op: 'roundBF16', attrs: none }];
  const format = LOW_FLOAT_OF[elem];
  if (format && dtype === 'f32') return [{ op: 'roundLowFloat', attrs: { format, saturate } }];
  if (elem === ELEM.UINT32 && dtype === 'i64') return [{ op: 'bitAnd', attrs: none, operand: tensor('i64', [], [2 ** 32 - 1]) }];
  const bits = BITS[elem];
  if (bits === undefined || dtype !== 'i32') return [];
  if (UNSIGNED.has(elem)) return [{ op: 'bitAnd', attrs: none, operand: tensor('i32', [], [2 ** bits - 1]) }];
  const shift = tensor('i32', [], [32 - bits]);
  return [{ op: 'shiftLeft', attrs: none, operand: shift }, { op: 'shiftRight', attrs: none, operand: shift }];
}
