// The wasm loader as a standalone module and the binaries behind it: every example's loader
// type-checks under tsc --strict; hostile names never reach a binary (the bytes equal those of
// the same graph with plain names) and the hostile loader still runs like the interpreter; a
// model over wasm32's 4 GiB is refused at compile time.
import { describe, expect, it } from 'vitest';
import { PIPELINES, runPipeline } from '../../passes/pipeline.ts';
import { generateWasm } from '../../src/codegen/wasm/index.ts';
import { compile } from '../../src/compile.ts';
import { LimitError } from '../../src/errors.ts';
import { IRBuilder } from '../../src/ir/builder.ts';
import type { Graph } from '../../src/ir/graph.ts';
import { tensorType } from '../../src/ir/types.ts';
import { interpret } from '../../src/runtime/interpreter.ts';
import { EXAMPLE_NAMES, buildExample } from '../example-graphs.ts';
import { Rng, expectAllClose, randomInputs, typecheck } from '../codegen/helpers.ts';
import { benign, hostile } from '../codegen/hostile.ts';

const optimised = (g: Graph): Graph => runPipeline(g, PIPELINES[2]).graph;

describe('wasm loaders', () => {
  it('every example\'s loader passes tsc --strict (threaded and not, weights embedded or not)', { timeout: 240_000 }, async () => {
    const files: Record<string, string> = {};
    for (const name of EXAMPLE_NAMES) {
      const g = optimised(await buildExample(name));
      files[`${name}/model.ts`] = generateWasm(g).loader;
      files[`${name}-t2/model.ts`] = generateWasm(g, { threads: 2, inlineWeights: g.weights.every((w) => w.data) && g.weights.reduce((s, w) => s + w.data!.data.byteLength, 0) <= 16384 }).loader;
    }
    const r = typecheck(files);
    expect(r.output).toBe('');
    expect(r.status).toBe(0);
  });

  it('binaries carry no name from the model: hostile and plain names give identical bytes', () => {
    const h = generateWasm(optimised(hostile()), { threads: 2 });
    const b = generateWasm(optimised(benign()), { threads: 2 });
    expect(Buffer.from(h.binaries.relaxed).equals(Buffer.from(b.binaries.relaxed))).toBe(true);
    expect(Buffer.from(h.binaries.plain).equals(Buffer.from(b.binaries.plain))).toBe(true);
  });

  it('a hostile-named graph compiles and runs on wasm like the interpreter, outputs keyed by their exact names', async () => {
    const g = hostile();
    const inputs = randomInputs(g, new Rng(3));
    const m = await compile(g, { target: 'wasm', level: 2 });
    expectAllClose(m.run(inputs), interpret(g, inputs), 1e-5, 1e-6);
    const r = typecheck({ 'h/model.ts': m.source });
    expect(r.output).toBe('');
  });

  it('stages a weight that only a GEMM\'s prepare reads in the arena, and keeps one that a TS kernel also reads', async () => {
    const build = (alsoRead: boolean): Graph => {
      const b = new IRBuilder(`staged-${alsoRead}`);
      const x = b.input('x', tensorType('f32', [64, 32]));
      const w = b.weight('w', tensorType('f32', [32, 48]));
      const [y] = b.node('matmul', { transA: false, transB: false }, [x.id, w.id]);
      b.output('y', y!.id);
      if (alsoRead) b.output('w2', b.node('reduceSum', { axes: [], keepDims: false }, [w.id])[0]!.id);
      return b.finish();
    };
    for (const alsoRead of [false, true]) {
      const g = build(alsoRead);
      const p = generateWasm(optimised(g));
      const w = p.plan.storages.find((st) => st.kind === 'weight')!;
      // The arena comes after the outputs: a staged weight lies past every output.
      const outputsEnd = Math.max(...p.plan.storages.filter((st) => st.kind === 'output').map((st) => p.layout.address[st.id]!));
      expect(p.layout.stagedBytes, `alsoRead ${alsoRead}`).toBe(alsoRead ? 0 : 32 * 48 * 4);
      expect(p.layout.address[w.id]! > outputsEnd, `alsoRead ${alsoRead}`).toBe(!alsoRead);
      const rng = new Rng(9);
      const inputs = randomInputs(g, rng);
      const weights = { w: randomInputs({ ...g, inputs: g.weights }, rng)['w']! };
      const m = await compile(g, { target: 'wasm', weights });
      for (let run = 0; run < 2; run++) expectAllClose(m.run(inputs), interpret(g, inputs, { weights }), 1e-4, 1e-5, `run ${run}`);
    }
  });

  it('refuses a model over 4 GiB of linear memory at compile time, naming the sizes', () => {
    const b = new IRBuilder('huge');
    const x = b.input('x', tensorType('f32', [1 << 29, 2]));
    const [y] = b.node('relu', {}, [x.id]);
    b.output('y', y!.id);
    expect(() => generateWasm(b.finish())).toThrow(LimitError);
    expect(() => generateWasm(b.finish())).toThrow(/needs \d+ bytes of wasm memory.*4 GiB/);
  });
});
