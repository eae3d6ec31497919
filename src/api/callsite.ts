// Finding the user's line: the first stack frame outside opgraph's own sources. Node only (file
// paths in stack frames); in a browser there is no call site to name and nodes carry none.
import { nodeModule } from '../host/node.ts';

const url = nodeModule('node:url');
const path = nodeModule('node:path');
const SRC_DIR = url && path ? path.dirname(path.dirname(url.fileURLToPath(import.meta.url))) + path.sep : undefined;

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
  if (!url || !path || SRC_DIR === undefined) return undefined;
  const { relative, sep } = path;
  for (const line of e.stack?.split('\n').slice(1) ?? []) {
    const m = /\(?((?:file:\/\/)?\/[^():]+):(\d+):(\d+)\)?\s*$/.exec(line.trim());
    if (!m) continue;
    const file = m[1]!.startsWith('file://') ? url.fileURLToPath(m[1]!) : m[1]!;
    if (file.startsWith(SRC_DIR) || file.includes(`${sep}node_modules${sep}`) || file.startsWith('node:')) continue;
    const rel = relative(process.cwd(), file);
    return `${rel.startsWith('..') ? file : rel}:${m[2]}:${m[3]}`;
  }
  return undefined;
}
