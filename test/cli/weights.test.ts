// --weights is strict (every weight of the graph, nothing else) unless --partial-weights, on run and compile.
import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serializeSafetensors } from '../../src/io/safetensors.ts';
import { readSafetensors } from '../../src/io/safetensors-file.ts';
import { ROOT, cli, lines } from './run-cli.ts';

const FX = `${ROOT}test/fixtures/seed000_mha_qkv_h2_d6`;
let dir = '';
const p = (name: string): string => join(dir, name);
const run = (weights: string, more: string[] = []) => ['run', 'mha', '--inputs', `${FX}.io.safetensors`, '--weights', weights, '--out', p('out.safetensors'), ...more];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'opgraph-weights-'));
  const good = await readSafetensors(`${FX}.weights.safetensors`);
  // A typo: query_linear.weight saved as query_linear.weigth.
  const typo = new Map([...good].map(([k, t]) => [k === 'query_linear.weight' ? 'query_linear.weigth' : k, t]));
  writeFileSync(p('typo.safetensors'), serializeSafetensors(typo));
  // A state_dict with one weight too few and one tensor the model does not have.
  const short = new Map([...good].filter(([k]) => k !== 'output_linear.bias'));
  short.set('extra.running_mean', good.get('output_linear.bias')!);
  writeFileSync(p('short.safetensors'), serializeSafetensors(short));
});

describe('strict --weights', () => {
  it('run: a misspelt key is one error with the closest weight name and the missing one, exit 1, nothing written', async () => {
    const r = await cli(run(p('typo.safetensors')));
    expect(r.code).toBe(1);
    expect(lines(r.stderr)).toEqual([
      `opgraph: BindingError: ${p('typo.safetensors')}: weights do not match the model: unknown "query_linear.weigth" (did you mean "query_linear.weight"?); missing "query_linear.weight" (--partial-weights loads them anyway)`,
    ]);
    expect(existsSync(p('out.safetensors'))).toBe(false);
  });

  it('run on every backend path checks the names (ts too)', async () => {
    const r = await cli(run(p('short.safetensors'), ['--backend', 'ts']));
    expect(r.code).toBe(1);
    expect(lines(r.stderr)).toEqual([expect.stringMatching(/weights do not match the model: unknown "extra\.running_mean" \(did you mean "[^"]+"\?\); missing "output_linear\.bias"/)]);
  });

  it('compile: the same error, and no files', async () => {
    const out = p('compiled');
    const r = await cli(['compile', 'mha', '--target', 'ts', '--out', out, '--weights', p('typo.safetensors')]);
    expect(r.code).toBe(1);
    expect(lines(r.stderr)).toEqual([expect.stringContaining('unknown "query_linear.weigth" (did you mean "query_linear.weight"?); missing "query_linear.weight"')]);
    expect(existsSync(join(out, 'model.ts'))).toBe(false);
  });

  it('--partial-weights runs, saying on one stderr line what was left unset and ignored', async () => {
    const r = await cli(run(p('short.safetensors'), ['--partial-weights']));
    expect(r.code, r.stderr).toBe(0);
    expect(lines(r.stderr)).toEqual([
      `opgraph: --partial-weights: ${p('short.safetensors')}: 1 weight(s) not in the file keep the model's values: "output_linear.bias"; 1 tensor(s) in the file name no weight and were ignored: "extra.running_mean"`,
      `wrote 1 output(s) to ${p('out.safetensors')}`,
    ]);
  });

  it('--partial-weights on compile writes the file’s weights where it has them', async () => {
    const out = p('partial');
    const r = await cli(['compile', 'mha', '--target', 'ts', '--out', out, '--weights', p('typo.safetensors'), '--partial-weights']);
    expect(r.code, r.stderr).toBe(0);
    expect(lines(r.stderr)).toEqual([expect.stringMatching(/^opgraph: --partial-weights: .*keep the model's values: "query_linear\.weight"; .*ignored: "query_linear\.weigth"$/)]);
    expect(readFileSync(join(out, 'model.ts'), 'utf8')).toContain('EMBEDDED_WEIGHTS');
  });

  it('an exact file is silent, and --partial-weights without --weights is a usage error', async () => {
    const r = await cli(run(`${FX}.weights.safetensors`, ['--partial-weights']));
    expect([r.code, lines(r.stderr)]).toEqual([0, [`wrote 1 output(s) to ${p('out.safetensors')}`]]);
    const u = await cli(['run', 'mha', '--inputs', `${FX}.io.safetensors`, '--out', p('out.safetensors'), '--partial-weights']);
    expect(u.code).toBe(2);
    expect(u.stderr).toContain('--partial-weights needs --weights');
  });
});
