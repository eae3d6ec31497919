// Atomic file writes: every output goes to a temp file beside the target, then is renamed over it,
// so a crash or a failed write never leaves a half-written file behind. A failure is an IOError
// naming the target (never the temp file) and the cause.
import { nodeOnly } from '../host/node.ts';
import { IOError } from '../errors.ts';

/**
 * Writes `data` to `path` atomically: to a uniquely named temp file in the same directory, then a
 * rename over the target. On any failure the temp file is removed and an IOError naming `path` is
 * thrown; a previous target is left untouched.
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
  const { rename, rm, writeFile } = nodeOnly('node:fs/promises', `writing ${JSON.stringify(files[0]?.[0] ?? '')}`, 'in a page, keep the bytes (serializeSafetensors)');
  const temps: string[] = [];
  let target = '';
  try {
    for (const [path, data] of files) {
      target = path;
      const tmp = tempName(path);
      temps.push(tmp);
      await writeFile(tmp, data, { flag: 'wx' });
    }
    for (const [k, [path]] of files.entries()) {
      target = path;
      await rename(temps[k]!, path);
    }
  } catch (e) {
    await Promise.all(temps.map((t) => rm(t, { force: true }).catch(() => undefined)));
    throw writeError(e, target);
  }
}

/** What each system error code of a failed write means, in words. */
const WRITE_CAUSES: Readonly<Record<string, string>> = {
  EFBIG: 'file too large (the file-size limit was reached)',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a directory',
  EROFS: 'read-only file system',
  ENOENT: 'no such directory',
  ENOTDIR: 'a parent is not a directory',
  ENAMETOOLONG: 'name too long',
  EIO: 'input/output error',
};

/** A failed write of `target` as an IOError naming it (a system error's code in words); other errors unchanged. */
export function writeError(e: unknown, target: string): unknown {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code !== 'string') return e;
  return new IOError(`cannot write ${JSON.stringify(target)}: ${WRITE_CAUSES[code] ?? code} (${code})`, { cause: e });
}

/** A unique hidden name beside `path`, clipped so it stays under NAME_MAX whenever the target's does. */
function tempName(path: string): string {
  const { basename, dirname, join } = nodeOnly('node:path', 'writing files', 'in a page, keep the bytes');
  const stem = basename(path).slice(0, 64);
  return join(dirname(path), `.${stem}.${process.pid}.${nodeOnly('node:crypto', 'writing files', 'in a page, keep the bytes').randomBytes(6).toString('hex')}.tmp`);
}
