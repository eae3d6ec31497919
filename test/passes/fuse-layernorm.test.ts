// fuse-layernorm: the decomposed LayerNormalization of opset < 17 exports (pow or mul square, eps on
// either side, with and without scale and bias) becomes one layerNorm; when it must not fire;
// operands that are constants, weights or inputs; shared pass properties.
import { describe, expect, it } from 'vitest';
import { fuseLayerNorm } from '../../passes/fuse-layernorm.ts';
import { PIPELINES, runPipeline } from '../../passes/pipeline.ts';
import { IRBuilder } from '../../src/ir/builder.ts';
import type { Graph, ValueId } from '../../src/ir/graph.ts';
import { f32 } from '../../src/ir/tensor.ts';
import { tensorType } from '../../src/ir/types.ts';
import { Rng, randomInputs } from '../codegen/helpers.ts';
import { checkPass, describeProperties, differ, runChecked, weightData } from './harness.ts';

type Operand = 'input' | 'weight' | 'constant';

interface Spelling {
  readonly square?: 'pow' | 'mul';
  readonly epsFirst?: boolean;
  readonly affine?: 'none' | 'scale' | 'both';
  readonly x?: Operand;
  readonly params?: Operand;
  /** Deliberate departures from layer normalisation (each must stop the rule). */
  readonly meanAxes?: number[];
  readonly exponent?: number;
  readonly epsOutsideSqrt?: boolean;
  readonly squareOfX?: boolean;
  readonly epsInput?: boolean;
}

function value(b: IRBuilder, kind: Operand, name: string, shape: number[], seed: number): ValueId {
  if (kind === 'input') return b.input(name, tensorType('f32', shape)).id;
  if (kind === 'weight') return b.weight(name, tensorType('f32', shape), weightData(shape, seed)).id;
  return b.node('constant', { value: weightData(shape, seed) }, [], name)[0]!.id;
}

/** The chain torch.onnx.export writes for nn.LayerNorm(8) on x [2, 3, 8] before opset 17, in a chosen spelling. */
function decomposed(s: Spelling = {}): Graph {
  const b = new IRBuilder('decomposed_ln');
  const x = value(b, s.x ?? 'input', 'x', [2, 3, 8], 1);
  const scalar = (v: number): ValueId => b.node('constant', { value: f32([], [v]) }, [])[0]!.id;
  const op = (kind: 'sub' | 'pow' | 'mul' | 'add' | 'sqrt' | 'div', ...inputs: ValueId[]): ValueId => b.node(kind, {} as never, inputs)[0]!.id;
  const mean = (v: ValueId): ValueId => b.node('reduceMean', { axes: s.meanAxes ?? [-1], keepDims: true }, [v], 'norm')[0]!.id;
  const centred = op('sub', x, mean(x));
  const base = s.squareOfX ? x : centred;
  const square = s.square === 'mul' ? op('mul', base, base) : op('pow', base, scalar(s.exponent ?? 2));
  const eps = s.epsInput ? b.input('eps', tensorType('f32', [])).id : scalar(1e-5);
  const variance = mean(square);
  const denom = s.epsOutsideSqrt ? op('add', op('sqrt', variance), eps) : op('sqrt', s.epsFirst ? op('add', eps, variance) : op('add', variance, eps));
  let y = op('div', centred, denom);
  if (s.affine === 'scale' || s.affine === 'both') y = op('mul', y, value(b, s.params ?? 'weight', 'norm.weight', [8], 2));
  if (s.affine === 'both') y = op('add', y, value(b, s.params ?? 'weight', 'norm.bias', [8], 3));
  b.output('y', y);
  return b.finish();
}

const ops = (g: Graph): string[] => g.nodes.map((n) => n.op);
const fused = (g: Graph): Graph => checkPass(fuseLayerNorm, g, randomInputs(g, new Rng(0x1a))).out;

describe('fuse-layernorm', () => {
  it.each([
    ['pow', false], ['pow', true], ['mul', false], ['mul', true],
  ] as const)('recognises the %s square (eps first: %s) with scale and bias as one layerNorm', (square, epsFirst) => {
    const out = fused(decomposed({ square, epsFirst, affine: 'both' }));
    expect(ops(out)).toEqual(['layerNorm']);
    expect(out.nodes[0]!.attrs).toEqual({ axis: 2, epsilon: Math.fround(1e-5) });
    expect(out.nodes[0]!.inputs).toHaveLength(3);
  });

  it.each(['none', 'scale'] as const)('recognises the chain with affine part %s', (affine) => {
    const out = fused(decomposed({ affine }));
    expect(ops(out)).toEqual(['layerNorm']);
    expect(out.nodes[0]!.inputs).toHaveLength(affine === 'none' ? 1 : 2);
  });

  it('normalises over several trailing axes', () => {
    const out = fused(decomposed({ meanAxes: [1, 2] }));
    expect(ops(out)).toEqual(['layerNorm']);
    expect(out.nodes[0]!.attrs).toMatchObject({ axis: 1 });
  });

  describe('does not fire', () => {
    const notNormalised = (s: Spelling): void => {
      const g = decomposed(s);
      const { out } = runChecked(fuseLayerNorm, g);
      expect(ops(out)).not.toContain('layerNorm');
      expect(out).toBe(g);
    };
    it('on a mean over the wrong axis', () => notNormalised({ meanAxes: [1] }));
    it('on epsilon added outside the square root', () => notNormalised({ epsOutsideSqrt: true }));
    it('on an exponent that is not 2', () => notNormalised({ exponent: 3 }));
    it('on the square of x instead of x - mean(x)', () => notNormalised({ squareOfX: true }));
    it('on an epsilon that is not a constant', () => notNormalised({ epsInput: true }));
    it('keeps a scale shaped as more than the normalised dims out of the op', () => {
      const b = new IRBuilder('wide_scale');
      const x = b.input('x', tensorType('f32', [2, 3, 8])).id;
      const ln = b.node('layerNorm', { axis: 2, epsilon: 1e-5 }, [x])[0]!.id;
      const w = b.weight('w', tensorType('f32', [3, 8]), weightData([3, 8], 4)).id;
      b.output('y', b.node('mul', {}, [ln, w])[0]!.id);
      const g = b.finish();
      expect(runChecked(fuseLayerNorm, g).out).toBe(g);
    });
  });

  const kinds: Operand[] = ['input', 'weight', 'constant'];
  it.each(kinds.flatMap((x) => kinds.map((p) => [x, p] as const)))('x %s, scale and bias %s: pass and -O2 agree with -O0', (x, params) => {
    const g = decomposed({ x, params, affine: 'both' });
    const out = fused(g);
    if (x !== 'constant') expect(ops(out)).toContain('layerNorm'); // an all-constant chain is constant-folded instead
    const o2 = runPipeline(g, PIPELINES[2], { verify: true }).graph;
    expect(differ(g, o2, randomInputs(g, new Rng(0x1b)))).toBeUndefined();
  });
});

// The guarantee (no chain left that a rule rewrites) is idempotence, which describeProperties checks.
describeProperties(fuseLayerNorm);
