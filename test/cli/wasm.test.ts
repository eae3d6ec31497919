// The wasm backend from the command line: run matches PyTorch's outputs, compile writes a
// standalone loader that imports and runs like the interpreter, train follows PyTorch's loss,
// and its options are checked (usage errors, exit 2).
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSafetensors } from '../../src/io/safetensors.ts';
import { compareTensors } from '../../src/runtime/compare.ts';
import { ROOT, cli, lines } from './run-cli.ts';

const FX = `${ROOT}test/fixtures/seed000_mha_qkv_h2_d6`;

describe('opgraph with --backend / --target wasm', () => {
  it('run --backend wasm matches PyTorch, with each SIMD level and two threads', async () => {
    const io = parseSafetensors(readFileSync(`${FX}.io.safetensors`));
    const manifest = JSON.parse(readFileSync(`${ROOT}test/fixtures/manifest.json`, 'utf8')) as { fixtures: { name: string; outputs: { name: string; key: string }[] }[] };
    const outputs = manifest.fixtures.find((f) => f.name === 'seed000_mha_qkv_h2_d6')!.outputs;
    for (const extra of [[], ['--simd', 'plain'], ['--simd', 'relaxed', '--threads', '2']]) {
      const out = join(mkdtempSync(join(tmpdir(), 'opgraph-wasm-')), 'out.safetensors');
      const r = await cli(['run', 'mha', '--inputs', `${FX}.io.safetensors`, '--weights', `${FX}.weights.safetensors`, '--backend', 'wasm', ...extra, '--out', out]);
      expect(r.code, r.stderr).toBe(0);
      const got = parseSafetensors(readFileSync(out));
      expect(outputs.length).toBeGreaterThan(0);
      for (const o of outputs) {
        const cmp = compareTensors(got.get(o.name)!, io.get(o.key)!, 1e-4, 1e-5);
        expect(cmp.reason ?? 'ok', `${o.name} ${extra.join(' ')}`).toBe('ok');
      }
    }
  });

  it('compile --target wasm writes model.ts and README.md; the loader runs like the interpreter', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'opgraph-wasm-'));
    const r = await cli(['compile', 'mha', '--target', 'wasm', '--out', dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/wasm kernels and \d+ TS kernels, memory \d+ bytes/);
    expect(readdirSync(dir).sort()).toEqual(['README.md', 'model.ts']);
    const mod = (await import(join(dir, 'model.ts'))) as { create(): Promise<{ run(i: object): Record<string, Float32Array>; simd: string }>; INPUTS: Record<string, { shape: number[] }> };
    const m = await mod.create();
    expect(['relaxed', 'plain']).toContain(m.simd);
    const inputs = Object.fromEntries(Object.entries(mod.INPUTS).map(([k, t]) => [k, new Float32Array(t.shape.reduce((a, b) => a * b, 1)).fill(0.5)]));
    const out = m.run(inputs);
    expect(Object.values(out)[0]!.every(Number.isFinite)).toBe(true);
  });

  it('train --backend wasm follows PyTorch\'s loss', async () => {
    const T = `${ROOT}test/fixtures/training/rnn`;
    const torch = JSON.parse(readFileSync(`${T}.json`, 'utf8')) as { loss: number[] };
    const out = join(mkdtempSync(join(tmpdir(), 'opgraph-wasm-')), 'rnn.safetensors');
    const r = await cli(['train', 'train-rnn', '--backend', 'wasm', '--epochs', '3', '--init', `${T}.init.safetensors`, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    lines(r.stdout).forEach((line, e) => expect(Number(/loss (\S+)/.exec(line)![1])).toBeCloseTo(torch.loss[e]!, 5));
  });

  it.each([
    [['run', 'mha', '--inputs', `${FX}.io.safetensors`, '--backend', 'ts', '--threads', '2', '--out', '/tmp/x'], 'run: --threads needs the wasm backend'],
    [['run', 'mha', '--inputs', `${FX}.io.safetensors`, '--backend', 'wasm', '--simd', 'avx', '--out', '/tmp/x'], 'run: unknown --simd "avx" (available: relaxed, plain)'],
    [['run', 'mha', '--inputs', `${FX}.io.safetensors`, '--backend', 'wasm', '--threads', '0', '--out', '/tmp/x'], 'run: --threads must be an integer from 1 to 64, got "0"'],
    [['compile', 'mha', '--target', 'wasm', '--simd', 'plain', '--out', '/tmp/x'], 'compile: --simd is chosen when the module loads (create(weights, { simd })); both binaries are written'],
  ])('%j is a usage error', async (args, message) => {
    const r = await cli(args);
    expect(r.code).toBe(2);
    expect(lines(r.stderr)[0]).toContain(message);
  });
});
