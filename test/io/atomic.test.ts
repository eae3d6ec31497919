// writeFileAtomic: the target is replaced whole, and a failed write leaves nothing behind.
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { writeFileAtomic } from '../../src/io/atomic.ts';

/** When set, writeFile writes half of its data and then fails as a full disk would. */
const failure = { diskFull: false };

// opgraph asks the host for node:fs/promises (src/host/node.ts), so the failing writeFile goes in there.
const fs = await import('node:fs/promises');
const writeFileFailing: typeof fs.writeFile = async (path, data, options) => {
  if (!failure.diskFull) return fs.writeFile(path, data, options);
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : (data as Uint8Array);
  await fs.writeFile(path, bytes.subarray(0, bytes.length >> 1), options);
  throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
};
const builtin = process.getBuiltinModule.bind(process);
vi.spyOn(process, 'getBuiltinModule').mockImplementation(((id: string) => (id === 'node:fs/promises' ? { ...fs, writeFile: writeFileFailing } : builtin(id))) as typeof process.getBuiltinModule);

describe('writeFileAtomic', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'opgraph-atomic-'));
    failure.diskFull = false;
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes bytes and strings, replacing an existing target', async () => {
    const path = join(dir, 'out.bin');
    await writeFileAtomic(path, new Uint8Array([1, 2, 3]));
    expect([...(await readFile(path))]).toEqual([1, 2, 3]);
    await writeFileAtomic(path, 'héllo\n');
    expect(await readFile(path, 'utf8')).toBe('héllo\n');
    expect(await readdir(dir)).toEqual(['out.bin']);
  });

  it('leaves no temp file and the previous target untouched when the write fails midway', async () => {
    const path = join(dir, 'model.safetensors');
    await writeFile(path, 'previous contents');
    failure.diskFull = true;
    await expect(writeFileAtomic(path, new Uint8Array(1000).fill(7))).rejects.toThrow(/ENOSPC/);
    expect(await readdir(dir)).toEqual(['model.safetensors']);
    expect(await readFile(path, 'utf8')).toBe('previous contents');
  });

  it('leaves no temp file when the rename fails (the target is a directory)', async () => {
    const path = join(dir, 'taken');
    await mkdir(path);
    await writeFile(join(path, 'keep.txt'), 'k');
    await expect(writeFileAtomic(path, 'data')).rejects.toThrow();
    expect(await readdir(dir)).toEqual(['taken']);
    expect(await readdir(path)).toEqual(['keep.txt']);
  });

  it('fails without creating anything when the directory does not exist', async () => {
    await expect(writeFileAtomic(join(dir, 'no', 'such', 'x.txt'), 'data')).rejects.toThrow(/ENOENT/);
    expect(await readdir(dir)).toEqual([]);
  });

  it('keeps temp names unique for concurrent writes to one target', async () => {
    const path = join(dir, 'race.txt');
    await Promise.all(Array.from({ length: 8 }, (_, i) => writeFileAtomic(path, `writer ${i}`)));
    expect(await readdir(dir)).toEqual(['race.txt']);
    expect(await readFile(path, 'utf8')).toMatch(/^writer \d$/);
  });
});
