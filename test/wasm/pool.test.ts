// The wasm loader's worker pool: a kernel split across threads over one shared memory gives the
// interpreter's numbers (every share ran), a model built for threads also runs on one (its
// binary patched to unshared memory), and dispose() stops the workers.
import { describe, expect, it } from 'vitest';
import { FunctionBuilder } from '../../src/codegen/wasm/encoder.ts';
import { type FamilyTable, generateWasm } from '../../src/codegen/wasm/index.ts';
import type { UnitRange, WasmKernelFamily, WasmKernelInput } from '../../src/codegen/wasm/kernel.ts';
import { IRBuilder } from '../../src/ir/builder.ts';
import { numel, tensorType } from '../../src/ir/types.ts';
import { interpret } from '../../src/runtime/interpreter.ts';
import { Rng, expectAllClose, importModule, randomTensor } from '../codegen/helpers.ts';
import { tensor } from '../../src/ir/tensor.ts';

/** A test family: f32 negation, one unit per vector of four elements. */
const negate: WasmKernelFamily<'neg'> = {
  name: 'test negation',
  accepts: (n) => n.inputs[0]!.dtype === 'f32' && numel(n.inputs[0]!.shape) % 4 === 0,
  units: (n) => numel(n.inputs[0]!.shape) / 4,
  emit(f: FunctionBuilder, k: WasmKernelInput<'neg'>, r: UnitRange) {
    const i = f.local('i32');
    f.get(r.lo).i32(16).op('i32.mul').set(i);
    f.block(() => f.loop(() => {
      f.get(i).get(r.hi).i32(16).op('i32.mul').op('i32.ge_s').brIf(1);
      f.get(i).get(i).mem('v128.load', k.x[0]!).op('f32x4.neg').mem('v128.store', k.y[0]!);
      f.get(i).i32(16).op('i32.add').set(i).br(0);
    }));
  },
};

const TABLE: FamilyTable = { neg: [negate] };

/** x -> neg -> add x -> neg: two split kernels around a TS kernel, on [rows, 1024]. */
function model(rows: number) {
  const b = new IRBuilder('pool');
  const x = b.input('x', tensorType('f32', [rows, 1024]));
  const [n1] = b.node('neg', {}, [x.id]);
  const [s] = b.node('add', {}, [n1!.id, x.id]);
  const [n2] = b.node('neg', {}, [s!.id]);
  b.output('y', n2!.id);
  b.output('z', n1!.id);
  return b.finish();
}

describe('the wasm worker pool', () => {
  const g = model(512);
  const x = randomTensor(new Rng(7), tensorType('f32', [512, 1024]));
  const want = interpret(g, { x });

  it('splits big kernels across two threads and matches the interpreter', async () => {
    const p = generateWasm(g, { threads: 2 }, TABLE);
    expect([...p.kernels.values()].map((k) => [k.family, k.shares])).toEqual([['test negation', 2], ['test negation', 2]]);
    const mod = (await importModule(p.loader)) as unknown as { create(w: object, o: object): Promise<{ run(i: object): Record<string, Float32Array>; dispose(): void }> };
    const m = await mod.create({}, { threads: 2, simd: 'plain' });
    for (let round = 0; round < 3; round++) {
      const out = m.run({ x: x.data });
      expectAllClose({ y: tensor('f32', [512, 1024], out.y!), z: tensor('f32', [512, 1024], out.z!) }, want, 0, 0, `round ${round}`);
    }
    m.dispose();
  });

  it('runs a threaded build on one thread (unshared memory)', async () => {
    const p = generateWasm(g, { threads: 2 }, TABLE);
    const mod = (await importModule(p.loader)) as unknown as { create(w: object, o: object): Promise<{ run(i: object): Record<string, Float32Array>; dispose(): void }> };
    const m = await mod.create({}, { threads: 1, simd: 'plain' });
    const out = m.run({ x: x.data });
    expectAllClose({ y: tensor('f32', [512, 1024], out.y!), z: tensor('f32', [512, 1024], out.z!) }, want, 0, 0);
    m.dispose();
  });

  it('keeps small kernels on the calling thread', () => {
    const p = generateWasm(model(4), { threads: 2 }, TABLE);
    expect([...p.kernels.values()].map((k) => k.shares)).toEqual([1, 1]);
  });
});
