// The default aggregate memory budget: a fraction of the machine's memory (Node), or of what a
// page may use (a browser: navigator.deviceMemory, in GiB, else 4 GiB).
import { nodeModule } from '../host/node.ts';
import { LimitError } from '../errors.ts';

/**
 * The share of os.totalmem() a model may plan for by default. A quarter, because a run's real
 * peak is above its plan: outputs are copied out, and serialised again when written.
 */
export const MEMORY_FRACTION = 0.25;

/** The default maxMemoryBytes: MEMORY_FRACTION of this machine's memory. */
export function defaultMaxMemoryBytes(): number {
  const os = nodeModule('node:os');
  const gib = (globalThis as { navigator?: { deviceMemory?: number } }).navigator?.deviceMemory ?? 4;
  return Math.floor((os ? os.totalmem() : gib * 2 ** 30) * MEMORY_FRACTION);
}

/** `limit` if given (a non-negative integer), else the default. */
export function resolveMaxMemory(limit: number | undefined): number {
  if (limit === undefined) return defaultMaxMemoryBytes();
  if (!Number.isSafeInteger(limit) || limit < 0) throw new LimitError(`limit maxMemoryBytes must be a non-negative integer, got ${limit}`);
  return limit;
}
