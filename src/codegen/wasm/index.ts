// The wasm backend: graph (after passes) -> which nodes get a wasm kernel (the families that
// accept them, if the cost model agrees) -> memory plan -> one linear-memory layout -> two
// binaries (relaxed and plain SIMD) -> a loader module. Nodes no family takes run the TS
// backend's kernel over typed-array views of the same memory, so every graph the TS backend
// runs, this backend runs too.
import { type Graph, type Node, type NodeOf, type ValueId, staticValueIds, valueTypes } from '../../ir/graph.ts';
import type { TensorType } from '../../ir/types.ts';
import type { OpKind } from '../../ops/attrs.ts';
import { nodeCost, sharesFor, worthVectorising } from '../cost.ts';
import { type MemoryPlan, planMemory } from '../plan.ts';
import { scratchNeed } from '../ts/kernels/scratch.ts';
import { FunctionBuilder, ModuleBuilder } from './encoder.ts';
import type { SimdLevel, WasmKernelFamily, WasmKernelInput, WasmNodeInfo } from './kernel.ts';
import { type WasmLayout, layoutMemory } from './layout.ts';
import { NodeOnlyError } from '../../errors.ts';
import { emitLoader } from './module.ts';
import { stagedStorages } from './staging.ts';
import { ELEMENTWISE_KINDS, elementwiseFamily } from './kernels/elementwise.ts';
import { layerNormFamily, softmaxFamily } from './kernels/rows.ts';
import { attentionFamily } from './kernels/attention.ts';
import { gemmKernels } from './kernels/gemm.ts';
import { recurrentFamily } from './kernels/recurrent.ts';
import { convKernels } from './kernels/conv.ts';
import { poolFamily } from './kernels/pool.ts';

/** Kernel families by op kind, tried in order; the first that accepts a node lowers it. */
export type FamilyTable = { readonly [K in OpKind]?: readonly WasmKernelFamily<K>[] };

/** The families of this backend. */
export const WASM_FAMILIES: FamilyTable = {
  ...Object.fromEntries(ELEMENTWISE_KINDS.map((k) => [k, [elementwiseFamily]])),
  softmax: [softmaxFamily],
  logSoftmax: [softmaxFamily],
  layerNorm: [layerNormFamily],
  attention: [attentionFamily],
  matmul: [gemmKernels],
  gemm: [gemmKernels],
  rnn: [recurrentFamily],
  lstm: [recurrentFamily],
  gru: [recurrentFamily],
  conv: [convKernels],
  maxPool: [poolFamily],
  avgPool: [poolFamily],
};

/** A node that runs in wasm. */
export interface WasmKernelPlan {
  readonly node: Node;
  readonly family: string;
  /** Export names of its kernel and, when it prepares data at create, of its prepare function. */
  readonly kernel: string;
  readonly prepare?: string;
  readonly units: number;
  /** Index of its function in the binary: a trap's stack names it as `wasm-function[N]`. */
  readonly functionIndex: number;
  /** How many threads it splits into (1: the caller alone). */
  readonly shares: number;
}

/** Options of wasm generation. */
export interface WasmOptions {
  /** Threads the module is laid out for (per-share scratch); default 1. */
  readonly threads?: number;
  /** Plain TS kernels for the nodes left to TS (-O0). */
  readonly simple?: boolean;
  /** Embed the weights in the loader (tiny models). */
  readonly inlineWeights?: boolean;
  /** Use no wasm kernel at all (every node on TS kernels over the wasm memory): for tests. */
  readonly noKernels?: boolean;
  /** Report every node's outputs to `create`'s `observer` as it runs (check mode). */
  readonly observe?: boolean;
  /**
   * The loader emitter (module.ts's emitLoader, TypeScript source: Node only), passed in so the
   * binary emitter does not import it: a page runs the binaries without a loader.
   */
  readonly emitLoader?: typeof import('./module.ts').emitLoader;
}

/** The generated backend output. */
export interface WasmProgram {
  readonly plan: MemoryPlan;
  readonly layout: WasmLayout;
  readonly kernels: ReadonlyMap<Node, WasmKernelPlan>;
  readonly binaries: Readonly<Record<SimdLevel, Uint8Array>>;
  /** The loader's TypeScript source (binaries embedded), written on first read (Node: ts-morph). */
  readonly loader: string;
  readonly threads: number;
}

interface Chosen {
  readonly family: WasmKernelFamily<OpKind>;
  readonly info: WasmNodeInfo<OpKind>;
}

/** The family that takes `n`, if any, and the cost model agrees. */
function choose(n: Node, info: WasmNodeInfo<OpKind>, table: FamilyTable): WasmKernelFamily<OpKind> | undefined {
  const families = (table[n.op] ?? []) as readonly WasmKernelFamily<OpKind>[];
  if (!worthVectorising(n)) return undefined;
  return families.find((f) => f.accepts(info));
}

/** The nodes of `g` a wasm kernel family lowers (the rest run TS kernels), with their family. */
function chooseKernels(g: Graph, table: FamilyTable): Map<Node, Chosen> {
  const types = valueTypes(g);
  const known = staticValueIds(g);
  const chosen = new Map<Node, Chosen>();
  for (const n of g.nodes) {
    if (n.op === 'constant') continue;
    const info: WasmNodeInfo<OpKind> = {
      node: n as NodeOf<OpKind>,
      inputs: n.inputs.map((v: ValueId) => types.get(v)!),
      outputs: n.outputs.map((o) => o.type),
      staticInputs: n.inputs.map((v: ValueId) => known.has(v)),
      simd: 'relaxed',
    };
    const family = choose(n, info, table);
    if (family) chosen.set(n, { family, info });
  }
  return chosen;
}

/** How many nodes of `g` (shape inference run) would run as wasm kernels. */
export function wasmKernelCount(g: Graph, table: FamilyTable = WASM_FAMILIES): number {
  return chooseKernels(g, table).size;
}

/** The wasm program of `g` (shape inference must have run), with its loader (TypeScript source, written on first read; Node only). */
export function generateWasm(g: Graph, opts: WasmOptions = {}, table: FamilyTable = WASM_FAMILIES): WasmProgram {
  return generateWasmProgram(g, { emitLoader, ...opts }, table);
}

/**
 * The program of `g` (binaries, plan, layout), its loader only with `opts.emitLoader`: what
 * compile() uses, so the binary emitter does not import the loader's source emitter (a page
 * runs the binaries directly).
 */
export function generateWasmProgram(g: Graph, opts: WasmOptions = {}, table: FamilyTable = WASM_FAMILIES): WasmProgram {
  const threads = Math.max(1, Math.floor(opts.threads ?? 1));
  const chosen = opts.noKernels ? new Map<Node, Chosen>() : chooseKernels(g, table);
  const scratchOf = (n: Node, inputs: readonly TensorType[]): number => {
    const c = chosen.get(n);
    if (!c) return scratchNeed(n, inputs, opts.simple ?? false);
    const bytes = c.family.scratchBytes?.(c.info) ?? 0;
    return Math.ceil((bytes * threads) / 8); // the plan counts scratch in f64 elements
  };
  const plan = planMemory(g, scratchOf);
  const prepared = new Map<Node, number>();
  for (const [n, c] of chosen) {
    const bytes = c.family.preparedBytes?.(c.info) ?? 0;
    if (bytes > 0) prepared.set(n, bytes);
  }
  const layout = layoutMemory(plan, prepared, `graph ${JSON.stringify(g.name)}`, threads, stagedStorages(g, plan, chosen));
  const kernels = new Map<Node, WasmKernelPlan>();
  const binaries = {} as Record<SimdLevel, Uint8Array>;
  let memoryFlagsAt = -1;
  for (const simd of ['relaxed', 'plain'] as const) {
    const mod = new ModuleBuilder({ pages: layout.pages, maxPages: layout.pages, shared: threads > 1 });
    let j = 0;
    for (const [n, c] of chosen) {
      const k = kernelInput(n, { ...c.info, simd }, plan, layout);
      const units = c.family.units(k);
      const name = `k${j}`;
      const f = new FunctionBuilder(['i32', 'i32', 'i32']);
      c.family.emit(f, k, { lo: 0, hi: 1, share: 2 });
      const functionIndex = mod.add(f, name);
      let prepare: string | undefined;
      if (layout.prepared.has(n) && c.family.emitPrepare) {
        prepare = `p${j}`;
        const p = new FunctionBuilder([]);
        c.family.emitPrepare(p, k);
        mod.add(p, prepare);
      }
      kernels.set(n, { node: n, family: c.family.name, kernel: name, units, functionIndex, shares: sharesFor(nodeCost(n, k.inputs), units, threads), ...(prepare ? { prepare } : {}) });
      j++;
    }
    binaries[simd] = mod.encode();
    memoryFlagsAt = mod.memoryFlagsAt;
  }
  // The loader is TypeScript source (ts-morph, Node only): written when first asked for, so the
  // binaries and layout serve a page too (src/runtime/wasm-direct.ts runs them without it).
  let loader: string | undefined;
  const parts = { plan, layout, kernels, binaries, threads, memoryFlagsAt };
  const emitOpts = { simple: opts.simple ?? false, inlineWeights: opts.inlineWeights ?? false, observe: opts.observe ?? false };
  return {
    plan, layout, kernels, binaries, threads,
    get loader(): string {
      if (!opts.emitLoader) throw new NodeOnlyError('this wasm program was generated without its loader (TypeScript source, written in Node): generate it with emitLoader, or run the binaries directly');
      loader ??= opts.emitLoader(g, parts, emitOpts);
      return loader;
    },
  };
}

/** The addresses a family's emitter sees for node `n`. */
function kernelInput(n: Node, info: WasmNodeInfo<OpKind>, plan: MemoryPlan, layout: WasmLayout): WasmKernelInput<OpKind> {
  const at = (v: ValueId): number => layout.address[plan.storageOf.get(v)!]!;
  const scratch = plan.scratch.get(n);
  const prepared = layout.prepared.get(n);
  return {
    ...info,
    x: n.inputs.map(at),
    y: n.outputs.map((o) => at(o.id)),
    ...(scratch === undefined ? {} : { scratch: layout.address[scratch]! }),
    ...(prepared ? { prepared: prepared.address } : {}),
  };
}
