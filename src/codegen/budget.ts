// The aggregate memory budget: what a compiled model holds, by kind, read off its memory plan
// before anything is allocated, and the check that refuses a graph over the limit. The limits
// bound one tensor each; this bounds the graph (a 200-byte model of chained 1.6 GB expands).
import { LimitError } from '../errors.ts';
import type { Graph } from '../ir/graph.ts';
import { type BufferLayout, type MemoryPlan, type StorageKind, TYPED_ARRAY_LAYOUT, planMemory, storageBytes } from './plan.ts';

/** Bytes a model holds, by kind (arena: intermediates and scratch; prepared: wasm weight panels). */
export interface MemoryUse {
  readonly weights: number;
  readonly constants: number;
  readonly inputs: number;
  readonly statics: number;
  readonly arena: number;
  readonly outputs: number;
  readonly prepared: number;
  readonly total: number;
}

/** The bytes of every buffer of `plan` under `layout`, plus `prepared` bytes (wasm panels). */
export function memoryUse(plan: MemoryPlan, layout: BufferLayout = TYPED_ARRAY_LAYOUT, prepared = 0): MemoryUse {
  const by: Record<StorageKind, number> = { input: 0, weight: 0, constant: 0, static: 0, output: 0, arena: 0 };
  for (const s of plan.storages) if (s.kind !== 'arena') by[s.kind] += storageBytes(s, layout);
  const use = { weights: by.weight, constants: by.constant, inputs: by.input, statics: by.static, arena: plan.arenaBytes, outputs: by.output, prepared };
  return { ...use, total: Object.values(use).reduce((a, b) => a + b, 0) };
}

/** Bytes in a short human form (`1.5 GiB`), exact below 1 KiB. */
export function formatBytes(n: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let k = 0;
  let v = n;
  while (v >= 1024 && k < units.length - 1) {
    v /= 1024;
    k++;
  }
  return k === 0 ? `${n} bytes` : `${v.toFixed(1)} ${units[k]}`;
}

/**
 * Throws a LimitError when `use` exceeds `limit` bytes, naming `what`, the total and each part:
 * `graph "g": needs 3.0 GiB (weights 0 bytes, constants 4 bytes, ..., arena 1.5 GiB, outputs 1.5 GiB), over the limit maxMemoryBytes = 1.0 GiB (--max-memory)`.
 */
export function checkMemoryBudget(use: MemoryUse, limit: number, what: string): void {
  if (use.total <= limit) return;
  const parts = (['weights', 'constants', 'inputs', 'statics', 'arena', 'outputs', 'prepared'] as const)
    .filter((k) => use[k] > 0 || k === 'weights' || k === 'arena' || k === 'outputs')
    .map((k) => `${k === 'prepared' ? 'prepared panels' : k} ${formatBytes(use[k])}`);
  throw new LimitError(`${what}: needs ${formatBytes(use.total)} (${use.total} bytes: ${parts.join(', ')}), over the limit maxMemoryBytes = ${formatBytes(limit)} (${limit} bytes; --max-memory or maxMemoryBytes to change)`);
}

/** Checks `g`'s memory plan (the TS layout: what the interpreter and the TS backend hold) against `limit`. */
export function checkGraphMemory(g: Graph, limit: number): MemoryUse {
  const use = memoryUse(planMemory(g));
  checkMemoryBudget(use, limit, `graph ${JSON.stringify(g.name)}`);
  return use;
}
