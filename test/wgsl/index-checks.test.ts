// WGSL gather bounds flags on a WebGPU adapter (SwiftShader here): an out-of-range index (i32 or
// i64, 2^40 included) is an IndexError naming the node in process and from the standalone loader,
// after which valid runs work again; the cost of the flag is measured (docs/security.md).
import { describe, expect, it } from 'vitest';
import { compileWgsl } from '../../src/compile.ts';
import { generateWgsl } from '../../src/codegen/wgsl/index.ts';
import { emitWgslModule } from '../../src/codegen/wgsl/module.ts';
import { IndexError } from '../../src/errors.ts';
import { IRBuilder } from '../../src/ir/builder.ts';
import type { Graph } from '../../src/ir/graph.ts';
import { tensor } from '../../src/ir/tensor.ts';
import { tensorType } from '../../src/ir/types.ts';
import { importModule } from '../codegen/helpers.ts';
import { adapterOrReason, skipNote } from './adapter.ts';

const TABLE = tensor('f32', [3, 4], Array.from({ length: 12 }, (_, i) => i + 1));

function embedding(dtype: 'i32' | 'i64'): Graph {
  const b = new IRBuilder('embed');
  const idx = b.input('idx', tensorType(dtype, [2]));
  const table = b.weight('table', TABLE, TABLE);
  const [y] = b.node('gather', { axis: 0 }, [table.id, idx.id], 'emb.lookup');
  b.output('y', y!.id);
  return b.finish();
}

const BAD: readonly (number | bigint)[] = [3, 7, 1e6, -4, -1e6, 2n ** 40n, -(2n ** 40n)];
const idxTensor = (v: number | bigint) => (typeof v === 'bigint' ? tensor('i64', [2], [0, Number(v)]) : tensor('i32', [2], [0, v]));
/** The index the GPU saw: i64 indices travel saturated to i32. */
const seen = (v: number | bigint) => (typeof v === 'bigint' ? (v > 0n ? 2147483647 : -2147483648) : v);
const message = (v: number | bigint) => new RegExp(`^node %\\d+ \\(gather\\) \\["emb.lookup"\\]: gather index ${seen(v)} is out of range for axis 0 of size 3 \\(valid: -3..2\\)`);

const { gpu, reason } = await adapterOrReason();

describe.skipIf(!gpu)(`WGSL gather bounds flags${skipNote(reason)}`, () => {
  it.each(BAD)('in process: index %s is an IndexError naming the node; the next valid run is right', async (v) => {
    const m = await compileWgsl(embedding(typeof v === 'bigint' ? 'i64' : 'i32'));
    try {
      const err = await m.run({ idx: idxTensor(v) }).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(IndexError);
      expect((err as Error).message).toMatch(message(v));
      const ok = await m.run({ idx: typeof v === 'bigint' ? tensor('i64', [2], [2, -3]) : tensor('i32', [2], [2, -3]) });
      expect(Array.from(ok.y!.data as Float32Array)).toEqual([9, 10, 11, 12, 1, 2, 3, 4]);
    } finally {
      m.destroy();
    }
  });

  it.each(BAD)('standalone loader: index %s throws its IndexError (a RangeError) naming the node', async (v) => {
    const g = embedding(typeof v === 'bigint' ? 'i64' : 'i32');
    const mod = await importModule(emitWgslModule(g, generateWgsl(g), { inlineWeights: true }).loader) as unknown as { create(d: GPUDevice): Promise<{ run(i: unknown): Promise<Record<string, Float32Array>>; destroy(): void }> };
    const model = await mod.create(gpu!.device);
    try {
      const err = await model.run({ idx: idxTensor(v).data }).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(RangeError);
      expect((err as Error).name).toBe('IndexError');
      expect((err as Error).message).toMatch(message(v));
      const ok = await model.run({ idx: (typeof v === 'bigint' ? tensor('i64', [2], [0, 1]) : idxTensor(1)).data });
      expect(Array.from(ok.y!)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    } finally {
      model.destroy();
    }
  });

  it('measures the flag: run time of a 4096-index embedding with and without the bounds flag', async () => {
    const b = new IRBuilder('embed-big');
    const idx = b.input('idx', tensorType('i32', [4096]));
    const t = tensor('f32', [1000, 64], Array.from({ length: 64000 }, (_, i) => i % 97));
    const table = b.weight('table', t, t);
    const [y] = b.node('gather', { axis: 0 }, [table.id, idx.id], 'emb');
    b.output('y', y!.id);
    const g = b.finish();
    const m = await compileWgsl(g);
    const input = { idx: tensor('i32', [4096], Array.from({ length: 4096 }, (_, i) => (i * 7) % 1000)) };
    const time = async (model: typeof m, runs: number) => {
      for (let i = 0; i < 5; i++) await model.run(input);
      const t0 = performance.now();
      for (let i = 0; i < runs; i++) await model.run(input);
      return (performance.now() - t0) / runs;
    };
    // The same model with its checks dropped (no reset, no flag words read back, flag stores unreachable).
    const plain = await compileWgsl(g);
    (plain.program as unknown as { checks: unknown[] }).checks.length = 0;
    const unchecked = await (await import('../../src/runtime/webgpu.ts')).WebGpuModel.create(gpu!, plain.graph, plain.program);
    try {
      const withFlag = await time(m, 50);
      const without = await time(unchecked as unknown as typeof m, 50);
      console.log(`WGSL gather [1000,64] x 4096 indices: ${withFlag.toFixed(3)} ms per run with the bounds flag, ${without.toFixed(3)} ms without`);
      expect(withFlag).toBeGreaterThan(0);
      expect(without).toBeGreaterThan(0);
    } finally {
      m.destroy();
      plain.destroy();
      unchecked.destroy();
    }
  });
});
