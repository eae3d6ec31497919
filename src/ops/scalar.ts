// Scalar functions shared by the reference semantics and by generated code: the TS backend
// copies the declarations a kernel uses (and what they reference) into the emitted module,
// so both compute with the very same source. Keep this file free of imports.

/** 2 / sqrt(pi). */
const TWO_OVER_SQRT_PI = 1.1283791670955126;
/** 1 / sqrt(pi). */
const ONE_OVER_SQRT_PI = 0.5641895835477563;
/** Below this |x| the power series is used, at or above it the continued fraction for erfc. */
const SERIES_LIMIT = 3;
/** erfc(6) is about 2e-17, below half an ulp of 1, so erf(x) rounds to ±1 from here on. */
const SATURATION = 6;
/** Depth of the continued fraction; enough for full double precision at x >= SERIES_LIMIT. */
const FRACTION_TERMS = 80;

/**
 * erf(x) = 2/sqrt(pi) * integral from 0 to x of exp(-t^2) dt, odd in x.
 * Absolute error below 1e-15 everywhere; erf(±Inf) = ±1, erf(NaN) = NaN.
 */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const a = Math.abs(x);
  if (a >= SATURATION) return Math.sign(x);
  if (a < SERIES_LIMIT) return erfSeries(x);
  return Math.sign(x) * (1 - erfcFraction(a));
}

/**
 * Power series with only positive terms (no cancellation):
 * erf(x) = 2/sqrt(pi) * exp(-x^2) * sum_n 2^n x^(2n+1) / (1*3*...*(2n+1)).
 */
function erfSeries(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (2 * x2) / (2 * n + 1);
    sum += term;
    if (Math.abs(term) <= Math.abs(sum) * 1e-17) break;
  }
  return TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
}

/**
 * erfc for x >= SERIES_LIMIT by Laplace's continued fraction, evaluated from the tail:
 * erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + (2/2)/(x + (3/2)/(x + ...)))).
 */
function erfcFraction(x: number): number {
  let tail = x;
  for (let k = FRACTION_TERMS; k >= 1; k--) tail = x + k / 2 / tail;
  return (ONE_OVER_SQRT_PI * Math.exp(-x * x)) / tail;
}

/** Logistic function, without overflow: exp is only taken of non-positive arguments. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** GELU, exact form x * Phi(x) through erf (PyTorch's default); far in the negative tail it cancels to 0. */
export function gelu(x: number): number {
  return 0.5 * x * (1 + erf(x / Math.SQRT2));
}

/** sqrt(2 / pi), for the tanh approximation of GELU. */
const SQRT_2_OVER_PI = 0.7978845608028654;

/** GELU, PyTorch's tanh approximation. */
export function geluTanh(x: number): number {
  return 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x)));
}

/** The value of IEEE binary16 bits (sign, 5 exponent bits, 10 fraction bits). */
export function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >> 10) & 0x1f;
  const frac = bits & 0x3ff;
  if (exp === 0x1f) return frac === 0 ? sign * Infinity : NaN;
  return sign * (exp === 0 ? frac * 2 ** -24 : (1024 + frac) * 2 ** (exp - 25));
}

/**
 * The nearest binary16 (IEEE half) value of x, ties to even: what a cast to float16 keeps. Beyond
 * the largest half (65504) it is ±Infinity; below 2^-14 the steps are the subnormals' 2^-24;
 * NaN, ±Infinity and ±0 stay. Scaling by a power of two is exact, so only the one rounding happens.
 */
export function roundF16(x: number): number {
  const a = Math.abs(x);
  if (!(a > 0) || a === Infinity) return x;
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  else if (2 ** (e + 1) <= a) e++;
  const scale = 2 ** (10 - Math.max(e, -14));
  const q = a * scale;
  const f = Math.floor(q);
  const r = (q - f > 0.5 || (q - f === 0.5 && f % 2 === 1) ? f + 1 : f) / scale;
  return (r > 65504 ? Infinity : r) * Math.sign(x);
}

/** IEEE/C99 pow, as PyTorch computes it: unlike Math.pow, pow(1, y) = 1 and pow(-1, ±Inf) = 1. */
export function floatPow(x: number, y: number): number {
  if (x === 1 || (x === -1 && Math.abs(y) === Infinity)) return 1;
  return Math.pow(x, y);
}

/**
 * Integer pow by repeated squaring; `wrap32` multiplies with Math.imul (exact i32 wrap-around).
 * A negative exponent gives the truncated real result: ±1 for a base of ±1, otherwise 0.
 */
export function intPow(base: number, exp: number, wrap32: boolean): number {
  if (exp < 0) return base === 1 ? 1 : base === -1 ? (exp % 2 === 0 ? 1 : -1) : 0;
  let result = 1;
  let square = base;
  for (let e = exp; e > 0; e = Math.floor(e / 2)) {
    if (e % 2 === 1) result = wrap32 ? Math.imul(result, square) : result * square;
    square = wrap32 ? Math.imul(square, square) : square * square;
  }
  return result;
}

/** Integer division truncating toward zero (ONNX); division by zero gives 0. */
export function divInt(a: number, b: number): number {
  return b === 0 ? 0 : Math.trunc(a / b);
}

/** A double stored as i64: truncated toward zero, NaN and ±Inf as 0 (the fromNumberArray rule). */
export function toI64(x: number): bigint {
  return Number.isFinite(x) ? BigInt(Math.trunc(x)) : 0n;
}

/**
 * The message of an index outside [-size, size) along `axis`, the same from the interpreter and
 * from generated code on every backend (which prefix the node).
 */
export function indexRangeMessage(raw: number | bigint, axis: number, size: number, op = 'gather'): string {
  return `${op} index ${raw} is out of range for axis ${axis} of size ${size} (valid: ${-size}..${size - 1})`;
}

/** Floored integer remainder (ONNX Mod, fmod = 0): the sign of the divisor; a zero divisor gives 0. */
export function modInt(a: number, b: number): number {
  if (b === 0) return 0;
  const r = a % b;
  return r !== 0 && r < 0 !== b < 0 ? r + b : r;
}

/** Truncated remainder (C fmod; ONNX Mod, fmod = 1) on integers: the sign of the dividend; a zero divisor gives 0. */
export function fmodInt(a: number, b: number): number {
  return b === 0 ? 0 : a % b;
}

/** log(1 + e^x) without overflow. */
export function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

/** Round half to even (ONNX Round, numpy.round); ±0, ±Inf and NaN unchanged. */
export function roundEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** x / (1 + |x|), ±1 at ±Inf (where the quotient would be NaN). */
export function softsign(x: number): number {
  return x === Infinity ? 1 : x === -Infinity ? -1 : x / (1 + Math.abs(x));
}
