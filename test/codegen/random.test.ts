// Property-style differential tests: random graphs from the seeded generator in
// random-graphs.ts, compiled for the TS backend and compared with the interpreter (allclose).
// A failing test names its family and seed; rerun that one seed to replay it exactly.
import { describe, expect, it } from 'vitest';
import { printGraph } from '../../src/ir/print.ts';
import { planMemory } from '../../src/codegen/plan.ts';
import { IRBuilder } from '../../src/ir/builder.ts';
import { tensor, toNumbers } from '../../src/ir/tensor.ts';
import { tensorType } from '../../src/ir/types.ts';
import { CPU_TARGETS, expectMatchesInterpreter } from './helpers.ts';
import { leafAttention, leafChain } from './leaf-graphs.ts';
import {
  type Built,
  elementwiseChain,
  randomAttention,
  randomConcatSplit,
  randomGather,
  randomGemm,
  randomMatmul,
  randomMixed,
  randomNormalize,
  randomReduce,
  randomSlice,
  randomTranspose,
} from './random-graphs.ts';

/** Seeds 1..n of a family (distinct per family, so families never share a stream). */
const seeds = (family: number, n: number): number[] => Array.from({ length: n }, (_, i) => family * 1000 + i + 1);

/** Families and how many graphs of each to check. */
const FAMILIES: readonly [string, (seed: number) => Built, number][] = [
  ['elementwise chain', elementwiseChain, 60],
  ['matmul', randomMatmul, 40],
  ['gemm', randomGemm, 30],
  ['softmax / logSoftmax / layerNorm', randomNormalize, 30],
  ['reduction', randomReduce, 30],
  ['transpose', randomTranspose, 15],
  ['slice', randomSlice, 30],
  ['concat / split', randomConcatSplit, 20],
  ['gather', randomGather, 15],
  ['attention block', randomAttention, 12],
  ['mixed DAG', randomMixed, 30],
];

/** Runs one generated graph through compile and the interpreter (blocked kernels); even seeds also at -O0, odd ones at -O2. */
async function check(family: string, build: (seed: number) => Built, seed: number): Promise<void> {
  const { graph, inputs } = build(seed);
  const what = `${family} seed ${seed}\n${printGraph(graph)}`;
  const model = await expectMatchesInterpreter(graph, inputs, { level: 1, what });
  expect(model.graph.nodes.length).toBeLessThanOrEqual(graph.nodes.length);
  const other = seed % 2 === 1 ? 2 : 0;
  await expectMatchesInterpreter(graph, inputs, { level: other, what: `-O${other} ${what}` });
}

describe.each(FAMILIES.map(([name, build, n], f) => [name, build, seeds(f + 1, n)] as const))('random %s graphs', (name, build, list) => {
  it.each(list)(`seed %i`, async (seed) => {
    await check(name, build, seed);
  });
});

// The wasm backend on the same graphs: its SIMD kernels where a family takes a node, TS kernels
// over its memory elsewhere; odd seeds at -O2 (fused epilogues and attention), even ones at -O1.
describe.each(FAMILIES.map(([name, build, n], f) => [name, build, seeds(f + 1, n)] as const))('random %s graphs on wasm', (name, build, list) => {
  it.each(list)(`seed %i`, async (seed) => {
    const { graph, inputs } = build(seed);
    const level = seed % 2 === 1 ? 2 : 1;
    await expectMatchesInterpreter(graph, inputs, { level, target: 'wasm', rtol: 1e-4, atol: 1e-5, what: `wasm -O${level} ${name} seed ${seed}\n${printGraph(graph)}` });
  });
});

/** Families whose pattern operands are inputs, weights and constants (leaf-graphs.ts), and how many of each. */
const LEAF_FAMILIES: readonly [string, (seed: number) => Built, number][] = [
  ['leaf attention', leafAttention, 20],
  ['leaf chain', leafChain, 12],
];

describe.each(CPU_TARGETS.flatMap((target) => LEAF_FAMILIES.map(([name, build, n], f) => [name, target, build, seeds(FAMILIES.length + f + 1, n)] as const)))('random %s graphs at -O2 on %s', (name, target, build, list) => {
  it.each(list)(`seed %i`, async (seed) => {
    const { graph, inputs } = build(seed);
    const tol = target === 'wasm' ? { rtol: 1e-4, atol: 1e-5 } : {};
    await expectMatchesInterpreter(graph, inputs, { level: 2, target, ...tol, what: `-O2 ${name} seed ${seed} on ${target}\n${printGraph(graph)}` });
  });
});

describe('matmul blocking edges', () => {
  // M around the 4-row block and its ragged tails, and past one and two row tiles (the tile
  // height is the emitter's choice: 64 or 256 rows so far); N around the 4-column block.
  const sizes = [
    [1, 1, 1], [2, 4, 3], [3, 5, 2], [4, 4, 4], [5, 4, 7], [4, 5, 1], [7, 7, 37], [8, 4, 2], [9, 8, 3],
    [63, 8, 3], [64, 4, 5], [65, 4, 5], [67, 9, 2], [68, 4, 3], [69, 6, 4], [128, 8, 2], [131, 5, 6],
    [150, 37, 37], [255, 4, 2], [256, 5, 3], [257, 4, 2], [262, 7, 3], [520, 4, 2],
  ] as const;
  const sources: string[] = [];
  it.each(sizes)('M=%i N=%i K=%i', async (m, n, k) => {
    const { graph, inputs } = randomMatmul(m * 10000 + n * 100 + k, { m, n, k });
    sources.push((await expectMatchesInterpreter(graph, inputs, { what: `matmul ${m}x${n}x${k}` })).source);
    // The wasm contraction's register blocks and ragged panels, on the same sizes.
    await expectMatchesInterpreter(graph, inputs, { level: 2, target: 'wasm', rtol: 1e-4, atol: 1e-5, what: `wasm matmul ${m}x${n}x${k}` });
  });

  it('the list reaches both the untiled and the row-tiled loop nests', () => {
    const tiled = sources.filter((s) => /for \(let it = /.test(s)).length;
    expect(tiled).toBeGreaterThan(0);
    expect(tiled).toBeLessThan(sizes.length);
  });
});

describe('regressions found by the generator', () => {
  // A split whose last part is empty and a concat whose last input is empty emit the same
  // body (`y0[i] = x0[i]`) over the same parameter types, so they share one kernel function,
  // but split's parameters are (x0, y0, y1) and concat's (x0, x1, y0): the concat call then
  // writes into its empty input and leaves its output zero.
  it.each([
    ['i32', [3, 0], [0, 1]],
    ['bool', [3, 0, 0], [0, 2, 1]],
    ['f32', [3, 0], [0, 1]],
  ] as const)('%s split %j on axis 1, then concat of the parts in order %j', async (dtype, sizes, order) => {
    const b = new IRBuilder('split-concat');
    const x = b.input('x', tensorType(dtype, [2, 3]));
    const parts = b.node('split', { axis: 1, sizes }, [x.id]);
    b.output('y', b.node('concat', { axis: -1 }, order.map((i) => parts[i]!.id))[0]!.id);
    const g = b.finish();
    const x0 = tensor(dtype, [2, 3], [1, 0, 3, 0, 5, 6]);
    const model = await expectMatchesInterpreter(g, { x: x0 });
    expect(toNumbers(model.run({ x: x0 }).y!)).toEqual(toNumbers(x0));
  });
});

describe('the generator', () => {
  it('is deterministic per seed and varied across seeds', () => {
    expect(printGraph(elementwiseChain(7).graph)).toBe(printGraph(elementwiseChain(7).graph));
    const texts = new Set(seeds(1, 20).map((s) => printGraph(elementwiseChain(s).graph)));
    expect(texts.size).toBeGreaterThan(15);
  });

  it('exercises in-place reuse, views and output copies across the chains', () => {
    let inPlace = 0;
    let views = 0;
    let copies = 0;
    for (const s of seeds(1, 60)) {
      const { graph } = elementwiseChain(s);
      const plan = planMemory(graph);
      // A kernel whose output buffer was first written by an earlier node runs in place.
      inPlace += graph.nodes.filter((n, i) => !plan.views.has(n) && plan.storages[plan.storageOf.get(n.outputs[0]!.id)!]!.first < i).length;
      views += plan.views.size;
      copies += plan.copies.length;
    }
    expect(inPlace).toBeGreaterThan(10);
    expect(views).toBeGreaterThan(5);
    expect(copies).toBeGreaterThan(0);
  });
});
