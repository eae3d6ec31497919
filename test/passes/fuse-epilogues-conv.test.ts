// fuse-epilogues into conv: activations, PRelu (a tree reading the conv three times) and
// per-channel operands move into the conv store; operands that vary along a spatial dim, a conv
// result read elsewhere, and (at -O2) a BatchNorm that fold-affine takes into the weights first.
import { describe, expect, it } from 'vitest';
import { fuseEpilogues } from '../../passes/fuse-elementwise.ts';
import { PIPELINES, runPipeline } from '../../passes/pipeline.ts';
import { IRBuilder } from '../../src/ir/builder.ts';
import { type Graph, type ValueId, staticValueIds } from '../../src/ir/graph.ts';
import { printGraph } from '../../src/ir/print.ts';
import { toDot } from '../../src/viz/dot.ts';
import { f32 } from '../../src/ir/tensor.ts';
import { tensorType } from '../../src/ir/types.ts';
import { interpret } from '../../src/runtime/interpreter.ts';
import { Rng, expectAllClose, randomInputs } from '../codegen/helpers.ts';
import { checkPass, prepare, runChecked, weightData } from './harness.ts';

const conv2d = { strides: [1, 1], dilations: [1, 1], pads: [1, 1, 1, 1], group: 1 };

/** x [1,3,6,7] -> conv (4 channels, bias) -> `tail(b, y)`. */
function convThen(name: string, tail: (b: IRBuilder, y: ValueId) => ValueId, extraOutput = false): Graph {
  const b = new IRBuilder(name);
  const x = b.input('x', tensorType('f32', [1, 3, 6, 7])).id;
  const w = b.weight('w', tensorType('f32', [4, 3, 3, 3]), weightData([4, 3, 3, 3], 1)).id;
  const bias = b.weight('b', tensorType('f32', [4]), weightData([4], 2)).id;
  const y = b.node('conv', conv2d, [x, w, bias], 'conv1')[0]!.id;
  b.output('z', tail(b, y));
  if (extraOutput) b.output('y', y);
  return b.finish();
}

const op = (b: IRBuilder, kind: string, args: ValueId[], attrs: object = {}): ValueId => b.node(kind as never, attrs as never, args)[0]!.id;
const scalar = (b: IRBuilder, name: string, v: number): ValueId => b.weight(name, tensorType('f32', []), f32([], [v])).id;

describe('fuse-epilogues into conv', () => {
  it('takes relu6 (max then min by scalars) into the conv store', () => {
    const g = convThen('relu6', (b, y) => op(b, 'min', [op(b, 'max', [y, scalar(b, 'lo', 0)]), scalar(b, 'hi', 6)]));
    const { out, notes } = runChecked(fuseEpilogues, prepare(fuseEpilogues, g));
    expect(printGraph(out)).toContain('= conv %0 %1 %2 %6 %4 {dilations: [1,1], epilogue: min(max($0, $2), $1), group: 1, pads: [1,1,1,1], strides: [1,1]}  # "conv1"');
    expect(notes).toEqual([expect.stringMatching(/^epilogue: %\d+ max/), expect.stringMatching(/^epilogue: %\d+ min/)]);
    checkPass(fuseEpilogues, g, randomInputs(g, new Rng(1)));
  });

  it('takes PRelu with per-channel slopes (where(less(y, 0), mul(y, slope), y): three readers in one tree)', () => {
    const g = convThen('prelu', (b, y) => {
      const slope = b.weight('slope', tensorType('f32', [4, 1, 1]), weightData([4, 1, 1], 3)).id;
      return op(b, 'where', [op(b, 'less', [y, scalar(b, 'zero', 0)]), op(b, 'mul', [y, slope]), y]);
    });
    const { out } = runChecked(fuseEpilogues, prepare(fuseEpilogues, g));
    const conv = out.nodes.find((n) => n.op === 'conv')!;
    expect(conv.op === 'conv' && conv.attrs.epilogue?.steps.map((s) => s.op)).toEqual(['mul', 'less', 'where']);
    expect(out.nodes.filter((n) => n.op !== 'conv').length).toBe(0);
    checkPass(fuseEpilogues, g, randomInputs(g, new Rng(2)));
  });

  it('takes an add of a per-channel input ([1,4,1,1]) and hardSwish', () => {
    const g = convThen('shift', (b, y) => op(b, 'hardSwish', [op(b, 'add', [y, b.input('shift', tensorType('f32', [1, 4, 1, 1])).id])]));
    const { out } = runChecked(fuseEpilogues, prepare(fuseEpilogues, g));
    expect(out.nodes.map((n) => n.op)).toEqual(['conv']);
    checkPass(fuseEpilogues, g, randomInputs(g, new Rng(3)));
  });

  it('leaves operands that vary along a spatial dim or the batch, and a conv result read elsewhere', () => {
    for (const shape of [[7], [6, 1], [1, 4, 6, 7], [2, 1, 1, 1]]) {
      const g = convThen(`wide ${shape}`, (b, y) => op(b, 'add', [y, b.input('e', tensorType('f32', shape)).id]));
      const before = prepare(fuseEpilogues, g);
      expect(runChecked(fuseEpilogues, before).out, `operand ${shape}`).toBe(before);
    }
    const g = convThen('shared', (b, y) => op(b, 'relu', [y]), true);
    const before = prepare(fuseEpilogues, g);
    expect(runChecked(fuseEpilogues, before).out).toBe(before);
  });

  it('at -O2, folds a BatchNorm into the conv weights first, then takes the relu after it', () => {
    const g = convThen('bn_relu', (b, y) => {
      const ch = (name: string, seed: number): ValueId => b.weight(name, tensorType('f32', [4, 1, 1]), weightData([4, 1, 1], seed)).id;
      return op(b, 'relu', [op(b, 'add', [op(b, 'mul', [op(b, 'sub', [y, ch('mean', 4)]), ch('factor', 5)]), ch('beta', 6)])]);
    });
    const out = runPipeline(g, PIPELINES[2], { verify: true }).graph;
    const known = staticValueIds(out);
    const perRun = out.nodes.filter((n) => n.op !== 'constant' && !known.has(n.outputs[0]!.id));
    expect(perRun.map((n) => n.op)).toEqual(['conv']);
    const conv = perRun[0]!;
    expect(conv.op === 'conv' && conv.attrs.epilogue?.steps.map((s) => s.op)).toEqual(['relu']);
    const inputs = randomInputs(g, new Rng(4));
    expectAllClose(interpret(out, inputs), interpret(g, inputs), 1e-4, 1e-5);
    // The DOT label shows the store's program, as for a matmul epilogue.
    expect(toDot(out)).toMatch(/label="conv\\nconv1\\ndilations: \[1,1\]\\nepilogue: relu\(\$0\)\\n/);
  });

  it('a conv epilogue operand that is not per channel is a typed error naming it', () => {
    const b = new IRBuilder('bad');
    const x = b.input('x', tensorType('f32', [1, 3, 6, 7])).id;
    const w = b.input('w', tensorType('f32', [4, 3, 3, 3])).id;
    const e = b.input('e', tensorType('f32', [1, 4, 6, 7])).id;
    const epilogue = { inputs: 2, steps: [{ op: 'add' as const, attrs: {}, args: [0, 1] }] };
    expect(() => b.node('conv', { ...conv2d, epilogue }, [x, w, e])).toThrow(/conv epilogue operand 1 f32\[1,4,6,7\] must hold one value per output channel/);
  });
});
