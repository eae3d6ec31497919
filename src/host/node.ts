// Node's built-in modules, asked of the host at run time instead of imported: a static `node:`
// import keeps a module out of every browser bundle, so the compiler core (API, IR, passes,
// planner, emitters, ONNX import from bytes) reaches Node only through here. In Node (20.16 and
// later: process.getBuiltinModule) each call returns the module; in a browser or a worker it
// returns undefined, and `nodeOnly` turns that into one error saying what needs Node.
import { NodeOnlyError } from '../errors.ts';

/** The built-ins opgraph's core may use, by specifier. */
interface Builtins {
  'node:crypto': typeof import('node:crypto');
  'node:fs': typeof import('node:fs');
  'node:fs/promises': typeof import('node:fs/promises');
  'node:module': typeof import('node:module');
  'node:os': typeof import('node:os');
  'node:path': typeof import('node:path');
  'node:url': typeof import('node:url');
  'node:v8': typeof import('node:v8');
}

type Host = { process?: { getBuiltinModule?: (id: string) => unknown } };

/** The built-in module `id` where the host is Node, else undefined. */
export function nodeModule<K extends keyof Builtins>(id: K): Builtins[K] | undefined {
  return (globalThis as Host).process?.getBuiltinModule?.(id) as Builtins[K] | undefined;
}

/** The built-in module `id`, or a NodeOnlyError naming `what` needs it and what to do instead. */
export function nodeOnly<K extends keyof Builtins>(id: K, what: string, instead: string): Builtins[K] {
  const m = nodeModule(id);
  if (!m) throw new NodeOnlyError(`${what} needs Node (${id}, Node 20.16 or later); ${instead}`);
  return m;
}

/** The last segment of a path (`/` or `\` separated), as path.basename gives it. */
export function baseName(path: string): string {
  return path.replace(/[\\/]+$/, '').split(/[\\/]/).pop() ?? path;
}
