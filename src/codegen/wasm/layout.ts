// The wasm backend's linear memory: every buffer of the memory plan, and every node's prepared
// data, at a fixed byte address of one WebAssembly.Memory, so kernels take no pointers.
//
//   [0, 16)            unused (address 0 stays free)
//   control            the worker pool's words, 20 bytes a thread (threaded models only)
//   weights            copied in at create
//   prepared           per node, filled once at create (packed weight panels)
//   constants          copied in at create from the loader's literals
//   statics            computed once at create
//   inputs             copied in at every run
//   outputs            copied out at every run
//   arena              intermediates and kernel scratch, as the plan overlaps them; at create,
//                      also the staged weights and static values that only a prepare reads
//                      (staging.ts), which need no bytes of their own after that
//
// The memory is sized once (maximum = initial), so typed-array views never detach. A model over
// wasm32's 4 GiB is refused at compile time.
import { LimitError } from '../../errors.ts';
import type { Node } from '../../ir/graph.ts';
import { type MemoryPlan, type StorageKind, TYPED_ARRAY_LAYOUT, storageBytes } from '../plan.ts';
import type { Staging } from './staging.ts';

/** Bytes of a wasm page. */
export const PAGE_BYTES = 65536;

/** wasm32 addresses end at 4 GiB (65536 pages). */
export const MAX_PAGES = 65536;

/** Byte alignment of every region. */
export const ALIGN = 16;

/** Where everything lives. */
export interface WasmLayout {
  /** Absolute byte address of each storage of the plan, by storage id. */
  readonly address: readonly number[];
  /** Address of the worker pool's control block (threaded models). */
  readonly control: number;
  /** Address and size of each node's prepared data. */
  readonly prepared: ReadonlyMap<Node, { readonly address: number; readonly bytes: number }>;
  /** Bytes of weights and static values staged in the arena (no copy kept after create). */
  readonly stagedBytes: number;
  /** Total bytes, and the memory's size in pages. */
  readonly bytes: number;
  readonly pages: number;
}

const ORDER: readonly (StorageKind | 'prepared')[] = ['weight', 'prepared', 'constant', 'static', 'input', 'output', 'arena'];

const align = (n: number): number => Math.ceil(n / ALIGN) * ALIGN;

/** Lays out `plan` and the prepared regions (bytes per node) in one memory. */
export function layoutMemory(plan: MemoryPlan, prepared: ReadonlyMap<Node, number>, what: string, threads = 1, staging: Staging = { staged: new Set(), floor: 0 }): WasmLayout {
  const address: number[] = new Array<number>(plan.storages.length).fill(-1);
  const preparedAt = new Map<Node, { address: number; bytes: number }>();
  const control = ALIGN;
  let top = control + (threads > 1 ? align(20 * threads) : 0);
  for (const region of ORDER) {
    if (region === 'prepared') {
      for (const [node, bytes] of prepared) {
        preparedAt.set(node, { address: top, bytes });
        top += align(bytes);
      }
      continue;
    }
    if (region === 'arena') {
      for (const s of plan.storages) if (s.kind === 'arena') address[s.id] = top + s.offset;
      let staged = align(staging.floor);
      for (const s of plan.storages) {
        if (!staging.staged.has(s.id)) continue;
        address[s.id] = top + staged;
        staged += storageBytes(s, TYPED_ARRAY_LAYOUT);
      }
      top += align(Math.max(plan.arenaBytes, staged));
      continue;
    }
    for (const s of plan.storages) {
      if (s.kind !== region || staging.staged.has(s.id)) continue;
      address[s.id] = top;
      top += storageBytes(s, TYPED_ARRAY_LAYOUT);
    }
  }
  const pages = Math.max(1, Math.ceil(top / PAGE_BYTES));
  if (pages > MAX_PAGES) {
    throw new LimitError(`${what} needs ${top} bytes of wasm memory (weights, prepared panels, constants, inputs, outputs and ${plan.arenaBytes} bytes of intermediates); wasm32 addresses at most 4 GiB`);
  }
  let stagedBytes = 0;
  for (const id of staging.staged) stagedBytes += storageBytes(plan.storages[id]!, TYPED_ARRAY_LAYOUT);
  return { address, control, prepared: preparedAt, stagedBytes, bytes: top, pages };
}
