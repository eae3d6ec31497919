// Finding the user's line: the first stack frame outside opgraph's own sources.
import { fileURLToPath } from 'node:url';
import { dirname, relative, sep } from 'node:path';

const SRC_DIR = dirname(dirname(fileURLToPath(import.meta.url))) + sep;

/** `examples/mha.ts:14:7` for the innermost caller outside src/, or undefined when none is found. */
export function userCallSite(): string | undefined {
  return siteOf(new Error());
}

/**
 * The stack here, `frames` deep (layers nest deeply, so recording every node's site looks
 * further than an error does), for siteOf to read later: V8 formats a stack only when it is read.
 */
export function captureStack(frames: number): Error {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = frames;
  const e = new Error();
  Error.stackTraceLimit = limit;
  return e;
}

/** The innermost frame of `e`'s stack outside src/ and node_modules, as `file:line:column`. */
export function siteOf(e: Error): string | undefined {
  for (const line of e.stack?.split('\n').slice(1) ?? []) {
    const m = /\(?((?:file:\/\/)?\/[^():]+):(\d+):(\d+)\)?\s*$/.exec(line.trim());
    if (!m) continue;
    const file = m[1]!.startsWith('file://') ? fileURLToPath(m[1]!) : m[1]!;
    if (file.startsWith(SRC_DIR) || file.includes(`${sep}node_modules${sep}`) || file.startsWith('node:')) continue;
    const rel = relative(process.cwd(), file);
    return `${rel.startsWith('..') ? file : rel}:${m[2]}:${m[3]}`;
  }
  return undefined;
}
