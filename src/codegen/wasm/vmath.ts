// Vector math on f32x4 for the wasm backend: exp, tanh, sigmoid, erf and both GELUs, each
// emitted inline from a v128 local and leaving its result on the stack. Errors against the
// interpreter's double-precision functions: exp ~2 ulp (Cephes polynomial, 2^n applied in two
// halves so overflow gives Inf and underflow reaches 0 gradually); tanh, sigmoid and erf
// below 2e-7 absolute (erf: Abramowitz & Stegun 7.1.26). NaN propagates; +-Inf give the limits.
import type { FunctionBuilder } from './encoder.ts';

/** A pool of v128 temporaries of one function, allocated on first use and reused by every expansion. */
export class VecTemps {
  private readonly pool: number[] = [];
  private used = 0;

  constructor(private readonly f: FunctionBuilder) {}

  /** Runs `body` with `n` fresh temporaries; they are free again after it returns. */
  with<T>(n: number, body: (...t: number[]) => T): T {
    while (this.pool.length < this.used + n) this.pool.push(this.f.local('v128'));
    const t = this.pool.slice(this.used, this.used + n);
    this.used += n;
    try {
      return body(...t);
    } finally {
      this.used -= n;
    }
  }
}

const LOG2E = 1.4426950408889634;
const LN2_HI = 0.693359375;
const LN2_LO = -2.12194440e-4;
const EXP_POLY = [1.9875691500e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1];

/** Horner's rule on local `x` with coefficients from the highest degree down; leaves p(x) on the stack. */
function horner(f: FunctionBuilder, x: number, coeffs: readonly number[]): void {
  f.f32x4(coeffs[0]!);
  for (const c of coeffs.slice(1)) f.get(x).op('f32x4.mul').f32x4(c).op('f32x4.add');
}

/** exp(x) of local `x`, on the stack. */
export function emitExp(f: FunctionBuilder, t: VecTemps, x: number): void {
  t.with(3, (y, n, r) => {
    // Clamped so that n stays in [-150, 128]: both halves of 2^n are normal floats.
    f.get(x).f32x4(88.8).op('f32x4.min').f32x4(-104).op('f32x4.max').set(y);
    f.get(y).f32x4(LOG2E).op('f32x4.mul').op('f32x4.nearest').set(n);
    f.get(y).get(n).f32x4(LN2_HI).op('f32x4.mul').op('f32x4.sub').get(n).f32x4(LN2_LO).op('f32x4.mul').op('f32x4.sub').set(r);
    // p = poly(r) * r^2 + r + 1
    horner(f, r, EXP_POLY);
    f.get(r).op('f32x4.mul').get(r).op('f32x4.mul').get(r).op('f32x4.add').f32x4(1).op('f32x4.add');
    // * 2^(n>>1) * 2^(n - (n>>1)), built in the exponent field.
    f.get(n).op('i32x4.trunc_sat_f32x4_s').set(n);
    f.get(n).i32(1).op('i32x4.shr_s').set(y);
    f.get(y).i32x4(127).op('i32x4.add').i32(23).op('i32x4.shl').op('f32x4.mul');
    f.get(n).get(y).op('i32x4.sub').i32x4(127).op('i32x4.add').i32(23).op('i32x4.shl').op('f32x4.mul');
  });
}

/** Copies the sign of local `signOf` onto the (non-negative) value on the stack. */
function withSign(f: FunctionBuilder, t: VecTemps, signOf: number): void {
  t.with(1, (m) => {
    f.set(m).get(signOf).get(m).i32x4(-0x80000000).op('v128.bitselect');
  });
}

/** tanh(x) = sign(x) (1 - e) / (1 + e), e = exp(-2|x|). */
export function emitTanh(f: FunctionBuilder, t: VecTemps, x: number): void {
  t.with(1, (e) => {
    f.get(x).op('f32x4.abs').f32x4(-2).op('f32x4.mul').set(e);
    emitExp(f, t, e);
    f.set(e);
    f.f32x4(1).get(e).op('f32x4.sub').f32x4(1).get(e).op('f32x4.add').op('f32x4.div');
    withSign(f, t, x);
  });
}

/** sigmoid(x) = 1 / (1 + exp(-x)). */
export function emitSigmoid(f: FunctionBuilder, t: VecTemps, x: number): void {
  t.with(1, (e) => {
    f.get(x).op('f32x4.neg').set(e);
    f.f32x4(1).f32x4(1);
    emitExp(f, t, e);
    f.op('f32x4.add').op('f32x4.div');
  });
}

const ERF_P = 0.3275911;
const ERF_POLY = [1.061405429, -1.453152027, 1.421413741, -0.284496736, 0.254829592];

/** erf(x) = sign(x) (1 - poly(s) s exp(-x^2)), s = 1 / (1 + p|x|). */
export function emitErf(f: FunctionBuilder, t: VecTemps, x: number): void {
  t.with(2, (s, e) => {
    f.f32x4(1).f32x4(1).get(x).op('f32x4.abs').f32x4(ERF_P).op('f32x4.mul').op('f32x4.add').op('f32x4.div').set(s);
    f.get(x).get(x).op('f32x4.mul').op('f32x4.neg').set(e);
    f.f32x4(1);
    horner(f, s, ERF_POLY);
    f.get(s).op('f32x4.mul');
    emitExp(f, t, e);
    f.op('f32x4.mul').op('f32x4.sub');
    withSign(f, t, x);
  });
}

/** gelu(x) = 0.5 x (1 + erf(x / sqrt 2)), or with tanh(sqrt(2/pi) (x + 0.044715 x^3)) for `tanh`. */
export function emitGelu(f: FunctionBuilder, t: VecTemps, x: number, approximate: 'none' | 'tanh'): void {
  t.with(1, (u) => {
    if (approximate === 'tanh') {
      f.get(x).get(x).op('f32x4.mul').f32x4(0.044715).op('f32x4.mul').f32x4(1).op('f32x4.add').get(x).op('f32x4.mul');
      f.f32x4(Math.sqrt(2 / Math.PI)).op('f32x4.mul').set(u);
      f.get(x).f32x4(0.5).op('f32x4.mul').f32x4(1);
      emitTanh(f, t, u);
    } else {
      f.get(x).f32x4(Math.SQRT1_2).op('f32x4.mul').set(u);
      f.get(x).f32x4(0.5).op('f32x4.mul').f32x4(1);
      emitErf(f, t, u);
    }
    f.op('f32x4.add').op('f32x4.mul');
  });
}
