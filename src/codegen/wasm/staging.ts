// Which buffers need no copy of their own once the model is created: a weight or static value
// whose every reader is a wasm kernel that consumes it into its prepared data (a GEMM's B,
// packed into panels). Such a buffer is only read by `prepare` functions at create, so the layout
// stages it in the arena, which holds nothing until the first run. It goes above the scratch of
// the static kernels (the only arena users at create), so running those cannot clobber it before
// its prepare reads it.
import type { Graph, Node } from '../../ir/graph.ts';
import type { OpKind } from '../../ops/attrs.ts';
import { type MemoryPlan, TYPED_ARRAY_LAYOUT, storageBytes } from '../plan.ts';
import type { WasmKernelFamily, WasmNodeInfo } from './kernel.ts';

/** The staged storages, and the arena offset at or above which they may go. */
export interface Staging {
  readonly staged: ReadonlySet<number>;
  readonly floor: number;
}

/** Finds the storages that only prepare functions read, given the nodes that run in wasm. */
export function stagedStorages(
  g: Graph,
  plan: MemoryPlan,
  chosen: ReadonlyMap<Node, { readonly family: WasmKernelFamily<OpKind>; readonly info: WasmNodeInfo<OpKind> }>,
): Staging {
  const consumed = new Set<number>();
  const readAtRun = new Set<number>();
  for (const n of g.nodes) {
    if (n.op === 'constant' || plan.views.has(n)) continue;
    const c = chosen.get(n);
    const eaten = new Set(c?.family.consumes?.(c.info) ?? []);
    n.inputs.forEach((v, i) => (eaten.has(i) ? consumed : readAtRun).add(plan.storageOf.get(v)!));
  }
  for (const copy of plan.copies) readAtRun.add(copy.from);
  const staged = new Set<number>();
  for (const id of consumed) {
    const s = plan.storages[id]!;
    if ((s.kind === 'weight' || s.kind === 'static') && !readAtRun.has(id)) staged.add(id);
  }
  let floor = 0;
  for (const n of plan.statics) {
    const sc = plan.scratch.get(n);
    if (sc === undefined) continue;
    const s = plan.storages[sc]!;
    floor = Math.max(floor, s.offset + storageBytes(s, TYPED_ARRAY_LAYOUT));
  }
  return { staged, floor };
}
