// The fixtures' models exported by torch.onnx.export (opset 17, scripts/fixtures/onnx_export.py), run
// on the interpreter, the TS and the wasm backend against the PyTorch outputs in each fixture's io
// file. The mask, decoder and importer fixtures are exported with dynamic batch and sequence dims:
// their sizes come from the inputs, as `opgraph run` takes them.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compile } from '../../../src/compile.ts';
import type { Tensor } from '../../../src/ir/tensor.ts';
import { loadOnnx } from '../../../src/io/onnx/import.ts';
import { readSafetensors } from '../../../src/io/safetensors-file.ts';
import { compareTensors } from '../../../src/runtime/compare.ts';
import { interpret } from '../../../src/runtime/interpreter.ts';
import { FIXTURES_DIR, fixtureManifest } from '../../example-graphs.ts';

/** Fixtures the export script leaves out: two with 4 MB of weights each. */
const NOT_EXPORTED = ['seed000_mha_qkv_h8_d512', 'seed003_embed_mha'];

describe('PyTorch ONNX exports', () => {
  const fixtures = fixtureManifest();
  it('exist for every fixture but the large ones', () => {
    const missing = fixtures.filter((f) => !existsSync(`${FIXTURES_DIR}${f.name}.onnx`)).map((f) => f.name);
    expect(missing.sort()).toEqual([...NOT_EXPORTED].sort());
  });
  for (const f of fixtures.filter((x) => !NOT_EXPORTED.includes(x.name))) {
    it(`${f.name} matches PyTorch on interp, ts and wasm`, async () => {
      const io = await readSafetensors(`${FIXTURES_DIR}${f.io_file}`);
      const shapes = Object.fromEntries(f.inputs.map((i) => [i.name, io.get(i.key)!.shape]));
      const g = await loadOnnx(`${FIXTURES_DIR}${f.name}.onnx`, { shapes });
      const inputs = new Map<string, Tensor>(g.inputs.map((i) => [i.name, io.get(i.name)!]));
      const ts = await compile(g, { target: 'ts' });
      const wasm = await compile(g, { target: 'wasm' });
      const runs = [['interp', interpret(g, inputs)], ['ts', ts.run(inputs)], ['wasm', wasm.run(inputs)]] as const;
      wasm.dispose();
      for (const [backend, out] of runs) {
        expect(Object.keys(out).sort()).toEqual(f.outputs.map((o) => o.name).sort());
        for (const o of f.outputs) {
          const cmp = compareTensors(out[o.name]!, io.get(o.key)!, 1e-4, 1e-5);
          expect(cmp.ok, `${backend} ${o.name}: ${cmp.reason}`).toBe(true);
        }
      }
    });
  }
});
