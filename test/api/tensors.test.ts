// Tensor helpers (tril, triu, arange, full, zeros, ones, onesLike, maskedFill, where, comparisons,
// logical ops) on the interpreter against hand-computed PyTorch results, and their masks folding
// to one constant at -O1.
import { describe, expect, it } from 'vitest';
import { F, graph } from '../../src/api/index.ts';
import { f32, tensor, toNumbers } from '../../src/ir/tensor.ts';
import { formatType } from '../../src/ir/types.ts';
import { PIPELINES, runPipeline } from '../../passes/pipeline.ts';
import { interpret } from '../../src/runtime/interpreter.ts';

const X = f32([2, 3], [1, -2, 3, 4, Number.NaN, -6]);
const run = (body: Parameters<typeof graph>[1], inputs = { x: X }) => {
  const g = graph('t', body);
  return { g, out: interpret(g, inputs).output! };
};

describe('creation helpers', () => {
  it('arange follows torch.arange (i64 for integers, f32 otherwise)', () => {
    const { out } = run((b) => F.arange(b, 2, 9, 3), {} as never);
    expect(formatType(out)).toBe('i64[3]');
    expect(toNumbers(out)).toEqual([2, 5, 8]);
    expect(toNumbers(run((b) => F.arange(b, 0, 1, 0.25), {} as never).out)).toEqual([0, 0.25, 0.5, 0.75]);
    expect(toNumbers(run((b) => F.arange(b, 4), {} as never).out)).toEqual([0, 1, 2, 3]);
  });

  it('full, zeros, ones and onesLike are constants of the asked shape and dtype', () => {
    const { g, out } = run((b) => F.full(b, [2, 2], 7).add(F.ones(b, [2])).add(F.zeros(b, [2, 1])), {} as never);
    expect(toNumbers(out)).toEqual([8, 8, 8, 8]);
    expect(g.nodes.every((n) => n.op !== 'constant' || n.outputs[0]!.type.dtype === 'f32')).toBe(true);
    const like = run((b) => F.onesLike(b.input('x', [2, 3])));
    expect(formatType(like.out)).toBe('f32[2,3]');
    expect(toNumbers(like.out)).toEqual([1, 1, 1, 1, 1, 1]);
  });
});

describe('triangles and masks', () => {
  it('tril and triu keep j - i <= d and j - i >= d', () => {
    const m = f32([3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const tri = (f: (x: ReturnType<typeof F.ones>) => ReturnType<typeof F.ones>) => toNumbers(run((b) => f(b.input('x', [3, 3])), { x: m }).out);
    expect(tri((x) => x.tril())).toEqual([1, 0, 0, 4, 5, 0, 7, 8, 9]);
    expect(tri((x) => x.tril(-1))).toEqual([0, 0, 0, 4, 0, 0, 7, 8, 0]);
    expect(tri((x) => x.triu())).toEqual([1, 2, 3, 0, 5, 6, 0, 0, 9]);
    expect(tri((x) => x.triu(1))).toEqual([0, 2, 3, 0, 0, 6, 0, 0, 0]);
    expect(() => graph('t', (b) => b.input('v', [3]).tril())).toThrow(/rank >= 2/);
  });

  it('a causal mask from tril(ones) == 0 folds to one bool constant', () => {
    const g = graph('m', (b) => F.tril(F.ones(b, [3, 4])).eq(0));
    expect(toNumbers(interpret(g, {}).output!)).toEqual([0, 1, 1, 1, 0, 0, 1, 1, 0, 0, 0, 1]);
    const folded = runPipeline(g, PIPELINES[1]).graph;
    expect(folded.nodes.map((n) => n.op)).toEqual(['constant']);
  });

  it('maskedFill and where take scalars; maskedFill refuses a non-bool mask', () => {
    const { out } = run((b) => {
      const x = b.input('x', [2, 3]);
      return x.maskedFill(x.gt(0), -Infinity);
    });
    expect(toNumbers(out)).toEqual([-Infinity, -2, -Infinity, -Infinity, Number.NaN, -6]);
    const w = run((b) => F.where(b.input('x', [2, 3]).lt(0), 1, 0));
    expect(toNumbers(w.out)).toEqual([0, 1, 0, 0, 0, 1]);
    expect(() => graph('t', (b) => b.input('x', [2]).maskedFill(b.input('m', [2]), 0))).toThrow(/bool mask/);
  });
});

describe('comparisons and logical ops', () => {
  const cmp = (f: (x: ReturnType<typeof F.ones>) => ReturnType<typeof F.ones>) => toNumbers(run((b) => f(b.input('x', [2, 3]))).out);
  it('follow PyTorch, NaN included (only ne is true at NaN)', () => {
    expect(cmp((x) => x.lt(3))).toEqual([1, 1, 0, 0, 0, 1]);
    expect(cmp((x) => x.le(3))).toEqual([1, 1, 1, 0, 0, 1]);
    expect(cmp((x) => x.gt(3))).toEqual([0, 0, 0, 1, 0, 0]);
    expect(cmp((x) => x.ge(3))).toEqual([0, 0, 1, 1, 0, 0]);
    expect(cmp((x) => x.eq(3))).toEqual([0, 0, 1, 0, 0, 0]);
    expect(cmp((x) => x.ne(3))).toEqual([1, 1, 0, 1, 1, 1]);
  });
  it('logicalNot/And/Or treat non-bool operands as != 0', () => {
    const z = f32([4], [0, 1, 0, 2]);
    const y = f32([4], [0, 0, 3, 4]);
    const two = (f: (a: ReturnType<typeof F.ones>, c: ReturnType<typeof F.ones>) => ReturnType<typeof F.ones>) =>
      toNumbers(interpret(graph('l', (b) => f(b.input('a', [4]), b.input('c', [4]))), { a: z, c: y }).output!);
    expect(two((a) => a.logicalNot())).toEqual([1, 0, 1, 0]);
    expect(two((a, c) => a.logicalAnd(c))).toEqual([0, 0, 0, 1]);
    expect(two((a, c) => a.logicalOr(c))).toEqual([0, 1, 1, 1]);
    expect(two((a, c) => a.gt(0).logicalAnd(c.gt(0)).logicalNot())).toEqual([1, 1, 1, 0]);
    expect(tensor('bool', [1], [1]).dtype).toBe('bool');
  });
});
