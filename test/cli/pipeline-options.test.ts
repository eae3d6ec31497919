// The pipeline options on print and dot, whose default is -O0: --dot-after and --print-after name
// passes to watch, so without -O or --passes they run the full -O2 pipeline (`dot MODEL
// --dot-after all` draws every pass, not only shape inference); an explicit -O still wins.
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PIPELINES } from '../../passes/pipeline.ts';
import { cli, lines } from './run-cli.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'opgraph-pipeline-options-'));
/** The snapshot files of a pipeline: NN-PASS.svg in order. */
const snapshots = (level: 0 | 1 | 2) => PIPELINES[level].map((p, k) => `${String(k + 1).padStart(2, '0')}-${p.name}.svg`);

describe('--dot-after and --print-after', () => {
  it('dot --dot-after all draws every pass of -O2 when -O is not given, and the -O2 graph', async () => {
    const dir = tmp();
    const r = await cli(['dot', 'mha', '--dot-after', 'all', '--dot-dir', dir, '-o', join(dir, 'final.dot')]);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(dir).sort()).toEqual([...snapshots(2), 'final.dot'].sort());
    expect(lines(r.stderr)).toEqual([...snapshots(2), 'final.dot'].map((f) => `wrote ${join(dir, f)}`));
    for (const f of snapshots(2)) expect(readFileSync(join(dir, f), 'utf8')).toMatch(/^<\?xml|^<svg/);
    expect(readFileSync(join(dir, 'final.dot'), 'utf8')).toContain('attention');
  });

  it('an explicit -O picks the pipeline that is drawn', async () => {
    const dir = tmp();
    const r = await cli(['dot', 'mha', '-O1', '--dot-after', 'all', '--dot-dir', dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(snapshots(1).sort());
  });

  it('print --print-after PASS works without -O, and prints that pass and the -O2 result', async () => {
    const r = await cli(['print', 'mha', '--print-after', 'fuse-attention']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.match(/^\/\/ after .*$/gm)).toEqual(['// after fuse-attention']);
    expect(r.stdout).toMatch(/= attention /);
  });

  it('with -O0 given, a pass outside its pipeline is a usage error naming the pipeline', async () => {
    const r = await cli(['print', 'mha', '-O0', '--print-after', 'fuse-attention']);
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toEqual(['opgraph: UsageError: print: pass "fuse-attention" is not in this pipeline (shape-inference) (see opgraph print --help)']);
  });
});
