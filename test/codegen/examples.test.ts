// Every example model on each CPU backend (TS, wasm): compiled at -O0 and -O2 and compared with the
// interpreter on seeded random inputs (token ids drawn inside the embedding table), then the
// seeds' real PyTorch outputs (test/fixtures, as in test/fixtures.test.ts) through compile().run.
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile.ts';
import { getNumber } from '../../src/ir/tensor.ts';
import { readSafetensors } from '../../src/io/safetensors-file.ts';
import { EXAMPLE_NAMES, FIXTURES_DIR as FIXTURES, buildExample, fixtureExamples, fixtureManifest } from '../example-graphs.ts';
import { CPU_TARGETS, Rng, expectAllClose, expectMatchesInterpreter, indexBound, randomInputs } from './helpers.ts';


const manifest = { fixtures: fixtureManifest() };

/** Which example declares the model of each fixture (the mapping of test/fixtures.test.ts). */
const EXAMPLE_OF = await fixtureExamples();

describe.each(CPU_TARGETS)('example graphs on the %s backend match the interpreter', (target) => {
  it('there are examples to run', () => {
    expect(EXAMPLE_NAMES.length).toBeGreaterThanOrEqual(7);
  });

  describe.each(EXAMPLE_NAMES)('%s', (name) => {
    it.each([0, 1, 2] as const)('at level %d on random inputs', async (level) => {
      const g = await buildExample(name);
      const inputs = randomInputs(g, new Rng(0xc0de + level));
      for (const i of g.inputs) {
        const bound = indexBound(g, i.id);
        if (bound === undefined) continue;
        // Token ids span the table, so the lookup is exercised beyond row 0.
        const ids = Array.from({ length: inputs[i.name]!.data.length }, (_, k) => getNumber(inputs[i.name]!, k));
        expect(Math.min(...ids)).toBeGreaterThanOrEqual(0);
        expect(Math.max(...ids)).toBeLessThan(bound);
        expect(new Set(ids).size).toBeGreaterThan(1);
      }
      const model = await expectMatchesInterpreter(g, inputs, { level, target, what: `${name} -O${level} on ${target}` });
      expect(model.kernels).toBeGreaterThan(0);
      expect(model.graph.outputs.map((o) => o.name)).toEqual(g.outputs.map((o) => o.name));
    });
  });
});

describe.each(CPU_TARGETS)('the %s backend matches PyTorch on the seed models', (target) => {
  it('covers every fixture with an example', () => {
    expect(manifest.fixtures.map((f) => f.name).sort()).toEqual(Object.keys(EXAMPLE_OF).sort());
  });

  it.each(manifest.fixtures.map((f) => [f.name, f] as const))('%s', async (_name, fx) => {
    const g = await buildExample(EXAMPLE_OF[fx.name]!);
    const weights = await readSafetensors(`${FIXTURES}${fx.weights_file}`);
    const io = await readSafetensors(`${FIXTURES}${fx.io_file}`);
    expect(g.weights.map((w) => w.name).filter((n) => !weights.has(n))).toEqual([]);
    const model = await compile(g, { target, weights });
    const inputs = Object.fromEntries(g.inputs.map((i) => [i.name, io.get(i.name)!]));
    const want = Object.fromEntries(fx.outputs.map((o) => [o.name, io.get(o.key)!]));
    expectAllClose(model.run(inputs), want, 1e-4, 1e-5, fx.name);
  });
});
