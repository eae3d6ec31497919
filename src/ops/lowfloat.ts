// The 8- and 4-bit float formats of ONNX (float8 E4M3FN, E4M3FNUZ, E5M2, E5M2FNUZ; float4 E2M1),
// held in f32: every value of theirs is an f32 exactly. roundLowFloat rounds an f32 to the nearest
// value of a format, ties to even, as a cast to it does: with `saturate` (ONNX's default) a value
// beyond the format's largest finite one, ±Infinity included, becomes that largest value;
// without, it becomes Infinity (E5M2) or NaN (the formats with no infinity). The FNUZ formats have
// no negative zero. E2M1 has neither infinity nor NaN: it always saturates, and a NaN becomes -0
// (what ml_dtypes, which made ONNX's test data, gives). bits and values are decoded here too.
// The functions are copied into generated TS modules (src/codegen/ts/library.ts).
import { tensorType } from '../ir/types.ts';
import type { OpDef } from './def.ts';
import { FLOAT, expectDType } from './dtypes.ts';
import { map1 } from './elementwise.ts';
import { NOT_DIFFERENTIABLE } from './gradient.ts';
import { fail } from './util.ts';
import { f32Lit } from './wgsl.ts';

/** The low-precision float formats. */
export type LowFloat = 'e4m3fn' | 'e4m3fnuz' | 'e5m2' | 'e5m2fnuz' | 'e2m1';

/** A format's layout and specials. */
export interface LowFloatFormat {
  readonly exponentBits: number;
  readonly mantissaBits: number;
  readonly bias: number;
  /** The largest finite value. */
  readonly max: number;
  /** What overflow without saturation gives, and what a NaN becomes. */
  readonly overflow: 'inf' | 'nan' | 'saturate';
  /** Whether -0 exists (the FNUZ formats have none). */
  readonly negativeZero: boolean;
  /** How NaN is spelled: IEEE-like (all-ones exponent), FN (all ones), UZ (the sign bit alone), or none. */
  readonly nan: 'ieee' | 'fn' | 'uz' | 'none';
}

/** The formats, by name. */
export const LOW_FLOATS: Readonly<Record<LowFloat, LowFloatFormat>> = {
  e4m3fn: { exponentBits: 4, mantissaBits: 3, bias: 7, max: 448, overflow: 'nan', negativeZero: true, nan: 'fn' },
  e4m3fnuz: { exponentBits: 4, mantissaBits: 3, bias: 8, max: 240, overflow: 'nan', negativeZero: false, nan: 'uz' },
  e5m2: { exponentBits: 5, mantissaBits: 2, bias: 15, max: 57344, overflow: 'inf', negativeZero: true, nan: 'ieee' },
  e5m2fnuz: { exponentBits: 5, mantissaBits: 2, bias: 16, max: 57344, overflow: 'nan', negativeZero: false, nan: 'uz' },
  e2m1: { exponentBits: 2, mantissaBits: 1, bias: 1, max: 6, overflow: 'saturate', negativeZero: true, nan: 'none' },
};

/** The value of `bits` in `format`. */
export function lowFloatToNumber(bits: number, format: LowFloat): number {
  const f = LOW_FLOATS[format];
  const width = 1 + f.exponentBits + f.mantissaBits;
  const sign = (bits >> (width - 1)) & 1 ? -1 : 1;
  const e = (bits >> f.mantissaBits) & ((1 << f.exponentBits) - 1);
  const m = bits & ((1 << f.mantissaBits) - 1);
  const allOnes = (1 << f.exponentBits) - 1;
  if (f.nan === 'uz' && bits === 1 << (width - 1)) return NaN;
  if (f.nan === 'fn' && e === allOnes && m === (1 << f.mantissaBits) - 1) return NaN;
  if (f.nan === 'ieee' && e === allOnes) return m === 0 ? sign * Infinity : NaN;
  const magnitude = e === 0 ? m * 2 ** (1 - f.bias - f.mantissaBits) : (1 + m / 2 ** f.mantissaBits) * 2 ** (e - f.bias);
  return sign * magnitude;
}

/**
 * x rounded to the nearest value of a format with `mantissaBits`, normal exponents from
 * `minExponent` on and largest finite value `max` (ties to even); `overflow` 0 saturates, 1 gives
 * ±Infinity, 2 NaN; `negativeZero` 0 turns -0 into 0; `nanTo` 0 keeps NaN, 1 makes it -0.
 */
export function roundLowFloat(x: number, mantissaBits: number, minExponent: number, max: number, overflow: number, negativeZero: number, nanTo: number): number {
  if (x !== x) return nanTo === 1 ? -0 : x;
  const a = Math.abs(x);
  let r = 0;
  if (a > 0 && a !== Infinity) {
    let e = Math.floor(Math.log2(a));
    if (2 ** e > a) e--;
    else if (2 ** (e + 1) <= a) e++;
    const scale = 2 ** (mantissaBits - Math.max(e, minExponent));
    const q = a * scale;
    const f = Math.floor(q);
    r = (q - f > 0.5 || (q - f === 0.5 && f % 2 === 1) ? f + 1 : f) / scale;
  }
  if (a === Infinity || r > max) r = overflow === 0 ? max : overflow === 1 ? Infinity : NaN;
  if (r !== r) return r;
  return x < 0 || Object.is(x, -0) ? (r === 0 && negativeZero === 0 ? 0 : -r) : r;
}

/** roundLowFloat's format arguments for `format` with or without saturation. */
export function lowFloatArgs(format: LowFloat, saturate: boolean): [number, number, number, number, number, number] {
  const f = LOW_FLOATS[format];
  const overflow = saturate || f.overflow === 'saturate' ? 0 : f.overflow === 'inf' ? 1 : 2;
  return [f.mantissaBits, 1 - f.bias, f.max, overflow, f.negativeZero ? 1 : 0, f.nan === 'none' ? 1 : 0];
}

/** Definition of roundLowFloat. */
export const lowFloatOps: { readonly roundLowFloat: OpDef<'roundLowFloat'> } = {
  roundLowFloat: {
    kind: 'roundLowFloat',
    groups: ['elementwise', 'unary'],
    arity: { min: 1, max: 1 },
    infer([x], { format }) {
      expectDType('roundLowFloat', x!, FLOAT);
      if (!Object.prototype.hasOwnProperty.call(LOW_FLOATS, format)) fail(`roundLowFloat: unknown format ${String(format)}`);
      return [tensorType('f32', x!.shape)];
    },
    evaluate: ([x], { format, saturate }, [out]) => {
      const args = lowFloatArgs(format, saturate);
      return [map1(x!, out!, (v) => roundLowFloat(v, ...args))];
    },
    scalar: {
      ts: ([x], { format, saturate }) => `roundLowFloat(${x}, ${lowFloatArgs(format, saturate).join(', ')})`,
      wgsl: ([x], { format, saturate }) => {
        const [m, e, max, overflow, negZero, nanTo] = lowFloatArgs(format, saturate);
        return `round_lowfloat_f(${x}, ${m}i, ${e}i, ${f32Lit(max)}, ${overflow}u, ${negZero}u, ${nanTo}u)`;
      },
    },
    grad: NOT_DIFFERENTIABLE,
  },
};
