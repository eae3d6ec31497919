// bfloat16, held in f32 (the IR has no 16-bit float): a bfloat16 is the high half of an f32's
// bits, so every one is an f32 exactly. roundBF16 rounds an f32 to the nearest bfloat16, ties to
// even, as a cast to BFLOAT16 does (NaN stays NaN; past the largest bfloat16 it is ±Infinity).
// The functions are copied into generated TS modules (src/codegen/ts/library.ts).
import { tensorType } from '../ir/types.ts';
import type { OpDef } from './def.ts';
import { FLOAT, expectDType } from './dtypes.ts';
import { map1 } from './elementwise.ts';
import { NOT_DIFFERENTIABLE } from './gradient.ts';

const F32_WORD = new Float32Array(1);
const U32_WORD = new Uint32Array(F32_WORD.buffer);

/** The f32 (as a number) of bfloat16 bits `bits`. */
export function bfloat16ToNumber(bits: number): number {
  U32_WORD[0] = (bits & 0xffff) << 16;
  return F32_WORD[0]!;
}

/** The nearest bfloat16 of f32 value x, ties to even (NaN unchanged). */
export function roundBF16(x: number): number {
  if (x !== x) return x;
  F32_WORD[0] = x;
  const b = U32_WORD[0]!;
  U32_WORD[0] = (b + 0x7fff + ((b >>> 16) & 1)) & 0xffff0000;
  return F32_WORD[0]!;
}

/** The WGSL expression of roundBF16 on f32 expression `x` (from the bits; a NaN passes). */
function roundBF16Wgsl(x: string): string {
  const bits = `bitcast<u32>(${x})`;
  return `select(bitcast<f32>((${bits} + 0x7fffu + ((${bits} >> 16u) & 1u)) & 0xffff0000u), ${x}, (${bits} & 0x7fffffffu) > 0x7f800000u)`;
}

/** Definition of roundBF16. */
export const bfloat16Ops: { readonly roundBF16: OpDef<'roundBF16'> } = {
  roundBF16: {
    kind: 'roundBF16',
    groups: ['elementwise', 'unary'],
    arity: { min: 1, max: 1 },
    infer([x]) {
      expectDType('roundBF16', x!, FLOAT);
      return [tensorType('f32', x!.shape)];
    },
    evaluate: ([x], _attrs, [out]) => [map1(x!, out!, roundBF16)],
    scalar: { ts: ([x]) => `roundBF16(${x})`, wgsl: ([x]) => roundBF16Wgsl(x!) },
    grad: NOT_DIFFERENTIABLE,
  },
};
