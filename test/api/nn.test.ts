// nn layers: PyTorch state_dict names, layer defaults, node labels and deterministic initialisation.
import { describe, expect, it } from 'vitest';
import { graph } from '../../src/api/builder.ts';
import { MultiHeadAttention } from '../../src/api/nn/attention.ts';
import { Dense, Embedding, LayerNorm, Linear } from '../../src/api/nn/layers.ts';
import { Module } from '../../src/api/nn/module.ts';
import type { Sym } from '../../src/api/sym.ts';
import { OpgraphError } from '../../src/errors.ts';
import type { Graph, Weight } from '../../src/ir/graph.ts';
import { toNumbers } from '../../src/ir/tensor.ts';
import { formatType } from '../../src/ir/types.ts';
import { buildExample } from '../example-graphs.ts';

class Block extends Module {
  fc: Linear;
  constructor(width: number) {
    super();
    this.fc = new Linear(width, width);
  }
  forward(x: Sym): Sym {
    return this.fc.forward(x).relu();
  }
}

class Encoder extends Module {
  layers: Block[];
  constructor(width: number, depth: number) {
    super();
    this.layers = Array.from({ length: depth }, () => new Block(width));
  }
  forward(x: Sym): Sym {
    return this.layers.reduce((h, l) => l.forward(h), x);
  }
}

class Model extends Module {
  encoder: Encoder;
  norm: LayerNorm;
  constructor() {
    super();
    this.encoder = new Encoder(4, 2);
    this.norm = new LayerNorm(4);
  }
  forward(x: Sym): Sym {
    return this.norm.forward(this.encoder.forward(x));
  }
}

const weightNames = (g: Graph): string[] => g.weights.map((w) => w.name);
const weightOf = (g: Graph, name: string): Weight => g.weights.find((w) => w.name === name)!;
const dataOf = (g: Graph, name: string): number[] => toNumbers(weightOf(g, name).data!);

const MHA_NAMES = [
  'query_linear.weight', 'query_linear.bias',
  'key_linear.weight', 'key_linear.bias',
  'value_linear.weight', 'value_linear.bias',
  'output_linear.weight', 'output_linear.bias',
];

describe('state_dict names', () => {
  it('mirror nested modules and array fields', () => {
    const expected = [
      'encoder.layers.0.fc.weight', 'encoder.layers.0.fc.bias',
      'encoder.layers.1.fc.weight', 'encoder.layers.1.fc.bias',
      'norm.weight', 'norm.bias',
    ];
    const m = new Model();
    expect(m.namedParameters().map(([n]) => n)).toEqual(expected);
    expect(m.encoder.layers[1]!.path).toBe('encoder.layers.1');
    expect(m.encoder.layers[1]!.fc.weight.path).toBe('encoder.layers.1.fc.weight');
    const g = graph('nested', (b) => new Model().forward(b.input('x', [2, 4])));
    expect(weightNames(g)).toEqual(expected);
  });

  it('give the seed MHA its eight parameters in PyTorch order', async () => {
    expect(new MultiHeadAttention(2, 6).namedParameters().map(([n]) => n)).toEqual(MHA_NAMES);
    const g = await buildExample('mha');
    expect(weightNames(g)).toEqual(MHA_NAMES);
    expect(g.weights.map((w) => formatType(w.type))).toEqual(
      ['f32[6,6]', 'f32[6]', 'f32[6,6]', 'f32[6]', 'f32[6,6]', 'f32[6]', 'f32[6,6]', 'f32[6]'],
    );
  });

  it('declare a shared Linear once although it is called three times', async () => {
    const g = await buildExample('self-attention');
    expect(weightNames(g)).toEqual(['linear.weight', 'linear.bias']);
    const gemms = g.nodes.filter((n) => n.op === 'gemm');
    expect(gemms).toHaveLength(3);
    const [wId, bId] = g.weights.map((w) => w.id);
    for (const n of gemms) expect(n.inputs.slice(1)).toEqual([wId, bId]);
  });

  it('start at the root module (no prefix for its own children)', () => {
    expect(new Model().path).toBe('');
    expect(new Model().encoder.path).toBe('encoder');
  });
});

describe('layers', () => {
  it('Linear without bias has only a weight and a two-input gemm', () => {
    const lin = new Linear(3, 2, { bias: false });
    expect(lin.namedParameters().map(([n]) => n)).toEqual(['weight']);
    const g = graph('nobias', (b) => lin.forward(b.input('x', [5, 3])));
    expect(weightNames(g)).toEqual(['weight']);
    expect(formatType(g.weights[0]!.type)).toBe('f32[2,3]');
    const gemm = g.nodes.find((n) => n.op === 'gemm')!;
    expect(gemm.inputs).toHaveLength(2);
    expect(gemm.attrs).toMatchObject({ transA: false, transB: true });
  });

  it('Embedding looks up integer indices and refuses f32 ones', () => {
    const g = graph('emb', (b) => new Embedding(10, 3).forward(b.input('ids', [4], 'i64')));
    expect(weightNames(g)).toEqual(['weight']);
    expect(formatType(g.nodes.at(-1)!.outputs[0]!.type)).toBe('f32[4,3]');
    let err: unknown;
    try {
      graph('emb', (b) => new Embedding(10, 3).forward(b.input('ids', [4])));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(OpgraphError);
    expect((err as Error).message).toMatch(/Embedding expects i32 or i64 indices, got %0: f32\[4\]/);
  });

  it('LayerNorm names weight and bias, with ones, zeros and eps 1e-5', () => {
    const ln = new LayerNorm(4);
    expect(ln.eps).toBe(1e-5);
    expect(ln.namedParameters().map(([n]) => n)).toEqual(['weight', 'bias']);
    const g = graph('ln', (b) => ln.forward(b.input('x', [2, 3, 4])));
    expect(dataOf(g, 'weight')).toEqual([1, 1, 1, 1]);
    expect(dataOf(g, 'bias')).toEqual([0, 0, 0, 0]);
    const node = g.nodes.find((n) => n.op === 'layerNorm')!;
    expect(node.attrs).toEqual({ axis: 2, epsilon: 1e-5 });
    expect(node.inputs).toHaveLength(3);
  });

  it('LayerNorm over two trailing dims normalises from axis rank - 2', () => {
    const g = graph('ln2', (b) => new LayerNorm([3, 4], 1e-6).forward(b.input('x', [2, 3, 4])));
    expect(g.weights.map((w) => formatType(w.type))).toEqual(['f32[3,4]', 'f32[3,4]']);
    expect(g.nodes.find((n) => n.op === 'layerNorm')!.attrs).toEqual({ axis: 1, epsilon: 1e-6 });
  });

  it('Dense names kernel and bias, kernel [in, out], bias zeros', () => {
    const d = new Dense(3, 5);
    expect(d.namedParameters().map(([n]) => n)).toEqual(['kernel', 'bias']);
    const g = graph('dense', (b) => d.forward(b.input('x', [2, 3])));
    expect(g.weights.map((w) => `${w.name}: ${formatType(w.type)}`)).toEqual(['kernel: f32[3,5]', 'bias: f32[5]']);
    expect(dataOf(g, 'bias')).toEqual([0, 0, 0, 0, 0]);
    const limit = Math.sqrt(6 / (3 + 5));
    expect(Math.max(...dataOf(g, 'kernel').map(Math.abs))).toBeLessThanOrEqual(limit);
    expect(g.nodes.find((n) => n.op === 'gemm')!.attrs).toMatchObject({ transA: false, transB: false });
  });
});

describe('node labels', () => {
  it('carry the module path of the layer that made them', async () => {
    const g = await buildExample('mha');
    const gemmLabels = g.nodes.filter((n) => n.op === 'gemm').map((n) => n.label);
    expect(gemmLabels).toEqual(['query_linear', 'key_linear', 'value_linear', 'output_linear']);
  });

  it('carry nested paths', async () => {
    const g = graph('nested', (b) => new Model().forward(b.input('x', [2, 4])));
    const labels = g.nodes.filter((n) => n.op === 'gemm' || n.op === 'layerNorm').map((n) => n.label);
    expect(labels).toEqual(['encoder.layers.0.fc', 'encoder.layers.1.fc', 'norm']);
    const e = await buildExample('embedding-mha');
    expect(e.nodes[0]!.label).toBe('embedding');
    expect(e.nodes.filter((n) => n.op === 'gemm').map((n) => n.label)).toEqual(
      ['attention.query', 'attention.key', 'attention.value', 'attention.out'],
    );
  });
});

describe('default initialisation', () => {
  const build = (seed?: number) =>
    graph('init', (b) => new MultiHeadAttention(2, 8).forward(b.input('q', [1, 3, 8]), b.input('k', [1, 3, 8]), b.input('v', [1, 3, 8])),
      seed === undefined ? {} : { seed });

  it('is deterministic for a seed and differs between seeds', () => {
    const [a, b, c] = [build(1), build(1), build(2)];
    for (const name of MHA_NAMES) {
      expect(dataOf(b, name)).toEqual(dataOf(a, name));
      expect(dataOf(c, name)).not.toEqual(dataOf(a, name));
    }
    expect(dataOf(build(), 'key_linear.weight')).toEqual(dataOf(build(), 'key_linear.weight'));
  });

  it('gives each parameter its own values', () => {
    const g = build(3);
    expect(dataOf(g, 'query_linear.weight')).not.toEqual(dataOf(g, 'key_linear.weight'));
  });

  it('keeps Linear weights and biases within ±1/sqrt(in), spread over the range', () => {
    const g = graph('lin', (b) => new Linear(16, 32).forward(b.input('x', [1, 16])), { seed: 11 });
    const bound = 1 / Math.sqrt(16);
    for (const name of ['weight', 'bias']) {
      const xs = dataOf(g, name);
      expect(Math.max(...xs.map(Math.abs))).toBeLessThanOrEqual(bound);
      expect(Math.max(...xs)).toBeGreaterThan(bound / 2);
      expect(Math.min(...xs)).toBeLessThan(-bound / 2);
    }
    expect(new Set(dataOf(g, 'weight')).size).toBeGreaterThan(400);
  });
});
