// Accuracy of the double-precision erf behind the erf and gelu ops.
import { describe, expect, it } from 'vitest';
import { erf } from '../../src/ops/scalar.ts';

/** [x, erf(x)] computed with mpmath at 40 digits, rounded to double; both sides of the series/fraction switch at 3. */
const REFERENCE: readonly (readonly [number, number])[] = [
  [0, 0],
  [1e-12, 1.1283791670955126e-12],
  [0.001, 0.0011283787909692365],
  [0.1, 0.1124629160182849],
  [-0.25, -0.27632639016823696],
  [0.5, 0.5204998778130465],
  [-0.75, -0.7111556336535151],
  [1, 0.8427007929497149],
  [1.5, 0.9661051464753108],
  [2, 0.9953222650189527],
  [2.5, 0.999593047982555],
  [2.9, 0.9999589021219005],
  [2.999, 0.9999777698314002],
  [3, 0.9999779095030014],
  [3.001, 0.9999780483390822],
  [3.1, 0.9999883513426328],
  [-3, -0.9999779095030014],
  [-3.5, -0.9999992569016276],
  [4, 0.9999999845827421],
  [5, 0.9999999999984626],
  [5.5, 0.9999999999999927],
  [5.9, 0.9999999999999999],
];

/** 2/sqrt(pi) * integral_0^x exp(-t^2) dt by composite Simpson's rule (error below 1e-10 for |x| <= 7). */
function erfBySimpson(x: number, intervals = 4000): number {
  const h = x / intervals;
  const f = (t: number) => Math.exp(-t * t);
  let sum = f(0) + f(x);
  for (let i = 1; i < intervals; i++) sum += (i % 2 === 1 ? 4 : 2) * f(i * h);
  return ((2 / Math.sqrt(Math.PI)) * (h / 3)) * sum;
}

describe('erf', () => {
  it.each(REFERENCE)('erf(%d) matches the 40-digit value', (x, want) => {
    expect(Math.abs(erf(x) - want)).toBeLessThanOrEqual(2e-15);
  });

  it('agrees with numerical integration across [-7, 7]', () => {
    for (let x = -7; x <= 7; x += 0.0625) {
      expect(Math.abs(erf(x) - erfBySimpson(x)), `x = ${x}`).toBeLessThan(1e-10);
    }
  });

  it('is odd and non-decreasing, including across its internal switch points', () => {
    let prev = -1;
    for (let x = -6.5; x <= 6.5; x += 1 / 1024) {
      expect(erf(-x)).toBe(-erf(x));
      expect(erf(x)).toBeGreaterThanOrEqual(prev);
      prev = erf(x);
    }
  });

  it('saturates at ±1 and propagates NaN', () => {
    expect([erf(6), erf(-6), erf(40), erf(Infinity), erf(-Infinity)]).toEqual([1, -1, 1, 1, -1]);
    expect(erf(NaN)).toBeNaN();
    expect(Object.is(erf(-0), -0)).toBe(true);
  });
});
