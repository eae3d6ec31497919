// The WGSL backend's numeric contract, as the test suite applies it. WGSL has no 64-bit integers
// (i64 tensors live on the GPU as i32), and it does not promise IEEE Inf/NaN behaviour
// (implementations may flush, fold or reorder around them). An op case with i64 values beyond 32
// bits cannot be checked on WGSL: it is reported as skipped, with the reason. A case with
// non-finite floats is checked on the elements whose expected value is finite.
import { type Tensor, getNumber, tensor } from '../../src/ir/tensor.ts';
import type { ValueCase } from '../ops/case.ts';

const I32_MIN = -(2 ** 31);
const I32_MAX = 2 ** 31 - 1;

/** How a case is checked on WGSL. */
export interface Contract {
  /** Why the case cannot be checked at all. */
  readonly skip?: string;
  /** Compare only where the expected value is finite. */
  readonly finiteOnly?: boolean;
  /** A looser tolerance (absolute and relative) the WGSL spec allows this op's builtin. */
  readonly tolerance?: number;
}

/**
 * The trigonometric and hyperbolic builtins: WGSL promises sin and cos to an absolute 2^-11 on
 * [-pi, pi] and derives the others' accuracy from formulas of them (tan = sin / cos, asin/acos
 * from atan2, the hyperbolic ones from exp and log), so they are checked to 2^-11 absolute and
 * relative (SwiftShader: 1.9e-4 at most on the op cases). The ONNX suite's 1e-3 relative holds.
 */
const BUILTIN_TOLERANCE: Readonly<Record<string, number>> = Object.fromEntries(
  ['sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'sinh', 'cosh', 'asinh', 'acosh', 'atanh'].map((op) => [op, 2 ** -11]),
);

const some = (t: Tensor, pred: (v: number) => boolean): boolean => {
  for (let i = 0; i < t.data.length; i++) if (pred(getNumber(t, i))) return true;
  return false;
};

/** The contract of one op case, from its inputs and expected outputs. */
export function contractOf(c: ValueCase): Contract {
  const tol = BUILTIN_TOLERANCE[c.op];
  const base = contractOfValues(c);
  return tol === undefined ? base : { ...base, tolerance: tol };
}

function contractOfValues(c: ValueCase): Contract {
  const all = [...c.inputs, ...c.expect];
  if (all.some((t) => t.dtype === 'i64' && some(t, (v) => v < I32_MIN || v > I32_MAX))) return { skip: 'i64 values beyond 32 bits (i64 is i32 on WGSL)' };
  if (!all.some((t) => t.dtype === 'f32' && some(t, (v) => !Number.isFinite(v)))) return {};
  if (c.expect.every((t) => t.data.length === 0 || !some(t, Number.isFinite))) return { skip: 'only non-finite expected values (WGSL does not guarantee IEEE Inf/NaN)' };
  return { finiteOnly: true };
}

/** `got` and `want` with the elements where `want` is not finite set to 0 in both. */
export function maskNonFinite(got: Tensor, want: Tensor): [Tensor, Tensor] {
  if (want.dtype !== 'f32' || got.dtype !== 'f32' || got.data.length !== want.data.length) return [got, want];
  const [g, w] = [Float32Array.from(got.data as Float32Array), Float32Array.from(want.data as Float32Array)];
  for (let i = 0; i < w.length; i++) if (!Number.isFinite(w[i]!)) g[i] = w[i] = 0;
  return [tensor('f32', got.shape, g), tensor('f32', want.shape, w)];
}
