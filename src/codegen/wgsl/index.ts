// The WGSL backend: graph (after passes) -> memory plan over one u32 buffer -> one compute shader
// per kernel, with its dispatch size. The WebGPU runtime (src/runtime/webgpu.ts) runs the result.
import type { Graph, Node } from '../../ir/graph.ts';
import { describeNode } from '../../ops/infer.ts';
import type { IndexCheck } from '../../runtime/webgpu-core.ts';
import { checkedDims } from '../index-check.ts';
import type { DType, TensorType } from '../../ir/types.ts';
import type { OpKind } from '../../ops/attrs.ts';
import { OPS } from '../../ops/table.ts';
import { type MemoryPlan, type Storage, planMemory } from '../plan.ts';
import { WORKGROUP, type WgslEmitter, type WgslInput, type WgslKernel, type WgslScratchNeed } from './kernel.ts';
import { wgslAttention } from './kernels/attention.ts';
import { wgslContraction } from './kernels/contraction.ts';
import { wgslElementwise } from './kernels/elementwise.ts';
import { wgslMovement } from './kernels/movement.ts';
import { wgslCache } from './kernels/cache.ts';
import { wgslRows } from './kernels/rows.ts';
import { wgslSequence, wgslSequenceScratch } from './kernels/sequence.ts';
import { wgslSequenceGrad, wgslSequenceGradScratch } from './kernels/sequence-grad.ts';
import { wgslConv } from './kernels/conv.ts';
import { wgslPool } from './kernels/pool.ts';
import { wgslHelpersFor } from './prelude.ts';
import { WGSL_LAYOUT } from './types.ts';
import type { StructuralKind } from '../ts/kernels/index.ts';
import { wgslLines } from './kernels/lines.ts';
import { wgslScatter } from './kernels/scatter.ts';

/** Emitters for every op kind that is not elementwise; a missing one is a compile error. */
export const WGSL_KERNELS: { readonly [K in StructuralKind]: WgslEmitter<K> } = {
  ...wgslAttention,
  ...wgslContraction,
  ...wgslMovement,
  ...wgslCache,
  ...wgslRows,
  ...wgslSequence,
  ...wgslSequenceGrad,
  ...wgslLines,
  ...wgslScatter,
  ...wgslConv,
  ...wgslPool,
};

/** Scratch needs of the kernels that keep working state in `mem` (absent: none). */
const WGSL_SCRATCH: { readonly [K in StructuralKind]?: WgslScratchNeed<K> } = {
  ...wgslSequenceScratch,
  ...wgslSequenceGradScratch,
};

/** Words of scratch the kernel of `node` needs. */
function scratchWords(node: Node, inputs: readonly TensorType[]): number {
  const need = WGSL_SCRATCH[node.op as StructuralKind] as WgslScratchNeed<OpKind> | undefined;
  return need ? need(node, inputs) : 0;
}

/** Largest workgroup count per dispatch dimension (WebGPU's default limit). */
const MAX_GROUPS = 65535;

/** One compute shader of the program. */
export interface WgslKernelCode {
  readonly name: string;
  readonly label: string;
  readonly code: string;
  /** Workgroups in x and y. */
  readonly dispatch: readonly [number, number];
  /** Runs once when the model is created (depends on weights and constants only). */
  readonly once: boolean;
  /** The graph node it computes (index into graph.nodes); absent for output copies. */
  readonly node?: number;
  /** The regions it writes, one per node output (read back by check mode). */
  readonly writes: readonly Region[];
}

/** Where a tensor lives in the memory buffer: word offset, element count, dtype. */
export interface Region {
  readonly base: number;
  readonly length: number;
  readonly dtype: DType;
}

/** A generated WGSL program. */
export interface WgslProgram {
  readonly kernels: readonly WgslKernelCode[];
  /** Words (u32) of the one memory buffer. */
  readonly words: number;
  readonly inputs: readonly Region[];
  readonly weights: readonly Region[];
  readonly outputs: readonly Region[];
  readonly constants: readonly (Region & { readonly node: number })[];
  /** The bounds flags of the gathers (two words each, after the arena), read back after a run. */
  readonly checks: readonly IndexCheck[];
  readonly plan: MemoryPlan;
}

/** Word offsets: inputs, weights, constants, statics and outputs first, then the arena. */
function layoutWords(plan: MemoryPlan): { base: (s: Storage) => number; words: number } {
  const fixed = new Map<number, number>();
  let next = 0;
  for (const s of plan.storages) {
    if (s.kind === 'arena') continue;
    fixed.set(s.id, next);
    next += Math.max(s.length, 1);
  }
  const arenaBase = next;
  return { base: (s) => (s.kind === 'arena' ? arenaBase + s.offset / 4 : fixed.get(s.id)!), words: arenaBase + plan.arenaBytes / 4 };
}

function emit(node: Node, k: WgslInput<OpKind>): WgslKernel {
  const op = node.op;
  if (Object.prototype.hasOwnProperty.call(WGSL_KERNELS, op)) return (WGSL_KERNELS[op as StructuralKind] as WgslEmitter<OpKind>)(k);
  if (OPS[op].scalar || op === 'fused') return wgslElementwise(k);
  throw new Error(`the WGSL backend has no kernel for op ${op}`);
}

/** Workgroups a kernel runs (0: nothing to do). */
function groupCount(kernel: WgslKernel): number {
  return 'groups' in kernel ? kernel.groups.reduce((p, g) => p * g, 1) : Math.ceil(kernel.invocations / (kernel.workgroupSize ?? WORKGROUP));
}

/** The dispatch of `groups` workgroups: x up to MAX_GROUPS, then rows of y. */
function dispatchOf(groups: number): [number, number] {
  return [Math.min(groups, MAX_GROUPS), Math.ceil(groups / MAX_GROUPS)];
}

/**
 * The statements giving a grouped kernel its `group` coordinates (the linear workgroup index
 * decoded over the grid; the surplus of the last dispatch row returns, uniformly per workgroup).
 */
function groupPrologue(grid: readonly number[], total: number): string[] {
  const [gx = 1, gy = 1] = grid;
  const lines = ['let wg = wid.x + wid.y * ' + `${MAX_GROUPS}u;`];
  if (total > MAX_GROUPS) lines.push(`if (wg >= ${total}u) { return; }`);
  lines.push(`let group = vec3u(wg % ${gx}u, (wg / ${gx}u) % ${gy}u, wg / ${gx * gy}u);`);
  return lines;
}

/** The full shader text of one kernel. */
export function shaderText(kernel: WgslKernel): string {
  const ws = kernel.workgroupSize ?? WORKGROUP;
  const prologue = 'groups' in kernel
    ? groupPrologue(kernel.groups, groupCount(kernel))
    : [`let gidx = (wid.x + wid.y * ${MAX_GROUPS}u) * ${ws}u + lidx;`];
  return [
    '@group(0) @binding(0) var<storage, read_write> mem: array<u32>;',
    ...wgslHelpersFor(kernel.body),
    kernel.decls ?? '',
    `@compute @workgroup_size(${ws})`,
    'fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lidx: u32) {',
    ...prologue.map((l) => `  ${l}`),
    ...kernel.body.split('\n').map((l) => `  ${l}`),
    '}',
    '',
  ].filter((l) => l !== '').join('\n');
}

/** Generates the WGSL program of `graph` (shape inference must have run). */
export function generateWgsl(graph: Graph): WgslProgram {
  const plan = planMemory(graph, scratchWords, WGSL_LAYOUT);
  const { base, words } = layoutWords(plan);
  const at = (v: number): number => base(plan.storages[plan.storageOf.get(v)!]!);
  const region = (s: Storage): Region => ({ base: base(s), length: s.length, dtype: s.dtype as DType });
  const types = new Map<number, TensorType>();
  for (const v of [...graph.inputs, ...graph.weights]) types.set(v.id, v.type);
  const kernels: WgslKernelCode[] = [];
  const checks: IndexCheck[] = [];
  graph.nodes.forEach((node, i) => {
    for (const o of node.outputs) types.set(o.id, o.type);
    if (node.op === 'constant' || plan.views.has(node)) return;
    const scratch = plan.scratch.get(node);
    let k: WgslInput<OpKind> = {
      node, inputs: node.inputs.map((v) => types.get(v)!), outputs: node.outputs.map((o) => o.type), x: node.inputs.map(at), y: node.outputs.map((o) => at(o.id)),
      ...(scratch === undefined ? {} : { sc: base(plan.storages[scratch]!) }),
    };
    const dims = checkedDims(node, k.inputs);
    if (dims) k = { ...k, flag: words + 2 * checks.length };
    const kernel = emit(node, k);
    const groups = groupCount(kernel);
    if (groups === 0) return;
    if (dims) checks.push({ base: k.flag!, where: describeNode(node.op, node.outputs[0]?.id, node.label), op: node.op, dims, once: plan.statics.has(node) });
    const writes = node.outputs.map((o) => region(plan.storages[plan.storageOf.get(o.id)!]!));
    kernels.push({ name: `k${i}_${node.op}`, label: node.label ?? '', code: shaderText(kernel), dispatch: dispatchOf(groups), once: plan.statics.has(node), node: i, writes });
  });
  // Outputs that are an input, a weight or another output's buffer: a copy kernel each (WebGPU
  // cannot copy between two ranges of one buffer).
  for (const c of plan.copies) {
    const [from, to] = [region(plan.storages[c.from]!), region(plan.storages[c.output]!)];
    if (to.length === 0) continue;
    const body = `if (gidx >= ${to.length}u) { return; }\nmem[${to.base}u + gidx] = mem[${from.base}u + gidx];`;
    const copy = { body, invocations: to.length };
    kernels.push({ name: `copy_${to.base}`, label: 'output copy', code: shaderText(copy), dispatch: dispatchOf(groupCount(copy)), once: false, writes: [to] });
  }
  const byKind = (kind: Storage['kind']) => plan.storages.filter((s) => s.kind === kind);
  const indexed = (kind: Storage['kind']) => byKind(kind).sort((a, b) => a.index - b.index).map(region);
  return {
    kernels,
    words: Math.max(words + 2 * checks.length, 1),
    inputs: indexed('input'),
    weights: indexed('weight'),
    outputs: indexed('output'),
    constants: byKind('constant').map((s) => ({ ...region(s), node: s.index })),
    checks,
    plan,
  };
}

