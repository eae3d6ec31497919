// Finding the user's line: the first stack frame outside opgraph's own sources.
import { fileURLToPath } from 'node:url';
import { dirname, relative, sep } from 'node:path';

const SRC_DIR = dirname(dirname(fileURLToPath(import.meta.url))) + sep;

/**
 * `examples/mha.ts:14:7` for the innermost caller outside src/, or undefined when none is found
 * within `frames` stack frames (layers nest deeply, so recording every node's site looks further).
 */
export function userCallSite(frames?: number): string | undefined {
  const limit = Error.stackTraceLimit;
  if (frames !== undefined) Error.stackTraceLimit = frames;
  const stack = new Error().stack?.split('\n').slice(1) ?? [];
  Error.stackTraceLimit = limit;
  for (const line of stack) {
    const m = /\(?((?:file:\/\/)?\/[^():]+):(\d+):(\d+)\)?\s*$/.exec(line.trim());
    if (!m) continue;
    const file = m[1]!.startsWith('file://') ? fileURLToPath(m[1]!) : m[1]!;
    if (file.startsWith(SRC_DIR) || file.includes(`${sep}node_modules${sep}`) || file.startsWith('node:')) continue;
    const rel = relative(process.cwd(), file);
    return `${rel.startsWith('..') ? file : rel}:${m[2]}:${m[3]}`;
  }
  return undefined;
}
