// The interpreter against the seeds' real PyTorch outputs (fixtures made by scripts/fixtures/make_fixtures.py).
import { describe, expect, it } from 'vitest';
import { FIXTURES_DIR as FIXTURES, buildExample, fixtureExamples, fixtureManifest } from './example-graphs.ts';
import { readSafetensors } from '../src/io/safetensors-file.ts';
import { interpret } from '../src/runtime/interpreter.ts';
import { compareTensors } from '../src/runtime/compare.ts';


const manifest = { fixtures: fixtureManifest() };

const EXAMPLE_OF = await fixtureExamples();

describe('interpreter matches PyTorch on the seed models', () => {
  it('covers every fixture', () => {
    expect(manifest.fixtures.map((f) => f.name).sort()).toEqual(Object.keys(EXAMPLE_OF).sort());
  });

  it.each(manifest.fixtures.map((f) => [f.name, f] as const))('%s', async (_name, fx) => {
    const g = await buildExample(EXAMPLE_OF[fx.name]!);
    const weights = await readSafetensors(`${FIXTURES}${fx.weights_file}`);
    const io = await readSafetensors(`${FIXTURES}${fx.io_file}`);
    // Every graph weight must come from the PyTorch state_dict, by name.
    expect(g.weights.map((w) => w.name).filter((n) => !weights.has(n))).toEqual([]);
    const outputs = interpret(g, io, { weights, ignoreExtraInputs: true });
    expect(Object.keys(outputs).sort()).toEqual(fx.outputs.map((o) => o.name).sort());
    for (const o of fx.outputs) {
      const cmp = compareTensors(outputs[o.name]!, io.get(o.key)!, 1e-4, 1e-5);
      expect(cmp.reason ?? 'ok', o.name).toBe('ok');
    }
  });
});
