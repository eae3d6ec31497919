// Atomic file writes: every output goes to a temp file beside the target, then is renamed over it,
// so a crash or a failed write never leaves a half-written file behind.
import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Writes `data` to `path` atomically: to a uniquely named temp file in the same directory, then a
 * rename over the target. On any failure the temp file is removed and the error rethrown; a
 * previous target is left untouched.
 */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  await writeFilesAtomic([[path, data]]);
}

/**
 * Writes several files that belong together (a generated module and its weights): every temp file
 * first, then the renames, so a failure or a kill while writing leaves every target as it was.
 * Each target is whole; only a kill between two renames can mix old and new files.
 */
export async function writeFilesAtomic(files: readonly (readonly [string, Uint8Array | string])[]): Promise<void> {
  const temps: string[] = [];
  try {
    for (const [path, data] of files) {
      const tmp = tempName(path);
      temps.push(tmp);
      await writeFile(tmp, data, { flag: 'wx' });
    }
    for (const [k, [path]] of files.entries()) await rename(temps[k]!, path);
  } catch (e) {
    await Promise.all(temps.map((t) => rm(t, { force: true }).catch(() => undefined)));
    throw e;
  }
}

/** A unique hidden name beside `path`, clipped so it stays under NAME_MAX whenever the target's does. */
function tempName(path: string): string {
  const stem = basename(path).slice(0, 64);
  return join(dirname(path), `.${stem}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}
