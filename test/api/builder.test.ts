// GraphBuilder and Sym: eager shape errors at the user's line, outputs, parameters, method types, numbers.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { GraphBuilder, graph } from '../../src/api/builder.ts';
import * as F from '../../src/api/functional.ts';
import { ones, zeros } from '../../src/api/init.ts';
import { Linear } from '../../src/api/nn/layers.ts';
import type { Sym } from '../../src/api/sym.ts';
import { OpgraphError, ShapeError } from '../../src/errors.ts';
import { type Tensor, f32, tensor, toNumbers } from '../../src/ir/tensor.ts';
import { formatType, tensorType } from '../../src/ir/types.ts';
import { interpret } from '../../src/runtime/interpreter.ts';

const SOURCE = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n');

/** `builder.test.ts:LINE` of the line of this file carrying the marker comment `// @tag`. */
function at(tag: string): string {
  const lines = SOURCE.flatMap((l, i) => (l.includes(`// @${tag}`) ? [i + 1] : []));
  expect(lines, `marker @${tag}`).toHaveLength(1);
  return `builder.test.ts:${lines[0]}:`;
}

/** The error `body` throws (fails the test if it returns). */
function thrown(body: () => unknown): Error {
  try {
    body();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

describe('eager shape checks name the op, the input types and the calling line', () => {
  const g = new GraphBuilder('checks');
  const x = g.input('x', [2, 3]);
  const y = g.input('y', [4, 5]);

  it('matmul', () => {
    const e = thrown(() => x.matmul(y)); // @matmul
    expect(e).toBeInstanceOf(ShapeError);
    expect(e.message).toContain('(matmul) with inputs f32[2,3], f32[4,5]: inner dimensions differ (3 vs 4)');
    expect(e.message).toContain(at('matmul'));
  });

  it('view', () => {
    const e = thrown(() => x.view(4, -1, 5)); // @view
    expect(e).toBeInstanceOf(ShapeError);
    expect(e.message).toContain('(reshape) with inputs f32[2,3]');
    expect(e.message).toContain(at('view'));
  });

  it('permute', () => {
    const e = thrown(() => x.permute(1, 1)); // @permute
    expect(e).toBeInstanceOf(ShapeError);
    expect(e.message).toContain('(transpose) with inputs f32[2,3]: perm [1,1] is not a permutation');
    expect(e.message).toContain(at('permute'));
  });

  it('transpose', () => {
    const e = thrown(() => x.transpose(0, 2)); // @transpose
    expect(e).toBeInstanceOf(ShapeError);
    expect(e.message).toContain('transpose');
    expect(e.message).toContain('f32[2,3]');
    expect(e.message).toContain(at('transpose'));
  });

  it('concat', () => {
    const e = thrown(() => F.concat([x, y], 0)); // @concat
    expect(e).toBeInstanceOf(ShapeError);
    expect(e.message).toContain('(concat) with inputs f32[2,3], f32[4,5]');
    expect(e.message).toContain(at('concat'));
  });

  it('leaves the graph usable after an error', () => {
    expect(x.matmul(g.input('w', [3, 4])).shape).toEqual([2, 4]);
  });
});

describe('constants', () => {
  it('take the dtype of the other operand', () => {
    const g = new GraphBuilder('c');
    const i = g.input('i', [2], 'i32');
    const s = i.add(3);
    expect(s.type).toEqual(tensorType('i32', [2]));
    const built = g.build();
    const c = built.nodes.find((n) => n.op === 'constant');
    if (c?.op !== 'constant') throw new Error('no constant node');
    expect(formatType(c.attrs.value)).toBe('i32[]');
    expect(toNumbers(c.attrs.value)).toEqual([3]);
  });

  it('are f32 scalars next to an f32 operand', () => {
    const g = new GraphBuilder('c');
    expect(g.input('x', [3]).mul(0.5).type).toEqual(tensorType('f32', [3]));
    expect(g.constant(2).type).toEqual(tensorType('f32', []));
  });
});

describe('graph()', () => {
  it('names a single returned value `output`', () => {
    const gr = graph('one', (g) => g.input('x', [2]).relu());
    expect(gr.outputs.map((o) => o.name)).toEqual(['output']);
    expect(gr.outputs[0]!.id).toBe(gr.nodes.at(-1)!.outputs[0]!.id);
  });

  it('names record outputs by their keys, in order', () => {
    const gr = graph('two', (g) => {
      const x = g.input('x', [2]);
      return { pos: x.relu(), neg: x.neg() };
    });
    expect(gr.outputs.map((o) => o.name)).toEqual(['pos', 'neg']);
    expect(gr.outputs.map((o) => gr.nodes.find((n) => n.outputs[0]!.id === o.id)!.op)).toEqual(['relu', 'neg']);
  });

  it('refuses values of another builder', () => {
    const other = new GraphBuilder('other').input('z', [2]);
    const e = thrown(() => graph('mine', (g) => g.input('x', [2]).add(other)));
    expect(e).toBeInstanceOf(OpgraphError);
    expect(e.message).toContain('belongs to graph "other", not "mine"');
  });
});

describe('parameters', () => {
  it('returns the same value when a name is declared again with the same type', () => {
    const g = new GraphBuilder('p');
    const a = g.param('w', tensorType('f32', [2]), zeros);
    expect(g.param('w', tensorType('f32', [2]), ones)).toBe(a);
  });

  it('refuses a name redeclared with another shape', () => {
    const g = new GraphBuilder('p');
    g.param('w', tensorType('f32', [2]), zeros);
    const e = thrown(() => g.param('w', tensorType('f32', [3]), zeros));
    expect(e).toBeInstanceOf(OpgraphError);
    expect(e.message).toContain('"w"');
    expect(e.message).toContain('f32[3]');
    expect(e.message).toContain('f32[2]');
  });
});

describe('Sym methods', () => {
  const g = new GraphBuilder('methods');
  const x = g.input('x', [2, 3, 4]);
  const shapeOf = (s: Sym) => s.shape;
  const cases: [string, () => Sym, number[]][] = [
    ['view(-1, 4)', () => x.view(-1, 4), [6, 4]],
    ['view(2, -1)', () => x.view(2, -1), [2, 12]],
    ['transpose(-2, -1)', () => x.transpose(-2, -1), [2, 4, 3]],
    ['transpose(0, 2)', () => x.transpose(0, 2), [4, 3, 2]],
    ['permute(2, 0, 1)', () => x.permute(2, 0, 1), [4, 2, 3]],
    ['permute(-1, 0, 1)', () => x.permute(-1, 0, 1), [4, 2, 3]],
    ['unsqueeze(1)', () => x.unsqueeze(1), [2, 1, 3, 4]],
    ['unsqueeze(-1)', () => x.unsqueeze(-1), [2, 3, 4, 1]],
    ['unsqueeze(1).squeeze(1)', () => x.unsqueeze(1).squeeze(1), [2, 3, 4]],
    ['unsqueeze(0).unsqueeze(3).squeeze()', () => x.unsqueeze(0).unsqueeze(3).squeeze(), [2, 3, 4]],
    ['expand(-1, -1, -1)', () => x.expand(-1, -1, -1), [2, 3, 4]],
    ['expand(5, -1, -1, -1)', () => x.expand(5, -1, -1, -1), [5, 2, 3, 4]],
    ['slice(2, 1, 3)', () => x.slice(2, 1, 3), [2, 3, 2]],
    ['slice(-1, 0, 4, 2)', () => x.slice(-1, 0, 4, 2), [2, 3, 2]],
    ['select(1, 0)', () => x.select(1, 0), [2, 4]],
    ['select(1, -1)', () => x.select(1, -1), [2, 4]],
    ['sum(1)', () => x.sum(1), [2, 4]],
    ['sum(1, true)', () => x.sum(1, true), [2, 1, 4]],
    ['sum()', () => x.sum(), []],
    ['mean([0, 2], true)', () => x.mean([0, 2], true), [1, 3, 1]],
    ['amax(-1)', () => x.amax(-1), [2, 3]],
    ['amax(-1, true)', () => x.amax(-1, true), [2, 3, 1]],
    ['softmax(-1)', () => x.softmax(-1), [2, 3, 4]],
  ];
  it.each(cases)('%s', (_name, make, shape) => {
    const s = make();
    expect(shapeOf(s)).toEqual(shape);
    expect(s.dtype).toBe('f32');
    expect(s.builder).toBe(g);
  });

  it('expand with -1 keeps a size-1 dim and broadcasts another', () => {
    const y = g.input('y', [1, 3, 1]);
    expect(y.expand(2, -1, 4).shape).toEqual([2, 3, 4]);
  });
});

/** Runs a one-output API graph on `inputs`. */
function run(body: (g: GraphBuilder) => Sym, inputs: Record<string, Tensor>, weights?: Record<string, Tensor>): number[] {
  const gr = graph('run', body);
  return toNumbers(interpret(gr, inputs, weights ? { weights } : {}).output!);
}

describe('API graphs compute what a hand computation gives', () => {
  it('linear with known weights', () => {
    const x = f32([2, 3], [1, 2, 3, 4, 5, 6]);
    const weight = f32([2, 3], [1, 0, -1, 0.5, 0.5, 0.5]);
    const bias = f32([2], [10, -10]);
    const got = run((g) => new Linear(3, 2).forward(g.input('x', [2, 3])), { x }, { weight, bias });
    // row 0: [1-3, 0.5*(1+2+3)] + bias; row 1: [4-6, 0.5*(4+5+6)] + bias
    expect(got).toEqual([8, -7, 8, -2.5]);
  });

  it('softmax of a row', () => {
    const got = run((g) => g.input('x', [1, 3]).softmax(-1), { x: f32([1, 3], [1, 2, 3]) });
    const e = [1, 2, 3].map(Math.exp);
    const sum = e[0]! + e[1]! + e[2]!;
    e.forEach((v, i) => expect(got[i]).toBeCloseTo(v / sum, 6));
  });

  it('select, slice and a scalar', () => {
    const x = f32([2, 3], [1, 2, 3, 4, 5, 6]);
    expect(run((g) => g.input('x', [2, 3]).select(1, 1), { x })).toEqual([2, 5]);
    expect(run((g) => g.input('x', [2, 3]).select(0, -1), { x })).toEqual([4, 5, 6]);
    expect(run((g) => g.input('x', [2, 3]).slice(1, 0, 3, 2).mul(2), { x })).toEqual([2, 6, 8, 12]);
  });

  it('transpose, reductions with keepdim, and integer arithmetic', () => {
    const x = f32([2, 3], [1, 2, 3, 4, 5, 6]);
    expect(run((g) => g.input('x', [2, 3]).transpose(0, 1), { x })).toEqual([1, 4, 2, 5, 3, 6]);
    expect(run((g) => g.input('x', [2, 3]).sum(1, true), { x })).toEqual([6, 15]);
    expect(run((g) => g.input('x', [2, 3]).amax(0), { x })).toEqual([4, 5, 6]);
    const i = tensor('i32', [3], [7, -7, 9]);
    expect(run((g) => g.input('i', [3], 'i32').div(2), { i })).toEqual([3, -3, 4]);
  });
});

describe('graph(..., { given })', () => {
  const build = (given?: (n: string) => boolean) =>
    graph('lin', (g) => new Linear(4, 3).forward(g.input('x', [2, 4])), given ? { given } : {});

  it('draws no default for given parameters; the others still get one', () => {
    const full = build();
    const some = build((n) => n === 'weight');
    expect(some.weights.find((w) => w.name === 'weight')!.data).toBeUndefined();
    expect(full.weights.find((w) => w.name === 'weight')!.data).toBeDefined();
    expect(some.weights.find((w) => w.name === 'bias')!.data).toBeDefined();
  });

  it('a given parameter left out at run time is a BindingError naming it', () => {
    const g = build((n) => n === 'weight');
    const x = tensor('f32', [2, 4], new Float32Array(8));
    expect(() => interpret(g, { x })).toThrow(/missing weight "weight"/);
    const w = tensor('f32', [3, 4], new Float32Array(12).fill(1));
    const out = interpret(g, { x: tensor('f32', [2, 4], new Float32Array(8).fill(1)) }, { weights: { weight: w }, strict: false });
    const bias = g.weights.find((v) => v.name === 'bias')!.data!.data as Float32Array;
    expect(Array.from(out.output!.data as Float32Array)).toEqual([0, 1, 2, 0, 1, 2].map((j) => Math.fround(4 + bias[j]!)));
  });
});
