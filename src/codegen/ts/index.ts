// The TypeScript backend: graph (after passes) -> memory plan -> generated module source.
import type { Graph } from '../../ir/graph.ts';
import { type MemoryPlan, planMemory } from '../plan.ts';
import { emitModule } from './module.ts';
import { scratchNeed } from './kernels/index.ts';

/** A generated TS module. */
export interface TsModule {
  /** The module's source text (standalone: helpers are copied in). */
  readonly source: string;
  /** Its memory plan; `arenaBytes` is the peak intermediate memory. */
  readonly plan: MemoryPlan;
  /** True when the weights are embedded in the source. */
  readonly inlineWeights: boolean;
}

/** Weights at most this many bytes in all are embedded in the module rather than written beside it. */
export const INLINE_WEIGHT_BYTES = 16 * 1024;

/**
 * Generates the TS module of `graph`. Weights are inlined when `inlineWeights` is set (they need
 * data); `simple` emits plain loop kernels (-O0) instead of register-blocked ones; `observe` reports
 * every kernel to an observer (see ModuleOptions).
 */
export function generateTs(graph: Graph, opts: { inlineWeights?: boolean; simple?: boolean; observe?: boolean } = {}): TsModule {
  const simple = opts.simple ?? false;
  const plan = planMemory(graph, (n, inputs) => scratchNeed(n, inputs, simple));
  const inlineWeights = opts.inlineWeights ?? false;
  return { source: emitModule(graph, plan, { inlineWeights, simple, observe: opts.observe ?? false }), plan, inlineWeights };
}
