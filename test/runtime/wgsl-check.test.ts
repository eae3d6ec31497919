// Check mode's NaN/Inf rule, without a GPU: a non-finite GPU element is a finding only where the
// interpreter's element differs (a mask's -Infinity or a NaN in both is not; +Inf vs -Inf is).
import { describe, expect, it } from 'vitest';
import { f32 } from '../../src/ir/tensor.ts';
import { nonFiniteAgainst } from '../../src/runtime/check.ts';

const gpu = (xs: number[]) => new Float32Array(xs);

describe('nonFiniteAgainst', () => {
  it('NaN and infinities at the same positions as the interpreter are shared, not findings', () => {
    expect(nonFiniteAgainst(gpu([1, -Infinity, NaN, Infinity]), f32([4], [1, -Infinity, NaN, Infinity]))).toEqual({ first: -1, shared: 3 });
  });

  it('the first element that is NaN or Inf on the GPU only, or of the other sign, is the finding', () => {
    expect(nonFiniteAgainst(gpu([-Infinity, 2, NaN, Infinity]), f32([4], [-Infinity, 2, 3, -Infinity]))).toEqual({ first: 2, shared: 1 });
    expect(nonFiniteAgainst(gpu([Infinity]), f32([1], [-Infinity]))).toEqual({ first: 0, shared: 0 });
  });

  it('finite GPU values are never findings here, even where the interpreter has NaN (that is a divergence)', () => {
    expect(nonFiniteAgainst(gpu([1, 2]), f32([2], [NaN, -Infinity]))).toEqual({ first: -1, shared: 0 });
  });
});
