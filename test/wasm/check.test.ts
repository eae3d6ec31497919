// Check mode on the wasm backend: every node (wasm kernels and TS kernels over the same memory)
// compared with the interpreter; a correct model has no finding, a broken kernel is named with
// its node, op and the element. And a kernel that traps is an internal error naming it.
import { afterEach, describe, expect, it } from 'vitest';
import { type FamilyTable, WASM_FAMILIES } from '../../src/codegen/wasm/index.ts';
import type { WasmKernelFamily } from '../../src/codegen/wasm/kernel.ts';
import { IRBuilder } from '../../src/ir/builder.ts';
import { f32 } from '../../src/ir/tensor.ts';
import { numel, tensorType } from '../../src/ir/types.ts';
import { checkWasm } from '../../src/runtime/wasm-check.ts';
import { compile } from '../../src/compile.ts';
import { InternalCompilerError } from '../../src/errors.ts';
import { PIPELINES, runPipeline } from '../../passes/pipeline.ts';
import { buildExample } from '../example-graphs.ts';
import { Rng, randomInputs } from '../codegen/helpers.ts';
import { cli, lines } from '../cli/run-cli.ts';

/** A deliberately wrong family for `neg`: writes 1234.5 everywhere. */
const broken: WasmKernelFamily<'neg'> = {
  name: 'broken negation',
  accepts: (n) => n.inputs[0]!.dtype === 'f32',
  units: () => 1,
  emit(f, k) {
    const i = f.local('i32');
    f.for(i, 0, 4 * numel(k.outputs[0]!.shape), 4, () => f.get(i).f32(1234.5).mem('f32.store', k.y[0]!));
  },
};

const table = WASM_FAMILIES as { -readonly [K in keyof FamilyTable]: FamilyTable[K] };
const saved = table.neg;
afterEach(() => {
  table.neg = saved;
});

/** A family whose kernel traps (unreachable), standing for a kernel bug. */
const trapping: WasmKernelFamily<'neg'> = {
  name: 'trapping negation',
  accepts: (n) => n.inputs[0]!.dtype === 'f32',
  units: () => 1,
  emit(f) {
    f.op('unreachable');
  },
};

describe('a wasm trap', () => {
  it('is an internal error naming the kernel, its family and its node, never a stack trace', async () => {
    table.neg = [trapping];
    const b = new IRBuilder('trap');
    const x = b.input('x', tensorType('f32', [4, 8]));
    const [y] = b.node('neg', {}, [x.id], 'layer.trap');
    b.output('y', y!.id);
    const m = await compile(b.finish(), { target: 'wasm' });
    const x0 = f32([4, 8], new Array(32).fill(1));
    expect(() => m.run({ x: x0 })).toThrow(InternalCompilerError);
    expect(() => m.run({ x: x0 })).toThrow(/internal compiler error at node %\d+ \(neg\) \["layer.trap"\], wasm kernel k0 \(trapping negation\): a wasm kernel trapped: unreachable; this is a bug in opgraph/);
  });
});

describe('run --backend wasm --check', () => {
  it('finds nothing on a correct model, having compared every kernel', async () => {
    const g = runPipeline(await buildExample('mha-512'), PIPELINES[2]).graph;
    const r = await checkWasm(g, randomInputs(g, new Rng(2)));
    expect(r.compared).toBe(g.nodes.filter((n) => n.op !== 'constant' && !['reshape', 'squeeze', 'unsqueeze', 'identity'].includes(n.op)).length);
    expect(r.divergence).toBeUndefined();
    expect(r.nonFinite).toBeUndefined();
  });

  it('names the first divergent node, its kernel and the element', async () => {
    table.neg = [broken];
    const b = new IRBuilder('broken-neg');
    const x = b.input('x', tensorType('f32', [4, 8]));
    const [y] = b.node('neg', {}, [x.id], 'layer.neg');
    const [z] = b.node('relu', {}, [y!.id]);
    b.output('z', z!.id);
    const g = b.finish();
    const r = await checkWasm(g, { x: f32([4, 8], Array.from({ length: 32 }, (_, i) => i - 16)) });
    expect(r.divergence).toMatchObject({ node: 0, op: 'neg', label: 'layer.neg', kernel: 'k0', output: 0, actual: 1234.5 });
    expect(r.divergence!.maxAbs).toBeGreaterThan(1000);
  });

  it('from the command line: a correct model prints no finding and exits 0', async () => {
    const fx = 'test/fixtures/seed000_mha_qkv_h2_d6';
    const r = await cli(['run', 'mha', '--inputs', `${fx}.io.safetensors`, '--weights', `${fx}.weights.safetensors`, '--backend', 'wasm', '--check']);
    expect(r.code, r.stderr).toBe(0);
    expect(lines(r.stdout)).toEqual([
      expect.stringMatching(/^check: \d+ kernels of \d+ nodes compared with the interpreter$/),
      'first divergence: none (every node allclose to the interpreter)',
      'first NaN/Inf: none',
    ]);
  });
});
