// The session API (src/session.ts): metadata, typed-array and Tensor feeds on every CPU target
// against the interpreter, an ONNX fixture from bytes and from a path, and one clear error per
// bad feed (missing, unknown, wrong array type, wrong length) and for a run after dispose().
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { graph } from '../../src/api/index.ts';
import { BindingError, OpgraphError } from '../../src/errors.ts';
import { loadOnnx } from '../../src/io/onnx/import.ts';
import { readSafetensors } from '../../src/io/safetensors-file.ts';
import { f32 } from '../../src/ir/tensor.ts';
import { interpret } from '../../src/runtime/interpreter.ts';
import { load } from '../../src/session.ts';
import { expectAllClose } from '../codegen/helpers.ts';

const FIXTURE = new URL('../fixtures/seed000_mha_qkv_h2_d6', import.meta.url).pathname;
const g = graph('relu-add', (b) => b.input('x', [2, 3]).add(b.input('y', [2, 3])).relu());
const x = f32([2, 3], [1, -2, 3, -4, 5, -6]);
const y = f32([2, 3], [0.5, 0.5, -4, 1, 1, 1]);

describe('load() on a graph', () => {
  it.each(['interp', 'ts', 'wasm', 'auto'] as const)('%s: metadata, and typed arrays or Tensors as feeds, match the interpreter', async (target) => {
    const s = await load(g, { target });
    expect(s.inputs).toEqual([{ name: 'x', dtype: 'f32', shape: [2, 3] }, { name: 'y', dtype: 'f32', shape: [2, 3] }]);
    expect(s.outputs).toEqual([{ name: 'output', dtype: 'f32', shape: [2, 3] }]);
    const want = interpret(g, { x, y });
    expectAllClose(await s.run({ x: x.data, y }), want, 1e-6, 1e-7, target);
    s.dispose();
  });

  it('names the feed that is wrong', async () => {
    const s = await load(g, { target: 'interp' });
    await expect(s.run({ x: x.data })).rejects.toThrow(BindingError);
    await expect(s.run({ x: x.data })).rejects.toThrow('session.run: missing input "y": f32[2,3]');
    await expect(s.run({ x, y, z: y })).rejects.toThrow('session.run: no input named "z" (inputs: x, y)');
    await expect(s.run({ x: new Int32Array(6), y })).rejects.toThrow('session.run: input "x" is a Int32Array, f32[2,3] needs a Float32Array');
    await expect(s.run({ x: new Float32Array(5), y })).rejects.toThrow('session.run: input "x" has 5 elements, f32[2,3] has 6');
    s.dispose();
    await expect(s.run({ x, y })).rejects.toThrow(OpgraphError);
  });
});

describe('load() on an ONNX file', () => {
  it('from bytes and from a path: the same outputs as the interpreter on the imported graph', async () => {
    const io = await readSafetensors(`${FIXTURE}.io.safetensors`);
    const imported = await loadOnnx(`${FIXTURE}.onnx`);
    const feeds = Object.fromEntries(imported.inputs.map((i) => [i.name, io.get(i.name)!]));
    const want = interpret(imported, feeds);
    for (const src of [readFileSync(`${FIXTURE}.onnx`), `${FIXTURE}.onnx`]) {
      const s = await load(src, { target: 'ts' });
      expect(s.inputs.map((i) => i.name)).toEqual(['query', 'key', 'value']);
      expectAllClose(await s.run(feeds), want, 1e-5, 1e-6, typeof src);
      s.dispose();
    }
  });
});
