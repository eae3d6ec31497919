// Vector math for wasm kernels: exp, tanh, sigmoid, erf and GELU on four f32 lanes, emitted
// inline into a FunctionBuilder. Each function pops a v128 and pushes the result; temporaries
// are v128 locals owned by the VecMath object (one set per function it emits, so nested uses
// never share one). Maximum relative error is a few 1e-7 (test/wasm/vmath.test.ts measures it
// against the reference functions); NaN stays NaN and ±Inf map as Math.* does:
// exp(-Inf) = 0, exp(+Inf) = +Inf, tanh(±Inf) = ±1, sigmoid(±Inf) = 1 / 0, erf(±Inf) = ±1,
// log(0) = -Inf, log(x < 0) = NaN.
import { erf } from '../../../ops/scalar.ts';
import type { FunctionBuilder } from '../encoder.ts';
import type { SimdLevel } from '../kernel.ts';

/** exp's input is clamped to this range first: below it the result underflows to 0, above it overflows to +Inf. */
const EXP_LO = -110;
const EXP_HI = 89;
/** 1.5 * 2^23 and its bits: adding it to |y| < 2^22 rounds y to an integer held in the low mantissa bits. */
const ROUND_MAGIC = 12582912;
const ROUND_MAGIC_BITS = 0x4b400000;
/** ln 2 split in two (Cephes): n * LN2_HI is exact for the |n| < 2^15 that occur. */
const LN2_HI = 0.693359375;
const LN2_LO = -2.12194440e-4;
/** Cephes expf: exp(r) = 1 + r + r^2 P(r) on [-ln2/2, ln2/2], highest power first. */
const EXP_P = [1.9875691500e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1];
/** Cephes tanhf for |x| < TANH_SMALL: tanh(x) = x + x z P(z), z = x^2. */
const TANH_SMALL = 0.625;
const TANH_P = [-5.70498872745e-3, 2.06390887954e-2, -5.37397155531e-2, 1.33314422036e-1, -3.33332819422e-1];
/** Cephes logf: log(1 + m) = m - m^2/2 + m^3 P(m) for 1 + m in [sqrt(1/2), sqrt 2). */
const LOG_P = [7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1, 1.4249322787e-1, -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1];
/** erf below ERF_SPLIT is |x| S(x^2); at or above it 1 - exp(-x^2) R(x), R(x) = erfc(x) exp(x^2), R taken at min(x, ERF_R_HI). */
const ERF_SPLIT = 0.9;
const ERF_R_HI = 6;

/**
 * Coefficients (highest power first) of a polynomial in t = (x - mid) / half approximating `fn`
 * on [lo, hi]: the Chebyshev interpolant at degree + 1 nodes, rewritten in powers of t.
 */
function chebyshevFit(fn: (x: number) => number, lo: number, hi: number, degree: number): number[] {
  const n = degree + 1;
  const c = new Array<number>(n).fill(0);
  for (let k = 0; k < n; k++) {
    const th = (Math.PI * (k + 0.5)) / n;
    const y = fn((lo + hi) / 2 + ((hi - lo) / 2) * Math.cos(th));
    for (let j = 0; j < n; j++) c[j]! += ((j === 0 ? 1 : 2) / n) * y * Math.cos(j * th);
  }
  const mono = new Array<number>(n).fill(0);
  let [prev, cur] = [[1], [0, 1]];
  mono[0]! += c[0]!;
  if (n > 1) mono[1]! += c[1]!;
  for (let j = 2; j < n; j++) {
    const next = new Array<number>(j + 1).fill(0);
    cur.forEach((v, i) => (next[i + 1]! += 2 * v));
    prev.forEach((v, i) => (next[i]! -= v));
    next.forEach((v, i) => (mono[i]! += c[j]! * v));
    [prev, cur] = [cur, next];
  }
  return mono.reverse();
}

/** erfc(x) exp(x^2) in doubles: the reference erf below 3, Laplace's continued fraction above. */
function scaledErfc(x: number): number {
  if (x < 3) return (1 - erf(x)) * Math.exp(x * x);
  let tail = x;
  for (let k = 80; k >= 1; k--) tail = x + k / 2 / tail;
  return 0.5641895835477563 / tail;
}

/** The two erf fits, made once (pure double arithmetic, so deterministic). */
let erfFits: { s: number[]; r: number[] } | undefined;
function fits(): { s: number[]; r: number[] } {
  erfFits ??= {
    s: chebyshevFit((z) => (z === 0 ? 2 / Math.sqrt(Math.PI) : erf(Math.sqrt(z)) / Math.sqrt(z)), 0, ERF_SPLIT ** 2, 6),
    r: chebyshevFit(scaledErfc, ERF_SPLIT, ERF_R_HI, 14),
  };
  return erfFits;
}

/** Emits vector math into one function. */
export class VecMath {
  private readonly temps = new Map<string, number>();

  constructor(readonly f: FunctionBuilder, readonly simd: SimdLevel) {}

  /** A v128 temporary named `name`, allocated on first use. */
  private t(name: string): number {
    let l = this.temps.get(name);
    if (l === undefined) this.temps.set(name, (l = this.f.local('v128')));
    return l;
  }

  /** acc * (local t) + c, with acc on the stack: Horner's step (fused under relaxed SIMD). */
  private step(t: number, c: number): void {
    if (this.simd === 'relaxed') this.f.get(t).f32x4(c).op('f32x4.relaxed_madd');
    else this.f.get(t).op('f32x4.mul').f32x4(c).op('f32x4.add');
  }

  /** Pushes P(local t) for coefficients highest power first. */
  private poly(t: number, coeffs: readonly number[]): void {
    this.f.f32x4(coeffs[0]!);
    for (const c of coeffs.slice(1)) this.step(t, c);
  }

  /** exp(x): x = n ln2 + r, exp(r) by polynomial, times 2^n built as two exponent fields (so n = 128 and subnormal results work). */
  exp(): void {
    const { f } = this;
    const [x, n, r, ni] = [this.t('exp.x'), this.t('exp.n'), this.t('exp.r'), this.t('exp.ni')];
    // pmin(x, c) = c < x ? c : x and pmax(x, c) = x < c ? c : x keep a NaN x (one instruction each on x64, where min/max take six).
    f.f32x4(EXP_HI).op('f32x4.pmin').f32x4(EXP_LO).op('f32x4.pmax').set(x);
    // n = round(x log2 e), to nearest even, by adding and taking off 1.5 * 2^23: the sum's low mantissa bits are n as an integer.
    f.get(x).f32x4(Math.LOG2E).op('f32x4.mul').f32x4(ROUND_MAGIC).op('f32x4.add').tee(ni).f32x4(ROUND_MAGIC).op('f32x4.sub').set(n);
    f.get(ni).i32x4(ROUND_MAGIC_BITS).op('i32x4.sub').set(ni); // NaN lanes give garbage; their r is NaN anyway
    f.get(x).get(n).f32x4(LN2_HI).op('f32x4.mul', 'f32x4.sub').get(n).f32x4(LN2_LO).op('f32x4.mul', 'f32x4.sub').set(r);
    this.poly(r, EXP_P);
    f.get(r).get(r).op('f32x4.mul', 'f32x4.mul').get(r).op('f32x4.add').f32x4(1).op('f32x4.add');
    // 2^(n >> 1) * 2^(n - (n >> 1)), each in [-80, 64]: (k + 127) << 23 is the f32 2^k.
    f.get(ni).i32(1).op('i32x4.shr_s').tee(n).i32x4(127).op('i32x4.add').i32(23).op('i32x4.shl', 'f32x4.mul');
    f.get(ni).get(n).op('i32x4.sub').i32x4(127).op('i32x4.add').i32(23).op('i32x4.shl', 'f32x4.mul');
  }

  /**
   * log(x): x = 2^e (1 + m) with 1 + m in [sqrt(1/2), sqrt 2) read from the bits (subnormals
   * scaled by 2^25 first), then the polynomial. log(0) = -Inf, log(x < 0) = NaN, log(+Inf) = +Inf.
   */
  log(): void {
    const { f } = this;
    const [x, e, m, z, sub] = [this.t('log.x'), this.t('log.e'), this.t('log.m'), this.t('log.z'), this.t('log.sub')];
    f.tee(x).f32x4(1.17549435e-38).op('f32x4.lt').set(sub);
    f.get(x).f32x4(2 ** 25).op('f32x4.mul').get(x).get(sub).op('v128.bitselect').tee(m);
    f.i32(23).op('i32x4.shr_u').i32x4(126).op('i32x4.sub').get(sub).i32x4(25).op('v128.and', 'i32x4.sub').set(e);
    f.get(m).i32x4(0x807fffff | 0).op('v128.and').i32x4(0x3f000000).op('v128.or').set(m); // mantissa in [0.5, 1)
    f.get(m).f32x4(Math.SQRT1_2).op('f32x4.lt').set(sub); // below sqrt(1/2): use 2m, e - 1
    f.get(e).get(sub).op('i32x4.add', 'f32x4.convert_i32x4_s').set(e);
    f.get(m).get(m).get(sub).op('v128.and', 'f32x4.add').f32x4(1).op('f32x4.sub').set(m);
    f.get(m).get(m).op('f32x4.mul').set(z);
    this.poly(m, LOG_P);
    f.get(m).op('f32x4.mul').get(z).op('f32x4.mul');
    f.get(e).f32x4(LN2_LO).op('f32x4.mul', 'f32x4.add').get(z).f32x4(0.5).op('f32x4.mul', 'f32x4.sub');
    f.get(m).op('f32x4.add').get(e).f32x4(LN2_HI).op('f32x4.mul', 'f32x4.add');
    f.set(z).get(x).get(z).get(x).get(x).op('f32x4.ne').get(x).f32x4(Infinity).op('f32x4.eq', 'v128.or', 'v128.bitselect'); // NaN, +Inf: x
    f.set(z).f32x4(NaN).get(z).get(x).f32x4(0).op('f32x4.lt', 'v128.bitselect');
    f.set(z).f32x4(-Infinity).get(z).get(x).f32x4(0).op('f32x4.eq', 'v128.bitselect');
  }

  /** tanh(x): the odd polynomial below 0.625, else sign(x) (1 - 2 / (exp(2|x|) + 1)). */
  tanh(): void {
    const { f } = this;
    const [x, a, z] = [this.t('tanh.x'), this.t('tanh.a'), this.t('tanh.z')];
    f.tee(x).op('f32x4.abs').set(a);
    f.get(x).get(x).op('f32x4.mul').set(z);
    this.poly(z, TANH_P);
    f.get(z).op('f32x4.mul').get(x).op('f32x4.mul').get(x).op('f32x4.add'); // small
    f.f32x4(1).f32x4(2).get(a).f32x4(2).op('f32x4.mul');
    this.exp();
    f.f32x4(1).op('f32x4.add', 'f32x4.div', 'f32x4.sub'); // 1 - 2 / (e + 1), of |x|
    f.get(x).i32x4(0x7fffffff).op('v128.andnot', 'v128.or'); // | sign(x)
    f.get(a).f32x4(TANH_SMALL).op('f32x4.lt', 'v128.bitselect');
  }

  /** sigmoid(x) = 1 / (1 + e) for x >= 0, e / (1 + e) otherwise, with e = exp(-|x|) (no overflow, as the reference). */
  sigmoid(): void {
    const { f } = this;
    const [x, e, r] = [this.t('sig.x'), this.t('sig.e'), this.t('sig.r')];
    f.tee(x).op('f32x4.abs', 'f32x4.neg');
    this.exp();
    f.set(e).f32x4(1).f32x4(1).get(e).op('f32x4.add', 'f32x4.div').set(r);
    f.get(r).get(e).get(r).op('f32x4.mul').get(x).f32x4(0).op('f32x4.ge', 'v128.bitselect');
  }

  /**
   * Leaves, for u on the stack, locals `erf.small` = u S(u^2) (erf where |u| < ERF_SPLIT) and
   * `erf.E` = erfc(|u|) = exp(-u^2) R(|u|) (1 - erf(|u|) elsewhere), and `erf.u` = u.
   */
  private erfParts(): { u: number; small: number; big: number } {
    const { f } = this;
    const [u, z, t, small, big] = [this.t('erf.u'), this.t('erf.z'), this.t('erf.t'), this.t('erf.small'), this.t('erf.E')];
    const { s, r } = fits();
    const zHalf = ERF_SPLIT ** 2 / 2;
    f.tee(u).get(u).op('f32x4.mul').set(z);
    f.get(z).f32x4(zHalf).op('f32x4.sub').f32x4(1 / zHalf).op('f32x4.mul').set(t);
    this.poly(t, s);
    f.get(u).op('f32x4.mul').set(small);
    const [mid, half] = [(ERF_SPLIT + ERF_R_HI) / 2, (ERF_R_HI - ERF_SPLIT) / 2];
    f.get(u).op('f32x4.abs').f32x4(ERF_R_HI).op('f32x4.min').f32x4(mid).op('f32x4.sub').f32x4(1 / half).op('f32x4.mul').set(t);
    this.poly(t, r);
    f.get(z).op('f32x4.neg');
    this.exp();
    f.op('f32x4.mul').set(big);
    return { u, small, big };
  }

  /** Pushes the mask |u| < ERF_SPLIT (false for NaN). */
  private smallMask(u: number): void {
    this.f.get(u).op('f32x4.abs').f32x4(ERF_SPLIT).op('f32x4.lt');
  }

  /** erf(x), odd: u S(u^2) near 0, sign(u) (1 - erfc(|u|)) further out. */
  erf(): void {
    const { f } = this;
    const { u, small, big } = this.erfParts();
    f.get(small);
    f.f32x4(1).get(big).op('f32x4.sub').get(u).i32x4(0x7fffffff).op('v128.andnot', 'v128.or');
    this.smallMask(u);
    f.op('v128.bitselect');
  }

  /**
   * GELU. Exact form: 0.5 x (1 + erf(x / sqrt 2)), with 1 + erf(u) taken as erfc(|u|) for
   * negative u (no cancellation in the tail; below x = -6 sqrt 2, where R is taken at 6, the
   * relative error grows to ~30% of values under 1e-16). Tanh form: 0.5 x (1 + tanh(k (x +
   * 0.044715 x^3))), computed as x sigmoid(2k (...)).
   */
  gelu(approximate: 'none' | 'tanh'): void {
    const { f } = this;
    const x = this.t('gelu.x');
    f.set(x);
    if (approximate === 'tanh') {
      // 0.5 x (1 + tanh(y)) = x sigmoid(2y): no cancellation in the negative tail.
      f.get(x).get(x).get(x).op('f32x4.mul', 'f32x4.mul').f32x4(0.044715).op('f32x4.mul').get(x).op('f32x4.add');
      f.f32x4(2 * 0.7978845608028654).op('f32x4.mul');
      this.sigmoid();
      f.get(x).op('f32x4.mul');
      return;
    } else {
      f.get(x).f32x4(Math.SQRT1_2).op('f32x4.mul');
      const { u, small, big } = this.erfParts();
      f.f32x4(1).get(small).op('f32x4.add');
      f.get(big).f32x4(2).get(big).op('f32x4.sub').get(u).f32x4(0).op('f32x4.lt', 'v128.bitselect');
      this.smallMask(u);
      f.op('v128.bitselect');
    }
    f.get(x).f32x4(0.5).op('f32x4.mul', 'f32x4.mul'); // (0.5 x) (1 + ...): 0.5 first, so x near FLT_MAX does not overflow
  }
}
