// Issue 20's API against the real PyTorch code (scripts/fixtures/cnn_models.py, torch 1.13): every
// layer form of nn.Conv1d/2d, ConvTranspose1d/2d, BatchNorm1d/2d, the pools, Flatten and the CNN
// activations, and the two example CNNs, with PyTorch's weights loaded by state_dict key (strict),
// on the interpreter, TS, wasm and WGSL (SwiftShader).
import { describe, expect, it } from 'vitest';
import { F, type Sym, graph, nn } from '../../src/api/index.ts';
import { compile } from '../../src/compile.ts';
import { compileWgsl } from '../../src/index.ts';
import type { Graph } from '../../src/ir/graph.ts';
import type { Tensor } from '../../src/ir/tensor.ts';
import { readSafetensors } from '../../src/io/safetensors-file.ts';
import { loadOnnx } from '../../src/io/onnx/import.ts';
import { compareTensors } from '../../src/runtime/compare.ts';
import { interpret } from '../../src/runtime/interpreter.ts';
import { ShapeError, UsageError } from '../../src/errors.ts';
import kwsCnn from '../../examples/kws-cnn.ts';
import smallCnn from '../../examples/small-cnn.ts';
import { adapterOrReason, skipNote } from '../wgsl/adapter.ts';

const DIR = new URL('../fixtures/cnn/', import.meta.url).pathname;

/** PyTorch's Layers module of cnn_models.py, layer for layer, with the same attribute names. */
class Layers extends nn.Module {
  c1a = new nn.Conv1d(4, 6, 3, { stride: 2, padding: 1 });
  c1b = new nn.Conv1d(4, 4, 5, { padding: 'same', dilation: 2, groups: 4, bias: false });
  c2a = new nn.Conv2d(3, 8, 3, { padding: 1 });
  c2b = new nn.Conv2d(3, 6, [3, 5], { stride: [2, 1], padding: [1, 2], dilation: [1, 2] });
  c2c = new nn.Conv2d(6, 6, 3, { groups: 6 });
  c2d = new nn.Conv2d(4, 6, 1, { groups: 2 });
  t2 = new nn.ConvTranspose2d(3, 4, 3, { stride: 2, padding: 1, outputPadding: 1 });
  t1 = new nn.ConvTranspose1d(4, 2, 4, { stride: 2, groups: 2 });
  bn1 = new nn.BatchNorm1d(4);
  bn2 = new nn.BatchNorm2d(3);
  mp1 = new nn.MaxPool1d(3, { stride: 2, padding: 1 });
  mp2a = new nn.MaxPool2d(3, { stride: 2, padding: 1, ceilMode: true });
  mp2b = new nn.MaxPool2d(2, { dilation: 2 });
  ap1 = new nn.AvgPool1d(3, { stride: 2, padding: 1 });
  ap2a = new nn.AvgPool2d(3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false });
  ap2b = new nn.AvgPool2d([2, 3], { stride: [2, 2], padding: [1, 1] });
  aap1 = new nn.AdaptiveAvgPool1d(4);
  aap2 = new nn.AdaptiveAvgPool2d([2, 3]);
  gap = new nn.AdaptiveAvgPool2d(1);
  flat = new nn.Flatten();
  lrelu = new nn.LeakyReLU(0.2);
  relu6 = new nn.ReLU6();
  hsig = new nn.Hardsigmoid();
  hswish = new nn.Hardswish();
  forward(x1: Sym, x2: Sym, x4: Sym): Record<string, Sym> {
    const c2 = this.c2b.forward(x2);
    const x2x4 = x2.mul(4);
    return {
      c1a: this.c1a.forward(x1), c1b: this.c1b.forward(x1),
      c2a: this.c2a.forward(x2), c2b: c2, c2c: this.c2c.forward(c2), c2d: this.c2d.forward(x4),
      t2: this.t2.forward(x2), t1: this.t1.forward(x1),
      bn1: this.bn1.forward(x1), bn2: this.bn2.forward(x2),
      mp1: this.mp1.forward(x1), mp2a: this.mp2a.forward(x2), mp2b: this.mp2b.forward(x2),
      ap1: this.ap1.forward(x1), ap2a: this.ap2a.forward(x2), ap2b: this.ap2b.forward(x2),
      aap1: this.aap1.forward(x1), aap2: this.aap2.forward(x2), gap: this.flat.forward(this.gap.forward(x2)),
      lrelu: this.lrelu.forward(x2), relu6: this.relu6.forward(x2x4), hsig: this.hsig.forward(x2x4), hswish: this.hswish.forward(x2x4),
    };
  }
}

const layersGraph = (): Graph => graph('cnn_layers', (g) => new Layers().forward(g.input('x1', [2, 4, 11]), g.input('x2', [2, 3, 9, 10]), g.input('x4', [1, 4, 5, 6])));

interface Fixture {
  readonly name: string;
  readonly build: () => Graph;
}
const FIXTURES: readonly Fixture[] = [
  { name: 'layers', build: layersGraph },
  { name: 'kws_cnn', build: kwsCnn },
  { name: 'small_cnn', build: smallCnn },
];

async function load(name: string): Promise<{ weights: Map<string, Tensor>; inputs: Map<string, Tensor>; expected: Map<string, Tensor> }> {
  const io = await readSafetensors(`${DIR}${name}.io.safetensors`);
  const split = (expected: boolean) => new Map([...io].filter(([k]) => k.startsWith('expected.') === expected).map(([k, v]) => [expected ? k.slice('expected.'.length) : k, v]));
  return { weights: await readSafetensors(`${DIR}${name}.weights.safetensors`), inputs: split(false), expected: split(true) };
}

function expectMatches(got: Record<string, Tensor>, expected: Map<string, Tensor>, where: string): void {
  expect(Object.keys(got).sort()).toEqual([...expected.keys()].sort());
  for (const [name, want] of expected) {
    const c = compareTensors(got[name]!, want, 1e-4, 1e-5);
    expect(c.ok, `${where} ${name}: ${c.reason ?? `max |diff| ${c.maxAbs} at ${c.worst}`}`).toBe(true);
  }
}

type Target = 'interp' | 'ts' | 'wasm' | 'wgsl';
async function runOn(target: Target, g: Graph, inputs: Map<string, Tensor>, weights?: Map<string, Tensor>): Promise<Record<string, Tensor>> {
  if (target === 'interp') return interpret(g, inputs, weights ? { weights } : {});
  if (target === 'wgsl') {
    const m = await compileWgsl(g, weights ? { weights } : {});
    try {
      return await m.run(inputs);
    } finally {
      m.destroy();
    }
  }
  const m = await compile(g, { target, ...(weights ? { weights } : {}) });
  try {
    return await m.run(inputs);
  } finally {
    m.dispose();
  }
}

describe('state_dict names match PyTorch', () => {
  it.each(FIXTURES)('$name', async ({ name, build }) => {
    const { weights } = await load(name);
    expect(build().weights.map((w) => w.name).sort()).toEqual([...weights.keys()].sort());
  });
});

const { gpu, reason } = await adapterOrReason();
const targets: Target[] = ['interp', 'ts', 'wasm'];
describe.each(targets)('matches PyTorch on %s', (target) => {
  it.each(FIXTURES)('$name', { timeout: 120_000 }, async ({ name, build }) => {
    const { weights, inputs, expected } = await load(name);
    const out = await runOn(target, build(), inputs, weights);
    const named = name === 'layers' ? out : { output: out.output! };
    expectMatches(named, expected, `${name} on ${target}`);
  });
});
describe.skipIf(!gpu)(`matches PyTorch on wgsl${skipNote(reason)}`, () => {
  it.each(FIXTURES)('$name', { timeout: 300_000 }, async ({ name, build }) => {
    const { weights, inputs, expected } = await load(name);
    expectMatches(await runOn('wgsl', build(), inputs, weights), expected, `${name} on wgsl`);
  });
});

// The same two CNNs as torch.onnx.export writes them (batch free, given here; BatchNorm folded into
// the convolutions by the exporter).
const EXPORTS = ['kws_cnn', 'small_cnn'] as const;
describe.each([...targets, ...(gpu ? (['wgsl'] as const) : [])])('the PyTorch ONNX exports match PyTorch on %s', (target) => {
  it.each(EXPORTS)('%s', { timeout: 300_000 }, async (name) => {
    const { inputs, expected } = await load(name);
    const g = await loadOnnx(`${DIR}${name}.onnx`, { shapes: { x: [...inputs.get('x')!.shape] } });
    const out = await runOn(target, g, inputs);
    expectMatches({ output: out.output! }, expected, `${name}.onnx on ${target}`);
  });
});

describe('refusals name the layer and the rule', () => {
  const x = (shape: number[]) => (fn: (s: Sym) => Sym) => () => graph('bad', (g) => fn(g.input('x', shape)));
  it('shapes and options', () => {
    expect(x([2, 3, 8])(new nn.Conv2d(3, 4, 3).forward.bind(new nn.Conv2d(3, 4, 3)))).toThrow(/conv2d expects an \[N, C, H, W\] input \(rank 4\)/);
    expect(x([1, 3, 8, 8])((s) => F.conv2d(s, s.builder.param('w', { dtype: 'f32', shape: [4, 3, 3, 3] }, (sh) => ({ dtype: 'f32', shape: sh, data: new Float32Array(108) })), undefined, { padding: 'same', stride: 2 }))).toThrow(/padding 'same' needs stride 1/);
    expect(x([1, 3, 8, 8])((s) => F.maxPool2d(s, 2, { padding: 2 }))).toThrow(/padding 2 must be at most half the kernel size 2/);
    expect(x([1, 3, 8, 8])((s) => F.convTranspose2d(s, s, undefined, { stride: 2, outputPadding: 2 }))).toThrow(ShapeError);
    expect(() => new nn.Conv2d(3, 4, 3, { groups: 2 })).toThrow(UsageError);
    expect(() => new nn.Conv2d(3, 4, 3, { paddingMode: 'reflect' as 'zeros' })).toThrow(/padding_mode "reflect" is not supported/);
  });
  it('BatchNorm in training mode is refused, naming the layer', () => {
    class Net extends nn.Module {
      conv = new nn.Conv2d(3, 4, 3);
      bn = new nn.BatchNorm2d(4);
      forward(s: Sym): Sym {
        return this.bn.forward(this.conv.forward(s));
      }
    }
    const net = new Net().train();
    expect(x([1, 3, 8, 8])((s) => net.forward(s))).toThrow(/nn.BatchNorm2d at bn in training mode/);
    net.eval();
    expect(x([1, 3, 8, 8])((s) => net.forward(s))).not.toThrow();
  });
});
