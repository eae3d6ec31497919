// The error function in double precision, for the reference semantics of erf and gelu.
// JS has no Math.erf; this one is accurate to a few ulps of 1 over the whole real line.

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
