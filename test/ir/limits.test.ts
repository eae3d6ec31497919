// Shape bounds in the builders and graph limits: dimensions and element counts that overflow,
// or that a zero dimension would otherwise hide, are refused where the shape is declared.
import { describe, expect, it } from 'vitest';
import { graph, nn } from '../../src/api/index.ts';
import { uniform } from '../../src/api/init.ts';
import { LimitError, ShapeError } from '../../src/errors.ts';
import { IRBuilder } from '../../src/ir/builder.ts';
import { tensorType } from '../../src/ir/types.ts';
import { DEFAULT_LIMITS, checkGraphLimits, resolveLimits } from '../../src/io/limits.ts';
import { boundedNumel } from '../../src/ops/util.ts';

describe('shape bounds', () => {
  it('boundedNumel never lets Infinity * 0 (NaN) through', () => {
    expect(boundedNumel([1e200, 1e200, 0])).toBe(0);
    expect(boundedNumel([1e200, 1e200, 2])).toBeUndefined();
    expect(boundedNumel([65536, 32768])).toBeUndefined();
    expect(boundedNumel([65536, 32767])).toBe(2147418112);
  });

  it('refuses reshape targets whose product overflows, even with a zero dimension', () => {
    const b = new IRBuilder('r');
    const x = b.input('x', tensorType('f32', [0]));
    expect(() => b.node('reshape', { shape: [1e200, 1e200, 0] }, [x.id])).toThrow(ShapeError);
    expect(() => b.node('reshape', { shape: [2 ** 31, 0] }, [x.id])).toThrow(/invalid dimension 2147483648/);
    expect(b.node('reshape', { shape: [3, 0] }, [x.id])[0]!.type.shape).toEqual([3, 0]);
  });

  it('checks input and weight shapes in the IR builder and the API', () => {
    const b = new IRBuilder('i');
    expect(() => b.input('x', tensorType('f32', [-1, 2]))).toThrow(/input "x" shape has an invalid dimension -1/);
    expect(() => b.input('y', tensorType('f32', [65536, 65536]))).toThrow(/input "y" shape \[65536,65536\] has more than 2147483647 elements/);
    expect(() => b.weight('w', tensorType('f32', [1.5]))).toThrow(/weight "w" shape has an invalid dimension 1\.5/);
    expect(() => graph('g', (g) => g.input('x', [1e10, 1e10]))).toThrow(ShapeError);
  });

  it('checks a parameter shape before its initialiser allocates it', () => {
    const make = () => graph('p', (g) => g.param('w', tensorType('f32', [65536, 65536]), uniform(1)));
    expect(make).toThrow(ShapeError);
    expect(make).toThrow(/parameter "w" shape \[65536,65536\] has more than 2147483647 elements/);
  });

  it('attention modules refuse head counts that do not split the width, with a ShapeError', () => {
    for (const [heads, dim] of [[0, 6], [4, 6], [2, 1.5], [NaN, 6], [-2, 6]] as const) {
      expect(() => new nn.MultiHeadAttention(heads, dim)).toThrow(ShapeError);
      expect(() => new nn.MultiheadAttention(dim, heads)).toThrow(/embed_dim .* is not a positive multiple of num_heads/);
    }
  });
});

describe('graph limits', () => {
  const small = graph('small', (g) => g.input('x', [2, 3]).relu().neg());

  it('passes a graph within the defaults and refuses one past maxNodes or maxRank', () => {
    expect(DEFAULT_LIMITS.maxNodes).toBe(1_000_000);
    expect(() => checkGraphLimits(small)).not.toThrow();
    expect(() => checkGraphLimits(small, resolveLimits({ maxNodes: 1 }))).toThrow(new LimitError('graph "small" node count: 2 exceeds the limit maxNodes = 1'));
    expect(() => checkGraphLimits(small, resolveLimits({ maxRank: 1 }))).toThrow(/graph "small" value %0 rank: 2 exceeds the limit maxRank = 1/);
  });
});
