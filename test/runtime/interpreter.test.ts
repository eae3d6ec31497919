// The reference interpreter: binding errors, weight overrides, the onNode hook and value liveness.
import { describe, expect, it } from 'vitest';
import { graph } from '../../src/api/builder.ts';
import { Linear } from '../../src/api/nn/layers.ts';
import { BindingError } from '../../src/errors.ts';
import { IRBuilder } from '../../src/ir/builder.ts';
import type { Graph, Node } from '../../src/ir/graph.ts';
import { type Tensor, f32, tensor, toNumbers } from '../../src/ir/tensor.ts';
import { tensorType } from '../../src/ir/types.ts';
import { type InterpretOptions, interpret } from '../../src/runtime/interpreter.ts';
import { compile } from '../../src/compile.ts';
import { compileTraining } from '../../src/train/trainer.ts';
import { sgd } from '../../src/train/optimizers.ts';

const t = tensorType;

/** y = x @ w + b with x: f32[1,2] input, w: f32[2,2] weight with data, b: f32[2] weight without. */
function affine(): Graph {
  const g = new IRBuilder('affine');
  const x = g.input('x', t('f32', [1, 2]));
  const w = g.weight('w', t('f32', [2, 2]), f32([2, 2], [1, 2, 3, 4]));
  const b = g.weight('b', t('f32', [2]));
  const [y] = g.node('gemm', { transA: false, transB: false, alpha: 1, beta: 1 }, [x.id, w.id, b.id]);
  g.output('y', y!.id);
  return g.finish();
}

const x = f32([1, 2], [1, 1]);
const b = f32([2], [10, 20]);

/** The BindingError message of a run (fails the test when the run succeeds or throws something else). */
function bindingError(g: Graph, inputs: Record<string, Tensor>, opts: InterpretOptions): string {
  try {
    interpret(g, inputs, opts);
  } catch (e) {
    expect(e).toBeInstanceOf(BindingError);
    return (e as Error).message;
  }
  throw new Error('expected a BindingError');
}

describe('binding errors name the input or weight and the types', () => {
  it('a missing input', () => {
    expect(bindingError(affine(), {}, { weights: { b }, strict: false })).toBe('missing input "x": f32[1,2]');
  });

  it('an input of the wrong shape', () => {
    const msg = bindingError(affine(), { x: f32([2, 1], [1, 1]) }, { weights: { b }, strict: false });
    expect(msg).toBe('input "x" is f32[2,1], the graph expects f32[1,2]');
  });

  it('an input of the wrong dtype', () => {
    const msg = bindingError(affine(), { x: tensor('i32', [1, 2], [1, 1]) }, { weights: { b }, strict: false });
    expect(msg).toBe('input "x" is i32[1,2], the graph expects f32[1,2]');
  });

  it('an extra input, unless told to ignore extras', () => {
    const msg = bindingError(affine(), { x, extra: x }, { weights: { b }, strict: false });
    expect(msg).toContain('graph "affine" has no input "extra"');
    expect(msg).toContain('(inputs: x)');
    const out = interpret(affine(), { x, extra: x }, { weights: { b }, strict: false, ignoreExtraInputs: true });
    expect(toNumbers(out.y!)).toEqual([14, 26]);
  });

  it('a weight without data that the run does not give', () => {
    expect(bindingError(affine(), { x }, {})).toContain('missing weight "b": f32[2]');
  });

  it('a weight override of the wrong type', () => {
    const msg = bindingError(affine(), { x }, { weights: { b, w: f32([4], [1, 2, 3, 4]) } });
    expect(msg).toBe('weight "w" is f32[4], the graph expects f32[2,2]');
    const i32w = tensor('i32', [2, 2], [1, 2, 3, 4]);
    expect(bindingError(affine(), { x }, { weights: { b, w: i32w } })).toBe('weight "w" is i32[2,2], the graph expects f32[2,2]');
  });

  it('accepts inputs and weights given as Maps', () => {
    const out = interpret(affine(), new Map([['x', x]]), { weights: new Map([['b', b]]), strict: false });
    expect(toNumbers(out.y!)).toEqual([14, 26]);
  });
});

describe('weights', () => {
  it('not given keep the graph data when the set is partial (strict: false)', () => {
    const base = interpret(affine(), { x }, { weights: { b }, strict: false });
    expect(toNumbers(base.y!)).toEqual([1 + 3 + 10, 2 + 4 + 20]);
    const w = f32([2, 2], [0, 1, 1, 0]);
    const over = interpret(affine(), { x }, { weights: { b, w } });
    expect(toNumbers(over.y!)).toEqual([1 + 10, 1 + 20]);
  });

  it('override API-initialised layer parameters by state_dict key', () => {
    const g = graph('lin', (gb) => new Linear(2, 1).forward(gb.input('x', [1, 2])));
    const weights = { weight: f32([1, 2], [2, -1]), bias: f32([1], [0.5]) };
    const out = interpret(g, { x: f32([1, 2], [3, 4]) }, { weights });
    expect(toNumbers(out.output!)).toEqual([2 * 3 - 4 + 0.5]);
    const dflt = interpret(g, { x: f32([1, 2], [3, 4]) });
    expect(toNumbers(dflt.output!)).not.toEqual([2.5]);
  });
});

describe('given weights are strict, like load_state_dict(strict=True)', () => {
  const w = f32([2, 2], [0, 1, 1, 0]);

  it('a misspelt name: one error with the closest weight name, and the weight it leaves missing', () => {
    const msg = bindingError(affine(), { x }, { weights: { b, ww: w } });
    expect(msg).toBe('weights do not match graph "affine": unknown "ww" (did you mean "w"?); missing "w" (strict: false loads a partial set)');
    const typo = graph('lin', (gb) => new Linear(2, 1).forward(gb.input('x', [1, 2])));
    expect(bindingError(typo, { x }, { weights: { weight: f32([1, 2], [1, 1]), bais: f32([1], [0]) } })).toContain('unknown "bais" (did you mean "bias"?); missing "bias"');
  });

  it('weights not given are missing even when the graph has data for them', () => {
    expect(bindingError(affine(), { x }, { weights: { b } })).toBe('weights do not match graph "affine": missing "w" (strict: false loads a partial set)');
  });

  it('every unknown name is listed, not just the first', () => {
    const msg = bindingError(affine(), { x }, { weights: { b, w, bb: b, extra: b } });
    expect(msg).toContain('unknown "bb" (did you mean "b"?), "extra" (did you mean ');
  });

  it('strict: false ignores unknown names and keeps graph data for the rest', () => {
    const out = interpret(affine(), { x }, { weights: { b, ww: w }, strict: false });
    expect(toNumbers(out.y!)).toEqual([1 + 3 + 10, 2 + 4 + 20]);
    expect(bindingError(affine(), { x }, { weights: { w }, strict: false })).toBe('missing weight "b": f32[2] (give it in a weights file)');
  });

  it('compile() and a trainer apply the same rule', async () => {
    await expect(compile(affine(), { target: 'ts', weights: { b, ww: w } })).rejects.toThrow('unknown "ww" (did you mean "w"?); missing "w"');
    const partial = await compile(affine(), { target: 'ts', weights: { b, ww: w }, strict: false });
    expect(toNumbers(partial.run({ x }).y!)).toEqual([1 + 3 + 10, 2 + 4 + 20]);
    const lin = graph('lin', (gb) => new Linear(2, 1).forward(gb.input('x', [1, 2])));
    const trainer = await compileTraining(lin, { loss: 'output', optimizer: sgd({ lr: 0.1 }), target: 'interp' });
    expect(() => trainer.load({ wieght: f32([1, 2], [1, 1]), bais: f32([1], [0]) })).toThrow(/unknown "wieght" \(did you mean "weight"\?\), "bais" \(did you mean "bias"\?\)/);
  });

  it('an exact set runs; no weights at all uses the graph data', () => {
    expect(toNumbers(interpret(affine(), { x }, { weights: { b, w } }).y!)).toEqual([1 + 10, 1 + 20]);
    const lin = graph('lin', (gb) => new Linear(2, 1).forward(gb.input('x', [1, 2])));
    expect(interpret(lin, { x }).output!.shape).toEqual([1, 1]);
  });
});

describe('onNode', () => {
  it('is called once per node, in graph order, with that node’s outputs', () => {
    const g = affine();
    const seen: [Node, number[]][] = [];
    interpret(g, { x }, { weights: { b }, strict: false, onNode: (n, outs) => seen.push([n, outs.flatMap(toNumbers)]) });
    expect(seen.map(([n]) => n)).toEqual([...g.nodes]);
    expect(seen[0]![0]).toBe(g.nodes[0]);
    expect(seen[0]![1]).toEqual([14, 26]);
  });

  it('sees every node of a multi-node graph exactly once', () => {
    const g = graph('chain', (gb) => {
      const v = gb.input('v', [3]);
      const [lo, hi] = [v.slice(0, 0, 1), v.slice(0, 1, 3)];
      return { s: lo.sum().add(hi.sum()), m: v.amax() };
    });
    const ops: string[] = [];
    const out = interpret(g, { v: f32([3], [1, 5, 2]) }, { onNode: (n) => ops.push(n.op) });
    expect(ops).toEqual(g.nodes.map((n) => n.op));
    expect(ops).toHaveLength(g.nodes.length);
    expect(toNumbers(out.s!)).toEqual([8]);
    expect(toNumbers(out.m!)).toEqual([5]);
  });
});

describe('liveness', () => {
  it('keeps an output that a later node also reads', () => {
    const g = new IRBuilder('reuse');
    const v = g.input('v', t('f32', [2]));
    const [e] = g.node('neg', {}, [v.id]);
    const [d] = g.node('add', {}, [e!.id, e!.id]);
    const [r] = g.node('relu', {}, [d!.id]);
    g.output('early', e!.id);
    g.output('late', r!.id);
    const out = interpret(g.finish(), { v: f32([2], [1, -3]) });
    expect(toNumbers(out.early!)).toEqual([-1, 3]);
    expect(toNumbers(out.late!)).toEqual([0, 6]);
  });

  it('returns an input that is also an output, and one value under two output names', () => {
    const g = new IRBuilder('passthrough');
    const v = g.input('v', t('f32', [2]));
    const [n] = g.node('neg', {}, [v.id]);
    g.output('same', v.id);
    g.output('a', n!.id);
    g.output('b', n!.id);
    const out = interpret(g.finish(), { v: f32([2], [1, 2]) });
    expect(toNumbers(out.same!)).toEqual([1, 2]);
    expect(toNumbers(out.a!)).toEqual([-1, -2]);
    expect(toNumbers(out.b!)).toEqual([-1, -2]);
  });

  it('keeps a value alive until its last reader, several nodes later', () => {
    const g = graph('late-use', (gb) => {
      const v = gb.input('v', [2]);
      const a = v.mul(2);
      const b = a.add(1).relu().neg();
      return b.mul(a).add(v);
    });
    const out = interpret(g, { v: f32([2], [1, 2]) });
    expect(toNumbers(out.output!)).toEqual([-(3 * 2) + 1, -(5 * 4) + 2]);
  });
});
