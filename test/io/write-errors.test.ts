// Write failures are IOErrors naming the target path (never the temp file), in process and on the CLI.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeError, writeFileAtomic } from '../../src/io/atomic.ts';
import { IOError } from '../../src/errors.ts';
import { describeError } from '../../src/cli/main.ts';
import { ROOT, cli } from '../cli/run-cli.ts';

describe('write failures', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'opgraph-write-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('a target that is a directory is an IOError naming the target, and leaves no temp file', async () => {
    const target = join(dir, 'out.safetensors');
    await mkdir(target);
    const err = await writeFileAtomic(target, 'x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IOError);
    expect((err as Error).message).toBe(`cannot write ${JSON.stringify(target)}: is a directory (EISDIR)`);
    expect((err as Error).message).not.toMatch(/\.tmp/);
    expect(await readdir(dir)).toEqual(['out.safetensors']);
  });

  it('the file-size limit (EFBIG) is an IOError naming the target, not an internal error', async () => {
    const target = join(dir, 'big.bin');
    const script = `import { writeFileAtomic } from ${JSON.stringify(`${ROOT}src/io/atomic.ts`)};
import { describeError } from ${JSON.stringify(`${ROOT}src/cli/main.ts`)};
try { await writeFileAtomic(${JSON.stringify(target)}, new Uint8Array(1 << 20)); console.log('wrote'); }
catch (e) { console.log(describeError(e)); }`;
    // ulimit -f counts 1024-byte blocks; Node ignores SIGXFSZ, so the write fails with EFBIG.
    const out = await new Promise<string>((resolve) => {
      execFile('bash', ['-c', `ulimit -f 64 && exec "${process.execPath}" --import tsx --input-type=module -e "$0"`, script], { cwd: ROOT }, (_e, stdout, stderr) => resolve(stdout + stderr));
    });
    expect(out.trim()).toBe(`IOError: cannot write ${JSON.stringify(target)}: file too large (the file-size limit was reached) (EFBIG)`);
    expect(await readdir(dir)).toEqual([]);
  });

  it.each([
    ['ENOSPC', 'no space left on device'],
    ['EACCES', 'permission denied'],
    ['EROFS', 'read-only file system'],
    ['EISDIR', 'is a directory'],
    ['EFBIG', 'file too large (the file-size limit was reached)'],
  ])('%s from the file system (on the temp file) names the target', (code, words) => {
    const sys = Object.assign(new Error(`${code}: failed, open '/d/.out.1.ab.tmp'`), { code, path: '/d/.out.1.ab.tmp' });
    const e = writeError(sys, '/d/out');
    expect(e).toBeInstanceOf(IOError);
    expect(describeError(e)).toBe(`IOError: cannot write "/d/out": ${words} (${code})`);
  });

  it('opgraph run --out DIR (a directory) exits 1 with one IOError line naming DIR', async () => {
    const out = join(dir, 'outdir');
    await mkdir(out);
    const inputs = join(dir, 'in.safetensors');
    const { writeSafetensors } = await import('../../src/io/safetensors-file.ts');
    const { tensor } = await import('../../src/ir/tensor.ts');
    await writeSafetensors(inputs, { x: tensor('f32', [2, 3], [1, 2, 3, 4, 5, 6]) });
    const model = join(dir, 'relu.ts');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(model, `import { graph } from ${JSON.stringify(`${ROOT}src/index.ts`)};\nexport default graph('relu', (g) => ({ y: g.input('x', [2, 3]).relu() }));\n`);
    const r = await cli(['run', model, '--inputs', inputs, '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(`opgraph: IOError: cannot write ${JSON.stringify(out)}: is a directory (EISDIR)`);
  });
});
