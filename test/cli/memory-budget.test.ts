// The aggregate memory budget: a 200-byte ConstantOfShape([400000000]) + Add model imports without
// materialising the fill (the fold limit leaves it to run time), and run / print / compile, the
// API's compile() and interpret(), and loadOnnx refuse a graph whose plan exceeds maxMemoryBytes
// with one LimitError naming the sizes, before allocating any of it.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile.ts';
import { LimitError } from '../../src/errors.ts';
import { IRBuilder } from '../../src/ir/builder.ts';
import { tensor } from '../../src/ir/tensor.ts';
import { tensorType } from '../../src/ir/types.ts';
import { importOnnx, loadOnnx } from '../../src/io/onnx/import.ts';
import { encodeModel } from '../../src/io/onnx/schema.ts';
import { writeSafetensors } from '../../src/io/safetensors-file.ts';
import { interpret } from '../../src/runtime/interpreter.ts';
import { cli } from './run-cli.ts';

const N = 400_000_000;
const vi = (name: string, dims: number[]) => ({ name, type: { tensorType: { elemType: 1, shape: { dim: dims.map((d) => ({ dimValue: d })) } } } });

/** ConstantOfShape([N]) + x: each tensor under every per-tensor limit, 3.2 GB of plan in all. */
function fillModel(): Uint8Array {
  const shape = { name: 'shape', dims: [1], dataType: 7, int64Data: [N] };
  return encodeModel({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'fill',
      node: [
        { opType: 'ConstantOfShape', input: ['shape'], output: ['c'], name: 'fill', attribute: [] },
        { opType: 'Add', input: ['c', 'x'], output: ['y'], name: 'add', attribute: [] },
      ],
      input: [vi('x', [1])],
      output: [vi('y', [N])],
      initializer: [shape],
    },
  });
}

const SIZES = /^graph \"fill\": needs 3\.0 GiB \(3200000\d+ bytes: weights 0 bytes, constants \d+ bytes, inputs \d+ bytes, statics 1\.5 GiB, arena 0 bytes, outputs 1\.5 GiB\), over the limit maxMemoryBytes = 1\.0 GiB/;

describe('aggregate memory budget', () => {
  const bytes = fillModel();

  it('the model is tiny, and importing it materialises no fill (the expand stays a node)', () => {
    expect(bytes.length).toBeLessThan(300);
    const before = process.memoryUsage().arrayBuffers;
    const g = importOnnx(bytes, { maxMemoryBytes: 2 ** 40 });
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 << 20);
    expect(g.nodes.some((n) => n.op === 'expand' && n.outputs[0]!.type.shape[0] === N)).toBe(true);
    expect(g.nodes.every((n) => n.op !== 'constant' || n.attrs.value.data.length <= 1)).toBe(true);
  });

  it('loadOnnx / importOnnx with maxMemoryBytes refuse the plan, naming each part', async () => {
    expect(() => importOnnx(bytes, { maxMemoryBytes: 2 ** 30 })).toThrow(LimitError);
    expect(() => importOnnx(bytes, { maxMemoryBytes: 2 ** 30 })).toThrow(SIZES);
    await expect(loadOnnx(bytes, { maxMemoryBytes: 2 ** 30 })).rejects.toThrow(SIZES);
  });

  it('compile() and interpret() refuse it before allocating; the default budget is a fraction of os.totalmem()', async () => {
    const g = importOnnx(bytes, { maxMemoryBytes: 2 ** 40 });
    const before = process.memoryUsage().arrayBuffers;
    for (const target of ['ts', 'wasm'] as const) {
      await expect(compile(g, { target, maxMemoryBytes: 2 ** 30 })).rejects.toThrow(new RegExp(`graph "fill" on ${target}: needs 3\\.0 GiB`));
    }
    expect(() => interpret(g, { x: tensor('f32', [1], [1]) }, { maxMemoryBytes: 2 ** 30 })).toThrow(SIZES);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 << 20);
  });

  it('a chain of five 1.4 GB expands is refused as a whole though each tensor passes every per-tensor limit', async () => {
    const b = new IRBuilder('chain');
    let v = b.input('x', tensorType('f32', [1])).id;
    v = b.node('expand', { shape: [350_000_000] }, [v])[0]!.id;
    for (let k = 1; k < 5; k++) v = b.node('neg', {}, [v])[0]!.id;
    b.output('y', v);
    const g = b.finish();
    await expect(compile(g, { target: 'ts', maxMemoryBytes: 2 * 2 ** 30 })).rejects.toThrow(/graph "chain" on ts: needs 2\.6 GiB .*arena 1\.3 GiB, outputs 1\.3 GiB/);
  });

  it('opgraph run and print with --max-memory: one LimitError line, exit 1; bad sizes are usage errors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'opgraph-budget-'));
    const model = join(dir, 'fill.onnx');
    writeFileSync(model, bytes);
    const inputs = join(dir, 'in.safetensors');
    await writeSafetensors(inputs, { x: tensor('f32', [1], [2]) });
    for (const args of [['print', model, '--max-memory', '1G'], ['run', model, '--inputs', inputs, '--out', join(dir, 'o.safetensors'), '--max-memory', '1073741824'], ['compile', model, '--target', 'ts', '--out', join(dir, 'm'), '--max-memory', '1024M']]) {
      const r = await cli(args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/^opgraph: LimitError: .*needs 3\.0 GiB .*over the limit maxMemoryBytes = 1\.0 GiB/);
    }
    const bad = await cli(['print', model, '--max-memory', 'lots']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--max-memory "lots" is not a size in bytes/);
  });

  it('print with a budget that admits the plan prints the expand without materialising it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'opgraph-budget-'));
    const model = join(dir, 'fill.onnx');
    writeFileSync(model, bytes);
    const t0 = Date.now();
    const r = await cli(['print', model, '--max-memory', '4G']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/f32\[400000000\] = expand/);
    expect(Date.now() - t0).toBeLessThan(20_000);
  });
});
