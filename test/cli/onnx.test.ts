// The CLI on ONNX: every verb reads .onnx files; test-onnx reports each case and the totals.
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSafetensors } from '../../src/io/safetensors-file.ts';
import { encodeModel } from '../../src/io/onnx/schema.ts';
import { ROOT, cli, lines } from './run-cli.ts';

const CASES = resolve(ROOT, '../shared/onnx-node');
const FIXTURE = `${ROOT}test/fixtures/seed001_lstm.onnx`;

describe('opgraph on .onnx files', () => {
  it('print, dot, passes and compile read an ONNX model', async () => {
    const printed = await cli(['print', FIXTURE]);
    expect(printed.code).toBe(0);
    expect(printed.stdout).toMatch(/= lstm /);
    const dot = await cli(['dot', FIXTURE]);
    expect(dot.code).toBe(0);
    expect(dot.stdout).toMatch(/^digraph/);
    const passes = await cli(['passes', FIXTURE]);
    expect(passes.code).toBe(0);
    const out = mkdtempSync(join(tmpdir(), 'onnx-cli-'));
    const compiled = await cli(['compile', FIXTURE, '--target', 'ts', '--out', out]);
    expect(compiled.code, compiled.stderr).toBe(0);
  });

  it('run executes an ONNX model on both backends', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'onnx-run-'));
    const io = await readSafetensors(`${ROOT}test/fixtures/seed001_lstm.io.safetensors`);
    for (const backend of ['interp', 'ts']) {
      const r = await cli(['run', FIXTURE, '--inputs', `${ROOT}test/fixtures/seed001_lstm.io.safetensors`, '--backend', backend, '--out', join(dir, `${backend}.safetensors`)]);
      expect(r.code, r.stderr).toBe(0);
      const got = await readSafetensors(join(dir, `${backend}.safetensors`));
      const [name] = [...got.keys()];
      const want = io.get(`expected.${name}`)!;
      const diff = Math.max(...Array.from(got.get(name!)!.data as Float32Array, (v, i) => Math.abs(v - (want.data as Float32Array)[i]!)));
      expect(diff).toBeLessThan(1e-5);
    }
  });

  // PyTorch exports with dynamic_axes (scripts/fixtures/import_models.py, decoder_models.py).
  it.each([
    ['gpt2_block', ['--dim', 'batch=2', '--dim', 'seq=6']],
    ['torch_transformer', ['--dim', 'S=6', '--dim', 'T=5', '--dim', 'batch=2']],
    ['torch_mha_bias_kv', ['--shape', 'x=4,2,8']],
  ])('%s (dynamic axes): run takes the sizes from --inputs and matches PyTorch; compile needs --dim or --shape', async (name, sizes) => {
    const dir = mkdtempSync(join(tmpdir(), 'onnx-dynamic-'));
    const model = `${ROOT}test/fixtures/${name}.onnx`;
    const ioFile = `${ROOT}test/fixtures/${name}.io.safetensors`;
    const r = await cli(['run', model, '--inputs', ioFile, '--out', join(dir, 'out.safetensors')]);
    expect(r.code, r.stderr).toBe(0);
    const io = await readSafetensors(ioFile);
    const got = await readSafetensors(join(dir, 'out.safetensors'));
    expect(got.size).toBeGreaterThan(0);
    for (const [key, t] of got) {
      const want = io.get(`expected.${key}`)!;
      const diff = Math.max(...Array.from(t.data as Float32Array, (v, i) => Math.abs(v - (want.data as Float32Array)[i]!)));
      expect(diff, key).toBeLessThan(1e-4);
    }
    const unsized = await cli(['compile', model, '--out', join(dir, 'unsized')]);
    expect(unsized.code).toBe(1);
    expect(unsized.stderr).toMatch(/input size\(s\) unknown.*give --dim \w+=N/);
    const sized = await cli(['compile', model, ...sizes, '--out', join(dir, 'sized')]);
    expect(sized.code, sized.stderr).toBe(0);
  });

  it('a bad ONNX file is one line naming the problem, exit 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'onnx-bad-'));
    writeFileSync(join(dir, 'bad.onnx'), new Uint8Array([0x0a, 0xff, 0xff, 0x03]));
    const r = await cli(['print', join(dir, 'bad.onnx')]);
    expect(r.code).toBe(1);
    expect(lines(r.stderr)).toEqual([expect.stringMatching(/^opgraph: OnnxError: bad\.onnx: not a valid ONNX model/)]);
  });
});

describe('opgraph test-onnx', () => {
  it('reports passed, failed and unsupported cases and the totals, exit 1 on a failure', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'onnx-cases-'));
    // A case whose expected output is another op's: test_add's model and inputs, test_sub's output.
    const wrong = join(dir, 'wrong_add');
    mkdirSync(join(wrong, 'test_data_set_0'), { recursive: true });
    copyFileSync(join(CASES, 'test_add/model.onnx'), join(wrong, 'model.onnx'));
    for (const f of ['input_0.pb', 'input_1.pb']) copyFileSync(join(CASES, 'test_add/test_data_set_0', f), join(wrong, 'test_data_set_0', f));
    copyFileSync(join(CASES, 'test_sub/test_data_set_0/output_0.pb'), join(wrong, 'test_data_set_0/output_0.pb'));
    // A case with an op opgraph does not know.
    const odd = join(dir, 'odd_op');
    mkdirSync(join(odd, 'test_data_set_0'), { recursive: true });
    const v = (name: string) => ({ name, type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 2 }] } } } });
    writeFileSync(join(odd, 'model.onnx'), encodeModel({ irVersion: 8, opsetImport: [{ domain: '', version: 17 }], graph: { name: 'g', node: [{ opType: 'Frobnicate', input: ['x'], output: ['y'], name: 'f' }], input: [v('x')], output: [v('y')] } }));
    const r = await cli(['test-onnx', join(CASES, 'test_add'), wrong, odd]);
    expect(r.code).toBe(1);
    const out = lines(r.stdout);
    expect(out[0]).toBe('passed test_add');
    expect(out[1]).toMatch(/^failed wrong_add: test_data_set_0 output "sum": max \|diff\| [\d.e+-]+ at \[\d+,\d+,\d+\]$/);
    expect(out[2]).toMatch(/^unsupported odd_op: node "f" \(Frobnicate\): op Frobnicate is not supported$/);
    expect(out[3]).toBe('1 passed, 1 failed, 1 skipped');
    const ok = await cli(['test-onnx', join(CASES, 'test_relu'), '--backend', 'ts']);
    expect([ok.code, lines(ok.stdout).at(-1)]).toEqual([0, '1 passed, 0 failed, 0 skipped']);
  });

  it('rejects an unknown backend as a usage error', async () => {
    const r = await cli(['test-onnx', join(CASES, 'test_add'), '--backend', 'cuda']);
    expect(r.code).toBe(2);
  });
});
