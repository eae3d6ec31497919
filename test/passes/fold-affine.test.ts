// fold-affine: BatchNorm (and any static per-channel scale and shift) after a conv or gemm folds
// into its weights and bias, which become static (computed once at create); what is not per
// channel, not static, not affine in the weights, or read twice is left alone; shared properties.
import { describe, expect, it } from 'vitest';
import { foldAffine } from '../../passes/fold-affine.ts';
import { PIPELINES, runPipeline } from '../../passes/pipeline.ts';
import { planMemory } from '../../src/codegen/plan.ts';
import { IRBuilder } from '../../src/ir/builder.ts';
import type { Graph, ValueId } from '../../src/ir/graph.ts';
import { f32 } from '../../src/ir/tensor.ts';
import { tensorType } from '../../src/ir/types.ts';
import { graph, nn } from '../../src/api/index.ts';
import { smallCnn } from '../../examples/small-cnn.ts';
import { Rng, randomInputs } from '../codegen/helpers.ts';
import { checkPass, describeProperties, runChecked, weightData } from './harness.ts';

const CONV = { strides: [1, 1], dilations: [1, 1], pads: [1, 1, 1, 1], group: 1 };

/** Per-channel data in [0.5, 1.5): a variance, a scale that keeps the numbers moderate. */
const positive = (n: number, seed: number): ReturnType<typeof f32> => f32([n], Array.from({ length: n }, (_, i) => 0.5 + ((i * 7919 + seed * 104729) % 1000) / 1000));

/**
 * x [2, 3, 6, 6] -> conv (4 channels, 3x3, pad 1, with or without bias) -> `tail(b, y)`; the
 * graph also outputs whatever `extra` returns (a second reader of the conv, say).
 */
function convGraph(tail: (b: IRBuilder, y: ValueId) => ValueId, opts: { bias?: boolean; extra?: (b: IRBuilder, y: ValueId) => ValueId } = {}): Graph {
  const b = new IRBuilder('conv_affine');
  const x = b.input('x', tensorType('f32', [2, 3, 6, 6])).id;
  const w = b.weight('w', tensorType('f32', [4, 3, 3, 3]), weightData([4, 3, 3, 3], 1)).id;
  const inputs = opts.bias === false ? [x, w] : [x, w, b.weight('b', tensorType('f32', [4]), weightData([4], 2)).id];
  const y = b.node('conv', CONV, inputs)[0]!.id;
  b.output('out', tail(b, y));
  if (opts.extra) b.output('extra', opts.extra(b, y));
  return b.finish();
}

/** The inference BatchNorm the importer and F.batchNorm build: (y - mean) * (gamma / sqrt(var + eps)) + beta, per channel [4, 1, 1]. */
function batchNorm(b: IRBuilder, y: ValueId): ValueId {
  const ch = (name: string, data: ReturnType<typeof f32>): ValueId => b.node('reshape', { shape: [4, 1, 1] }, [b.weight(name, tensorType('f32', [4]), data).id])[0]!.id;
  const eps = b.node('constant', { value: f32([], [1e-5]) }, [])[0]!.id;
  const inv = b.node('reciprocal', {}, [b.node('sqrt', {}, [b.node('add', {}, [ch('var', positive(4, 3)), eps])[0]!.id])[0]!.id])[0]!.id;
  const factor = b.node('mul', {}, [ch('gamma', positive(4, 4)), inv])[0]!.id;
  const centred = b.node('sub', {}, [y, ch('mean', weightData([4], 5))])[0]!.id;
  return b.node('add', {}, [b.node('mul', {}, [centred, factor])[0]!.id, ch('beta', weightData([4], 6))])[0]!.id;
}

/** The non-static, non-reshape ops of a graph (what runs per call). */
function perRun(g: Graph): string[] {
  const plan = planMemory(g);
  return g.nodes.filter((n) => n.op !== 'constant' && !plan.statics.has(n) && n.op !== 'reshape').map((n) => n.op);
}

describe('fold-affine', () => {
  it.each([true, false])('folds a BatchNorm into the conv before it (conv bias %s): the conv alone runs per call', (bias) => {
    const g = convGraph(batchNorm, { bias });
    const { out } = checkPass(foldAffine, g, randomInputs(g, new Rng(0xfa)));
    expect(perRun(out)).toEqual(['conv']);
    const conv = out.nodes.find((n) => n.op === 'conv')!;
    expect(conv.inputs).toHaveLength(3); // the shift became its bias
    const plan = planMemory(out);
    for (const v of conv.inputs.slice(1)) expect(plan.statics.has(out.nodes.find((n) => n.outputs.some((o) => o.id === v))!)).toBe(true);
  });

  it('folds a scalar scale, a division and a shift on either side', () => {
    const g = convGraph((b, y) => {
      const c = (v: number): ValueId => b.node('constant', { value: f32([], [v]) }, [])[0]!.id;
      const scaled = b.node('mul', {}, [c(0.5), b.node('div', {}, [y, c(4)])[0]!.id])[0]!.id;
      return b.node('sub', {}, [b.node('add', {}, [c(1), scaled])[0]!.id, c(0.25)])[0]!.id;
    });
    const { out } = checkPass(foldAffine, g, randomInputs(g, new Rng(0xfb)));
    expect(perRun(out)).toEqual(['conv']);
  });

  it('folds BatchNorm1d after a Linear into the gemm (B and C scaled)', () => {
    const g = graph('linear_bn', (b) => new nn.Sequential(new nn.Linear(5, 8), new nn.BatchNorm1d(8)).eval().forward(b.input('x', [3, 5])));
    const afterContractions = runPipeline(g, PIPELINES[2].slice(0, PIPELINES[2].indexOf(foldAffine)), { verify: true }).graph;
    const { out, notes } = runChecked(foldAffine, afterContractions);
    expect(notes.length).toBeGreaterThan(0);
    expect(perRun(out)).toEqual(['gemm']);
    expect(() => checkPass(foldAffine, g, randomInputs(g, new Rng(0xfc)))).not.toThrow();
  });

  it('at -O2 the small CNN runs no elementwise BatchNorm: conv, relu, maxPool twice, then the head', () => {
    const g = smallCnn(1, 16);
    const o2 = runPipeline(g, PIPELINES[2], { verify: true }).graph;
    expect(perRun(o2).filter((op) => ['sub', 'mul', 'add', 'fused'].includes(op))).toEqual([]);
    const o1 = runPipeline(g, PIPELINES[1], { verify: true }).graph;
    expect(perRun(o1).filter((op) => ['sub', 'mul', 'add'].includes(op))).toEqual([]);
  });

  describe('leaves alone', () => {
    const left = (name: string, g: Graph): void => {
      it(name, () => {
        const { out } = runChecked(foldAffine, g);
        expect(out).toBe(g);
      });
    };
    left('a conv output read twice (the unscaled value is needed too)', convGraph(batchNorm, { extra: (b, y) => b.node('relu', {}, [y])[0]!.id }));
    left('a scale varying along a spatial dim', convGraph((b, y) => b.node('mul', {}, [y, b.weight('s', tensorType('f32', [1, 1, 6]), weightData([1, 1, 6], 7)).id])[0]!.id));
    left('a scale that is a graph input (not known at create)', convGraph((b, y) => b.node('mul', {}, [y, b.input('s', tensorType('f32', [4, 1, 1])).id])[0]!.id));
    left('t - conv (negates the weights, not a shift)', convGraph((b, y) => b.node('sub', {}, [b.weight('t', tensorType('f32', [4, 1, 1]), weightData([4, 1, 1], 8)).id, y])[0]!.id));
    left('s / conv', convGraph((b, y) => b.node('div', {}, [b.weight('t', tensorType('f32', [4, 1, 1]), weightData([4, 1, 1], 9)).id, y])[0]!.id));
    left('a per-channel value that broadcasts the conv to a bigger shape', convGraph((b, y) => b.node('add', {}, [y, b.weight('t', tensorType('f32', [2, 1, 1, 1, 1]), weightData([2, 1, 1, 1, 1], 10)).id])[0]!.id));
  });
});

describeProperties(foldAffine);
