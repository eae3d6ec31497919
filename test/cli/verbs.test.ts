// Each CLI verb on the bundled examples: print, dot (dot/svg/png), run, and --help everywhere.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSafetensors } from '../../src/io/safetensors.ts';
import { compareTensors } from '../../src/runtime/compare.ts';
import { ROOT, cli, lines } from './run-cli.ts';

const FX = `${ROOT}test/fixtures/seed000_mha_qkv_h2_d6`;

describe('opgraph verbs', () => {
  it.each(['print', 'dot', 'run', 'compile'])('%s --help prints its usage and exits 0', async (verb) => {
    const r = await cli([verb, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`opgraph ${verb} MODEL`);
  });

  it('--help lists the verbs', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/print\s+print the text IR/);
  });

  it('print writes the canonical IR of an example given by name', async () => {
    const r = await cli(['print', 'mha']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('input %0: f32[1,3,6] "query"');
    expect(r.stdout).toMatch(/%\d+: f32\[1,2,3,3\] = matmul %\d+ %\d+/);
    expect(r.stdout).toContain('output "output" = %');
  });

  it('print accepts a path', async () => {
    const r = await cli(['print', 'examples/self-attention.ts']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('weight %1: f32[4,4] "linear.weight"');
  });

  it('dot writes DOT, SVG and PNG by extension', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'opgraph-dot-'));
    for (const ext of ['dot', 'svg', 'png']) {
      const r = await cli(['dot', 'mha', '-o', join(dir, `g.${ext}`)]);
      expect(r.code, r.stderr).toBe(0);
    }
    expect(readFileSync(join(dir, 'g.dot'), 'utf8')).toMatch(/^digraph /);
    expect(readFileSync(join(dir, 'g.svg'), 'utf8')).toContain('<svg');
    expect([...readFileSync(join(dir, 'g.png')).subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
  });

  it('dot without -o prints DOT to stdout', async () => {
    const r = await cli(['dot', 'mha']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('f32[1,2,3,3]');
  });

  it('run reads inputs and weights and writes outputs matching PyTorch', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'opgraph-run-')), 'out.safetensors');
    const r = await cli(['run', 'mha', '--inputs', `${FX}.io.safetensors`, '--weights', `${FX}.weights.safetensors`, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(lines(r.stderr)).toEqual([`wrote 1 output(s) to ${out}`]);
    const got = parseSafetensors(readFileSync(out));
    const expected = parseSafetensors(readFileSync(`${FX}.io.safetensors`)).get('expected.output')!;
    expect([...got.keys()]).toEqual(['output']);
    expect(compareTensors(got.get('output')!, expected, 1e-4, 1e-5).ok).toBe(true);
  });

  it('run --backend ts matches PyTorch too', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'opgraph-run-')), 'out.safetensors');
    const r = await cli(['run', 'mha', '--backend', 'ts', '--inputs', `${FX}.io.safetensors`, '--weights', `${FX}.weights.safetensors`, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const got = parseSafetensors(readFileSync(out)).get('output')!;
    const expected = parseSafetensors(readFileSync(`${FX}.io.safetensors`)).get('expected.output')!;
    expect(compareTensors(got, expected, 1e-4, 1e-5).ok).toBe(true);
  });

  it('print -O2 runs the pipeline first', async () => {
    const r = await cli(['print', 'mha', '-O2']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('= gemm');
  });

  it('compile writes a standalone module with embedded weights for a tiny model', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'opgraph-compile-')), 'out');
    const r = await cli(['compile', 'mha', '--target', 'ts', '--out', dir, '--weights', `${FX}.weights.safetensors`]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/kernels, peak intermediate memory \d+ bytes, weights embedded/);
    expect(readdirSync(dir).sort()).toEqual(['README.md', 'model.ts']);
    const src = readFileSync(join(dir, 'model.ts'), 'utf8');
    expect(src).toContain('export const EMBEDDED_WEIGHTS');
    expect(src).toContain('export class Model');
  });

  it('compile writes the weights beside a large model', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'opgraph-compile-'));
    const r = await cli(['compile', 'mha-512', '--target', 'ts', '--out', dir, '-O1']);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['README.md', 'model.ts', 'model.weights.safetensors']);
    const weights = parseSafetensors(readFileSync(join(dir, 'model.weights.safetensors')));
    expect([...weights.keys()]).toContain('query_linear.weight');
  });
});
