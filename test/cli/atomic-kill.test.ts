// `opgraph compile` killed with SIGKILL at several points (as soon as it creates its first temp
// file, at its second, and at fixed fractions of a full run) never leaves a partial file under a
// final name: every model.ts, README.md and model.weights.safetensors present is byte-identical to
// a complete run's, and anything else in the directory is a hidden `.NAME.PID.HEX.tmp` temp file.
import { spawn } from 'node:child_process';
import { watch } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, cli } from './run-cli.ts';

const FINAL = ['README.md', 'model.ts', 'model.weights.safetensors'];
const TEMP = /^\.(README\.md|model\.ts|model\.weights\.safetensors)\.\d+\.[0-9a-f]{12}\.tmp$/;
const ARGS = ['compile', 'mha-512', '--target', 'ts'];

/** Runs compile into `dir` and SIGKILLs it at the `events`-th directory event, or after `ms`. */
function killedCompile(dir: string, at: { events: number } | { ms: number }): Promise<string | null> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [`${ROOT}bin/opgraph.mjs`, ...ARGS, '--out', dir], { stdio: 'ignore' });
    let seen = 0;
    const watcher = watch(dir, () => {
      if ('events' in at && ++seen === at.events) child.kill('SIGKILL');
    });
    const timer = 'ms' in at ? setTimeout(() => child.kill('SIGKILL'), at.ms) : undefined;
    child.on('exit', (_code, signal) => {
      watcher.close();
      clearTimeout(timer);
      resolve(signal);
    });
  });
}

describe('compile killed mid-way', () => {
  let base = '';
  let reference = new Map<string, Buffer>();
  let fullMs = 0;
  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'opgraph-kill-'));
    const t0 = performance.now();
    const r = await cli([...ARGS, '--out', join(base, 'complete')]);
    fullMs = performance.now() - t0;
    expect(r.code, r.stderr).toBe(0);
    reference = new Map(await Promise.all(FINAL.map(async (f) => [f, await readFile(join(base, 'complete', f))] as const)));
  }, 60_000);
  afterAll(() => rm(base, { recursive: true, force: true }));

  it('leaves only whole final files and hidden temp files, at every kill point', async () => {
    const points = [{ events: 1 }, { events: 2 }, { ms: fullMs * 0.5 }, { ms: fullMs * 0.9 }];
    const killed: (string | null)[] = [];
    for (const [k, at] of points.entries()) {
      const dir = join(base, `run${k}`);
      await rm(dir, { force: true, recursive: true });
      await mkdir(dir);
      killed.push(await killedCompile(dir, at));
      for (const name of await readdir(dir)) {
        if (TEMP.test(name)) continue;
        expect(FINAL, `unexpected file ${name}`).toContain(name);
        expect((await readFile(join(dir, name))).equals(reference.get(name)!), `${name} after kill point ${JSON.stringify(at)}`).toBe(true);
      }
    }
    // Half-way through a run is always before its writes (start-up and generation dominate).
    expect(killed[2]).toBe('SIGKILL');
  }, 120_000);
});
