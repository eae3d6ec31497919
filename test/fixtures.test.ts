// The interpreter against the seeds' real PyTorch outputs (fixtures made by scripts/fixtures/make_fixtures.py).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Graph } from '../src/ir/graph.ts';
import { readSafetensors } from '../src/io/safetensors.ts';
import { interpret } from '../src/runtime/interpreter.ts';
import { compareTensors } from '../src/runtime/compare.ts';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

interface Manifest {
  fixtures: { name: string; weights_file: string; io_file: string; outputs: { name: string; key: string }[] }[];
}
const manifest = JSON.parse(readFileSync(`${FIXTURES}manifest.json`, 'utf8')) as Manifest;

/** Which example declares the model of each fixture. */
const EXAMPLE_OF: Record<string, string> = {
  seed000_self_attention_shared: 'self-attention',
  seed000_mha_qkv_h2_d6: 'mha',
  seed000_mha_qkv_h8_d512: 'mha-512',
  seed001_self_attention_bmm: 'self-attention-bmm',
  seed001_mha_weights: 'mha-weights',
  seed003_embed_mha: 'embedding-mha',
  seed004_mhsa: 'mhsa-dim-in',
};

describe('interpreter matches PyTorch on the seed models', () => {
  it('covers every fixture', () => {
    expect(manifest.fixtures.map((f) => f.name).sort()).toEqual(Object.keys(EXAMPLE_OF).sort());
  });

  it.each(manifest.fixtures.map((f) => [f.name, f] as const))('%s', async (_name, fx) => {
    const mod = (await import(`../examples/${EXAMPLE_OF[fx.name]}.ts`)) as { default: () => Graph };
    const g = mod.default();
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
