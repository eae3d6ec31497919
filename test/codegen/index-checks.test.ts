// Gather indices outside [-dim, dim) are an IndexError naming the node on every CPU backend: the
// interpreter, generated TS and wasm in process (gather runs as a TS kernel over wasm memory,
// feeding a wasm matmul kernel), and both standalone modules (compile --target ts|wasm), which
// throw their own IndexError (a RangeError). Constant indices fail at compile time; i64 indices
// of 2^40 do not wrap. WGSL: test/wgsl/index-checks.test.ts.
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile.ts';
import { generateTs } from '../../src/codegen/ts/index.ts';
import { generateWasm } from '../../src/codegen/wasm/index.ts';
import { IndexError } from '../../src/errors.ts';
import { IRBuilder } from '../../src/ir/builder.ts';
import type { Graph } from '../../src/ir/graph.ts';
import { tensor } from '../../src/ir/tensor.ts';
import { tensorType } from '../../src/ir/types.ts';
import { interpret } from '../../src/runtime/interpreter.ts';
import { importModule } from './helpers.ts';

const TABLE = tensor('f32', [3, 4], Array.from({ length: 12 }, (_, i) => i + 1));

/** table [3,4] (a weight) gathered by `idx` [2] on axis 0, then (with `project`) a [4,5] matmul: a wasm kernel. */
function embedding(dtype: 'i32' | 'i64', project: boolean): Graph {
  const b = new IRBuilder('embed');
  const idx = b.input('idx', tensorType(dtype, [2]));
  const table = b.weight('table', TABLE, TABLE);
  let [y] = b.node('gather', { axis: 0 }, [table.id, idx.id], 'emb.lookup');
  if (project) {
    const w = tensor('f32', [4, 5], Array.from({ length: 20 }, (_, i) => (i % 7) - 3));
    const proj = b.weight('proj', w, w);
    [y] = b.node('matmul', { transA: false, transB: false }, [y!.id, proj.id], 'emb.proj');
  }
  b.output('y', y!.id);
  return b.finish();
}

const BAD: readonly (readonly [string, number | bigint])[] = [['3', 3], ['7', 7], ['1e6', 1e6], ['-4', -4], ['-1e6', -1e6], ['2^40 (i64)', 2n ** 40n], ['-2^40 (i64)', -(2n ** 40n)]];
const idxTensor = (v: number | bigint) => (typeof v === 'bigint' ? tensor('i64', [2], [0, Number(v)]) : tensor('i32', [2], [0, v]));
const message = (v: number | bigint) => new RegExp(`^node %\\d+ \\(gather\\) \\["emb.lookup"\\]: gather index ${v} is out of range for axis 0 of size 3 \\(valid: -3..2\\)$`);

type Runner = (g: Graph, idx: ReturnType<typeof idxTensor>) => Promise<unknown>;
const RUNNERS: readonly (readonly [string, Runner])[] = [
  ['interp', async (g, idx) => interpret(g, { idx })],
  ['ts', async (g, idx) => (await compile(g, { target: 'ts' })).run({ idx })],
  ['wasm', async (g, idx) => (await compile(g, { target: 'wasm' })).run({ idx })],
  ['standalone ts', async (g, idx) => (await importModule(generateTs(g, { inlineWeights: true }).source)).create(undefined as never).run({ idx: idx.data })],
  ['standalone wasm', async (g, idx) => {
    const mod = await importModule(generateWasm(g, { inlineWeights: true }).loader) as unknown as { create(): Promise<{ run(i: unknown): unknown }> };
    return (await mod.create()).run({ idx: idx.data });
  }],
];

describe.each(RUNNERS)('gather index checks: %s', (backend, run) => {
  it.each(BAD)('index %s is an IndexError naming the node (table alone, and before a wasm matmul)', async (_, v) => {
    for (const project of [false, true]) {
      const g = embedding(typeof v === 'bigint' ? 'i64' : 'i32', project);
      const err = await run(g, idxTensor(v)).then(() => undefined, (e: unknown) => e);
      expect(err, `${backend}, project ${project}`).toBeInstanceOf(backend.startsWith('standalone') ? RangeError : IndexError);
      expect((err as Error).name).toBe('IndexError');
      expect((err as Error).message).toMatch(message(v));
    }
  });

  it('the projected graph runs its matmul as a wasm kernel (both paths are covered)', () => {
    expect([...generateWasm(embedding('i32', true)).kernels.values()].map((k) => k.node.op)).toEqual(['matmul']);
  });

  it('valid indices (negative ones wrap once) give the table rows', async () => {
    const out = await run(embedding('i64', false), tensor('i64', [2], [-1, 1])) as Record<string, { data: Float32Array } | Float32Array>;
    const y = out.y!;
    expect(Array.from('data' in y ? y.data : y)).toEqual([9, 10, 11, 12, 5, 6, 7, 8]);
  });
});

describe('constant gather indices', () => {
  /** The table gathered by a constant index node: the interpreter fails at run, every backend at compile time. */
  function constantIndices(v: number): Graph {
    const b = new IRBuilder('const-idx');
    const x = b.input('x', tensorType('f32', [3, 4]));
    const [idx] = b.node('constant', { value: tensor('i64', [2], [1, v]) }, [], 'ids');
    const [y] = b.node('gather', { axis: 0 }, [x.id, idx!.id], 'emb.lookup');
    b.output('y', y!.id);
    return b.finish();
  }

  it.each([3, -4, 1e6])('index %d fails at compile time on ts, wasm and both generators, naming the node', async (v) => {
    const g = constantIndices(v);
    const want = new RegExp(`^node %\\d+ \\(gather\\) \\["emb.lookup"\\]: constant indices: gather index ${v} is out of range for axis 0 of size 3`);
    for (const target of ['ts', 'wasm'] as const) await expect(compile(g, { target, level: 0 })).rejects.toThrow(want);
    expect(() => generateTs(g)).toThrow(IndexError);
    expect(() => generateWasm(g)).toThrow(want);
    expect(() => interpret(g, { x: TABLE })).toThrow(message(v));
  });
});
