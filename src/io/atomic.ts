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
  // The name is clipped so the temp name stays under NAME_MAX whenever the target's does.
  const stem = basename(path).slice(0, 64);
  const tmp = join(dirname(path), `.${stem}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, data, { flag: 'wx' });
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw e;
  }
}
