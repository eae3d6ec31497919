// The wasm contraction family against the interpreter (rtol 1e-4, atol 1e-5): a table of
// matmul and gemm layouts, with B static (packed by prepare) and dynamic (in place or packed per
// unit), both SIMD levels, MR 4 and 6, each over the whole unit range and split into 2 and 3.
import { describe, expect, it } from 'vitest';
import { gemmFamily } from '../../src/codegen/wasm/kernels/gemm.ts';
import type { SimdLevel } from '../../src/codegen/wasm/kernel.ts';
import type { OpAttrs } from '../../src/ops/attrs.ts';
import type { ElementwiseProgram } from '../../src/ops/program.ts';
import { compareTensors } from '../../src/runtime/compare.ts';
import { nodeInfo, oneNode, randomInputs, reference, runKernel } from './kernel-harness.ts';

const NN = { transA: false, transB: false };
const gemm = (o: Partial<OpAttrs['gemm']> = {}): OpAttrs['gemm'] => ({ transA: false, transB: false, alpha: 1, beta: 1, ...o });
const step = (op: string, args: number[], attrs: object = {}) => ({ op, attrs, args }) as ElementwiseProgram['steps'][number];
/** result + x1, then relu: a residual block's tail. */
const residualRelu: ElementwiseProgram = { inputs: 2, steps: [step('add', [0, 1]), step('relu', [2])] };

interface Case {
  readonly name: string;
  readonly op: 'matmul' | 'gemm';
  readonly attrs: OpAttrs['matmul'] | OpAttrs['gemm'];
  readonly shapes: number[][];
}

const CASES: Case[] = [
  { name: '2-D 13x17 @ 17x19', op: 'matmul', attrs: NN, shapes: [[13, 17], [17, 19]] },
  { name: '2-D 32x64 @ 64x64', op: 'matmul', attrs: NN, shapes: [[32, 64], [64, 64]] },
  { name: 'N < 8 (5x9 @ 9x3)', op: 'matmul', attrs: NN, shapes: [[5, 9], [9, 3]] },
  { name: 'N = 4, M < MR', op: 'matmul', attrs: NN, shapes: [[3, 7], [7, 4]] },
  { name: 'N % 8 = 5 (7x11 @ 11x21)', op: 'matmul', attrs: NN, shapes: [[7, 11], [11, 21]] },
  { name: 'K = 1', op: 'matmul', attrs: NN, shapes: [[9, 1], [1, 10]] },
  { name: 'M = 1 (row vector)', op: 'matmul', attrs: NN, shapes: [[1, 33], [33, 40]] },
  { name: 'tall, few panels (row chunks): 50x8 @ 8x6', op: 'matmul', attrs: NN, shapes: [[50, 8], [8, 6]] },
  { name: 'row chunks, the last of edge rows only: 26x5 @ 5x8', op: 'matmul', attrs: NN, shapes: [[26, 5], [5, 8]] },
  { name: 'row chunks, the last of edge rows only: 14x3 @ 3x16', op: 'matmul', attrs: NN, shapes: [[14, 3], [3, 16]] },
  { name: 'transA', op: 'matmul', attrs: { transA: true, transB: false }, shapes: [[11, 9], [11, 13]] },
  { name: 'transB', op: 'matmul', attrs: { transA: false, transB: true }, shapes: [[9, 11], [13, 11]] },
  { name: 'transA and transB', op: 'matmul', attrs: { transA: true, transB: true }, shapes: [[11, 9], [13, 11]] },
  { name: '1-D @ 2-D', op: 'matmul', attrs: NN, shapes: [[10], [10, 12]] },
  { name: '2-D @ 1-D', op: 'matmul', attrs: NN, shapes: [[14, 10], [10]] },
  { name: '1-D @ 1-D', op: 'matmul', attrs: NN, shapes: [[10], [10]] },
  { name: 'batched, B broadcast', op: 'matmul', attrs: NN, shapes: [[3, 7, 5], [5, 9]] },
  { name: 'batched, A broadcast', op: 'matmul', attrs: NN, shapes: [[7, 5], [3, 5, 9]] },
  { name: 'batch dims broadcast both ways, transB', op: 'matmul', attrs: { transA: false, transB: true }, shapes: [[2, 1, 6, 4], [3, 10, 4]] },
  { name: 'attention-like 2x2x16x8 @ 2x2x8x16 (transB)', op: 'matmul', attrs: { transA: false, transB: true }, shapes: [[2, 2, 16, 8], [2, 2, 16, 8]] },
  { name: 'batched 1-D B', op: 'matmul', attrs: NN, shapes: [[2, 3, 6, 5], [5]] },
  {
    name: 'matmul + residual + relu epilogue', op: 'matmul',
    attrs: { ...NN, epilogue: residualRelu }, shapes: [[2, 9, 12], [12, 19], [2, 9, 19]],
  },
  {
    name: 'matmul * broadcast column scale epilogue', op: 'matmul',
    attrs: { ...NN, epilogue: { inputs: 2, steps: [step('mul', [0, 1])] } }, shapes: [[2, 9, 12], [12, 10], [9, 1]],
  },
  {
    name: '2-D @ 1-D with a row epilogue', op: 'matmul',
    attrs: { ...NN, epilogue: { inputs: 2, steps: [step('sub', [0, 1])] } }, shapes: [[9, 12], [12], [9]],
  },
  { name: 'gemm transB + bias [N]', op: 'gemm', attrs: gemm({ transB: true }), shapes: [[10, 16], [21, 16], [21]] },
  { name: 'gemm alpha, beta, C [M,1]', op: 'gemm', attrs: gemm({ alpha: 0.5, beta: -2 }), shapes: [[10, 16], [16, 12], [10, 1]] },
  { name: 'gemm C [M,N], transA', op: 'gemm', attrs: gemm({ transA: true, beta: 0.25 }), shapes: [[16, 10], [16, 12], [10, 12]] },
  { name: 'gemm rank-3 A, C scalar-like [1]', op: 'gemm', attrs: gemm(), shapes: [[2, 5, 16], [16, 9], [1]] },
  { name: 'gemm beta 0 ignores C', op: 'gemm', attrs: gemm({ beta: 0 }), shapes: [[6, 8], [8, 8], [6, 8]] },
  { name: 'gemm without C', op: 'gemm', attrs: gemm(), shapes: [[6, 8], [8, 11]] },
  {
    name: 'gemm + bias + residual + relu (fused linear)', op: 'gemm',
    attrs: { ...gemm({ transB: true }), epilogue: residualRelu }, shapes: [[2, 7, 24], [20, 24], [20], [2, 7, 20]],
  },
  {
    name: 'gemm + gelu (erf) epilogue', op: 'gemm',
    attrs: { ...gemm({ transB: true }), epilogue: { inputs: 1, steps: [step('gelu', [0], { approximate: 'none' })] } }, shapes: [[9, 24], [20, 24], [20]],
  },
  {
    name: 'matmul + gelu(tanh), sigmoid, tanh, div, abs, log epilogue', op: 'matmul',
    attrs: {
      ...NN,
      epilogue: {
        inputs: 2,
        steps: [step('gelu', [0], { approximate: 'tanh' }), step('sigmoid', [0]), step('tanh', [2]), step('div', [3, 1]), step('add', [4, 5]), step('abs', [0]), step('log', [7]), step('add', [6, 8])],
      },
    },
    shapes: [[9, 24], [24, 13], [13]],
  },
];

describe.each(['relaxed', 'plain'] as SimdLevel[])('wasm contraction kernels (%s SIMD)', (simd) => {
  describe.each([4, 6, undefined])('MR = %s', (mr) => {
    for (const staticB of [true, false]) {
      for (const inPlaceB of staticB ? [true] : [true, false]) {
        const family = gemmFamily(mr === undefined ? { inPlaceB } : { mr, inPlaceB });
        const how = staticB ? 'B prepared' : inPlaceB ? 'B dynamic, in place' : 'B dynamic, packed per unit';
        it.each(CASES)(`$name (${how})`, (c) => {
          const g = oneNode(c.op, c.attrs, c.shapes);
          const staticInputs = c.shapes.map((_, i) => i === 1 && staticB);
          expect(family.accepts(nodeInfo(g, simd, staticInputs))).toBe(true);
          // Seeds are chosen so that no accumulator lands near 0 under the log(|acc|) epilogue (ill-conditioned there).
          const inputs = randomInputs(g, c.shapes.length * 7 + (mr ?? 6));
          const want = reference(g, inputs)[0]!;
          const run = runKernel(family, g, inputs, simd, staticInputs);
          run.outputs.forEach((outs, s) => {
            const cmp = compareTensors(outs[0]!, want, 1e-4, 1e-5);
            expect(cmp.ok, `split ${s} of ${run.units} units: ${cmp.reason ?? ''} max abs ${cmp.maxAbs}`).toBe(true);
          });
        });
      }
    }
  });
});

describe('wasm contraction family: in place', () => {
  // The memory plan lets a dying epilogue input (a residual) or C of the output's shape be overwritten by the output.
  it.each([
    { name: 'residual epilogue input', op: 'matmul' as const, attrs: { ...NN, epilogue: residualRelu }, shapes: [[2, 9, 12], [12, 19], [2, 9, 19]], alias: 2 },
    { name: 'gemm C', op: 'gemm' as const, attrs: gemm({ beta: 0.5 }), shapes: [[13, 12], [12, 21], [13, 21]], alias: 2 },
  ])('the output overwrites its $name', (c) => {
    const g = oneNode(c.op, c.attrs, c.shapes);
    const inputs = randomInputs(g, 3);
    const want = reference(g, inputs)[0]!;
    for (const simd of ['relaxed', 'plain'] as const) {
      const run = runKernel(gemmFamily(), g, inputs, simd, [false, true, false], c.alias);
      for (const outs of run.outputs) expect(compareTensors(outs[0]!, want, 1e-4, 1e-5).ok).toBe(true);
    }
  });
});

describe('wasm contraction family: one unit grid for both instruction sets', () => {
  // The relaxed binary blocks rows by 6 and the plain one by 4, but one loader splits both.
  it.each(CASES)('$name', (c) => {
    const g = oneNode(c.op, c.attrs, c.shapes);
    for (const staticB of [true, false]) {
      const info = (simd: SimdLevel) => nodeInfo<'matmul' | 'gemm'>(g, simd, c.shapes.map((_, i) => i === 1 && staticB));
      for (const family of [gemmFamily(), gemmFamily({ inPlaceB: true })]) {
        expect(family.units(info('relaxed'))).toBe(family.units(info('plain')));
        expect(family.scratchBytes?.(info('relaxed'))).toBe(family.scratchBytes?.(info('plain')));
        expect(family.preparedBytes?.(info('relaxed'))).toBe(family.preparedBytes?.(info('plain')));
      }
    }
  });
});

describe('wasm contraction family: accepts', () => {
  const family = gemmFamily();
  it('declines epilogues with steps it does not vectorise (pow)', () => {
    const g = oneNode('matmul', { ...NN, epilogue: { inputs: 2, steps: [step('pow', [0, 1])] } }, [[4, 4], [4, 4], [4, 4]]);
    expect(family.accepts(nodeInfo(g, 'relaxed', [false, true, false]))).toBe(false);
  });
  it('declines epilogues with a non-f32 value (a cast to i32 and back)', () => {
    const epilogue = { inputs: 1, steps: [step('cast', [0], { to: 'i32' }), step('cast', [1], { to: 'f32' })] };
    const g = oneNode('matmul', { ...NN, epilogue }, [[4, 4], [4, 4]]);
    expect(family.accepts(nodeInfo(g, 'relaxed', [false, true]))).toBe(false);
  });
  it('declines a gemm C broadcast that is not linear in the merged rows', () => {
    const g = oneNode('gemm', gemm(), [[2, 3, 4], [4, 5], [3, 5]]);
    expect(family.accepts(nodeInfo(g, 'relaxed', [false, true, false]))).toBe(false);
  });
});
