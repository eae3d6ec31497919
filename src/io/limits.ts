// Resource bounds for everything opgraph reads from files it did not write: a loader checks each
// count and size against these before it allocates, and refuses with a typed error that names the
// limit and how to raise it. Defaults are documented in docs/security.md.
import { LimitError } from '../errors.ts';
import type { Graph } from '../ir/graph.ts';
import { MAX_ELEMENTS } from '../ops/util.ts';

/** Bounds a loader enforces on untrusted input. Every field is optional in options; see DEFAULT_LIMITS. */
export interface LoadLimits {
  /** Largest file read, in bytes. */
  readonly maxFileBytes: number;
  /** Largest safetensors JSON header, in bytes. */
  readonly maxHeaderBytes: number;
  /** Most tensors in one file. */
  readonly maxTensors: number;
  /** Most elements in one tensor (never above MAX_ELEMENTS, the typed-array bound). */
  readonly maxTensorElements: number;
  /** Highest tensor rank. */
  readonly maxRank: number;
  /** Most nodes in one graph. */
  readonly maxNodes: number;
}

/** The defaults: generous for real models, small enough that a lying file fails fast. */
export const DEFAULT_LIMITS: LoadLimits = Object.freeze({
  maxFileBytes: 2 ** 31 - 1, // Node's readFile refuses more anyway; this says so clearly
  maxHeaderBytes: 100 * 1024 * 1024, // the reference safetensors implementation's bound
  maxTensors: 1_000_000,
  maxTensorElements: MAX_ELEMENTS,
  maxRank: 64,
  maxNodes: 1_000_000,
});

/** DEFAULT_LIMITS with the given fields overridden. */
export function resolveLimits(partial: Partial<LoadLimits> = {}): LoadLimits {
  const limits: { -readonly [K in keyof LoadLimits]: number } = { ...DEFAULT_LIMITS };
  for (const [k, v] of Object.entries(partial) as [keyof LoadLimits, number | undefined][]) {
    if (v === undefined) continue;
    if (!Number.isSafeInteger(v) || v < 0) throw new LimitError(`limit ${k} must be a non-negative integer, got ${v}`);
    limits[k] = k === 'maxTensorElements' ? Math.min(v, MAX_ELEMENTS) : v;
  }
  return limits;
}

/** Throws a LimitError naming `what` when `n` exceeds limit `key`. */
export function checkLimit<L extends LoadLimits>(limits: L, key: keyof L & string, n: number, what: string): void {
  if (n > (limits[key] as number)) throw new LimitError(`${what}: ${n} exceeds the limit ${key} = ${limits[key]}`);
}

/** Checks a loaded graph against the graph bounds (node count, every value's rank). */
export function checkGraphLimits(g: Graph, limits: LoadLimits = DEFAULT_LIMITS): void {
  const where = `graph ${JSON.stringify(g.name)}`;
  checkLimit(limits, 'maxNodes', g.nodes.length, `${where} node count`);
  const values = [...g.inputs, ...g.weights, ...g.nodes.flatMap((n) => n.outputs)];
  for (const v of values) checkLimit(limits, 'maxRank', v.type.shape.length, `${where} value %${v.id} rank`);
}
