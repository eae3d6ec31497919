// The wasm elementwise family: single ops and fused programs against the interpreter, over the
// full unit range and split into ranges, at both SIMD levels; what it leaves to the TS kernels.
import { describe, expect, it } from 'vitest';
import { elementwiseFamily, rowLayout } from '../../src/codegen/wasm/kernels/elementwise.ts';
import { f32 } from '../../src/ir/tensor.ts';
import { tensorType } from '../../src/ir/types.ts';
import type { OpAttrs, OpKind } from '../../src/ops/attrs.ts';
import type { ProgramStep } from '../../src/ops/program.ts';
import { checkFamily, oneNode, randomInputs } from './rows-harness.ts';

const t = (...shape: number[]) => tensorType('f32', shape);
const EDGES = [NaN, Infinity, -Infinity, 0, -0, 1e-40, 100, -100];

/** Random inputs with the edge values sprinkled in. */
function withEdges(g: ReturnType<typeof oneNode>) {
  const inputs = randomInputs(g, 3);
  for (const [name, x] of Object.entries(inputs)) {
    const d = Float32Array.from(x.data as Float32Array);
    EDGES.forEach((e, i) => { if (3 * i < d.length) d[3 * i] = e; });
    inputs[name] = f32(x.shape, d);
  }
  return inputs;
}

const UNARY: [OpKind, OpAttrs[OpKind]][] = [
  ['neg', {}], ['abs', {}], ['sqrt', {}], ['relu', {}], ['reciprocal', {}], ['exp', {}], ['log', {}], ['tanh', {}],
  ['sigmoid', {}], ['erf', {}], ['gelu', { approximate: 'none' }], ['gelu', { approximate: 'tanh' }], ['identity', {}],
];
const BINARY: OpKind[] = ['add', 'sub', 'mul', 'div', 'max', 'min'];

describe('wasm elementwise family', () => {
  for (const [op, attrs] of UNARY) {
    it(`${op}${'approximate' in attrs ? ` (${String(attrs.approximate)})` : ''} over 1031 elements, edge values included`, () => {
      const g = oneNode(op, attrs, [t(1031)]);
      checkFamily(g, elementwiseFamily, withEdges(g));
    });
  }
  for (const op of BINARY) {
    it(`${op} with equal shapes, a row bias and a per-row scalar`, () => {
      for (const shapes of [[[3, 37], [3, 37]], [[5, 300], [300]], [[4, 6, 33], [4, 1, 1]], [[2, 3, 4], [2, 1, 4]], [[7], []]]) {
        const g = oneNode(op, {}, shapes.map((s) => t(...s)));
        checkFamily(g, elementwiseFamily, withEdges(g));
      }
    });
  }
  it('a fused program: gelu(x * w + b) - x, with broadcast operands, rows longer than a chunk', () => {
    const steps: ProgramStep[] = [
      { op: 'mul', attrs: {}, args: [0, 1] }, { op: 'add', attrs: {}, args: [3, 2] },
      { op: 'gelu', attrs: { approximate: 'none' }, args: [4] }, { op: 'sub', attrs: {}, args: [5, 0] },
    ];
    for (const [x, w, b] of [[[2, 517], [517], [2, 1]], [[3, 1024], [1, 1024], []], [[9, 5], [9, 5], [5]]]) {
      const g = oneNode('fused', { program: { inputs: 3, steps } }, [t(...x!), t(...w!), t(...b!)]);
      checkFamily(g, elementwiseFamily, withEdges(g));
    }
  });
  it('leaves integer, bool-producing, strided and short-row nodes to the TS kernels', () => {
    const info = (op: OpKind, inputs: ReturnType<typeof t>[], outDtype: 'f32' | 'i32' | 'bool' = 'f32') => ({
      node: { op, attrs: {} } as never, inputs, outputs: [{ dtype: outDtype, shape: inputs[0]!.shape }], staticInputs: inputs.map(() => false), simd: 'plain' as const,
    });
    expect(elementwiseFamily.accepts(info('add', [tensorType('i32', [64]), tensorType('i32', [64])], 'i32'))).toBe(false);
    expect(elementwiseFamily.accepts(info('less', [t(64), t(64)], 'bool'))).toBe(false);
    expect(elementwiseFamily.accepts(info('pow', [t(64), t(64)]))).toBe(false);
    expect(elementwiseFamily.accepts(info('add', [t(64, 3), t(64, 1)]))).toBe(false); // rows of 3
    expect(rowLayout([4, 6], [[4, 6], [6, 1]].map((s) => s)).inner).toBe(6);
  });
});
