// The default CPU target: `compile()` without a target, `run` without --backend and `compile`
// without --target pick wasm when some node has a wasm kernel and ts when none has, and say so.
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile, cpuTarget, graph } from '../../src/index.ts';
import { parseSafetensors } from '../../src/io/safetensors.ts';
import { compareTensors } from '../../src/runtime/compare.ts';
import { tensor } from '../../src/ir/tensor.ts';
import { ROOT, cli, lines } from './run-cli.ts';

const FX = `${ROOT}test/fixtures/seed000_mha_qkv_h2_d6`;

describe('the fastest CPU target by default', () => {
  const contraction = graph('mm', (g) => g.input('x', [8, 16]).matmul(g.input('w', [16, 8])));
  // A transpose alone has no wasm kernel (movement runs as a TS kernel in either backend).
  const movement = graph('t', (g) => g.input('x', [3, 5]).transpose(0, 1));

  it('compile() picks wasm for a contraction and ts for movement alone', async () => {
    expect(cpuTarget(contraction)).toBe('wasm');
    expect(cpuTarget(movement)).toBe('ts');
    expect(cpuTarget(movement, { threads: 2 })).toBe('wasm');
    const m = await compile(contraction);
    try {
      expect(m.target).toBe('wasm');
      expect(m.wasm?.program.kernels.size).toBe(1);
      const x = tensor('f32', [8, 16], Float32Array.from({ length: 128 }, (_, i) => (i % 7) - 3));
      const w = tensor('f32', [16, 8], Float32Array.from({ length: 128 }, (_, i) => (i % 5) - 2));
      const ts = await compile(contraction, { target: 'ts' });
      expect(ts.target).toBe('ts');
      const cmp = compareTensors(m.run({ x, w }).output!, ts.run({ x, w }).output!, 1e-6, 1e-6);
      expect(cmp.reason ?? 'ok').toBe('ok');
    } finally {
      m.dispose();
    }
    expect((await compile(movement)).target).toBe('ts');
  });

  it('run without --backend runs the fastest CPU backend and matches PyTorch', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'opgraph-auto-')), 'out.safetensors');
    const r = await cli(['run', 'mha', '--inputs', `${FX}.io.safetensors`, '--weights', `${FX}.weights.safetensors`, '--threads', '2', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const got = parseSafetensors(readFileSync(out)).get('output')!;
    const want = parseSafetensors(readFileSync(`${FX}.io.safetensors`)).get('expected.output')!;
    expect(compareTensors(got, want, 1e-4, 1e-5).reason ?? 'ok').toBe('ok');
  });

  it('compile without --target writes the wasm loader and says it chose wasm', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'opgraph-auto-'));
    const r = await cli(['compile', 'mha', '--out', dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(lines(r.stderr)).toEqual(['compile: --target auto chose wasm (some nodes have wasm kernels)']);
    expect(r.stdout).toMatch(/wasm kernels and \d+ TS kernels/);
    expect(readdirSync(dir).sort()).toEqual(['README.md', 'model.ts']);
  });

  it('--simd still needs the wasm backend or auto', async () => {
    const r = await cli(['run', 'mha', '--inputs', `${FX}.io.safetensors`, '--backend', 'ts', '--simd', 'plain', '--out', 'x.safetensors']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('run: --simd needs the wasm backend');
  });
});
