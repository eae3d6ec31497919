// What a WGSL kernel emitter receives and returns, and the index arithmetic emitters share.
// Every operand lives in one u32 memory buffer `mem`; an operand is its word offset there.
import type { NodeOf } from '../../ir/graph.ts';
import type { Shape, TensorType } from '../../ir/types.ts';
import { stridesOf } from '../../ir/types.ts';
import type { OpKind } from '../../ops/attrs.ts';
import type { KernelInput } from '../ts/kernel.ts';

/** A node to lower, with the word offsets of its inputs (`x`), outputs (`y`) and scratch. */
export interface WgslInput<K extends OpKind> extends KernelInput<K> {
  readonly x: readonly number[];
  readonly y: readonly number[];
  /** Word offset of the kernel's scratch region, when its scratch need is above 0. */
  readonly sc?: number;
  /** Word offset of the kernel's two bounds-flag words (gather: set when an index is out of range). */
  readonly flag?: number;
}

/**
 * Words of `mem` the kernel of a node needs as working space (0: none). The memory plan places
 * them in the arena, live only while the kernel runs, and the emitter gets their offset as `sc`.
 */
export type WgslScratchNeed<K extends OpKind> = (node: NodeOf<K>, inputs: readonly TensorType[]) => number;

/** One f32 array in scratch: a load expression and a store statement for element `idx`. */
export interface ScratchArray {
  readonly at: (idx: string) => string;
  readonly set: (idx: string, value: string) => string;
}

/**
 * f32 arrays a kernel keeps in its scratch region rather than in private memory, which GPUs
 * bound (a model-sized private array fails to compile or spills): each invocation owns `words`
 * consecutive words, the arrays back to back in the order of `sizes`.
 */
export function scratchArrays<N extends string>(sizes: Readonly<Record<N, number>>): {
  readonly words: number;
  /** The arrays of the invocation whose words start at WGSL u32 expression `start`. */
  readonly bind: (start: string) => Readonly<Record<N, ScratchArray>>;
} {
  const offsets = {} as Record<N, number>;
  let words = 0;
  for (const name of Object.keys(sizes) as N[]) {
    offsets[name] = words;
    words += sizes[name];
  }
  const bind = (start: string) => {
    const arrays = {} as Record<N, ScratchArray>;
    for (const name of Object.keys(sizes) as N[]) {
      const at = (idx: string): string => `${start} + ${offsets[name] === 0 ? '' : `${offsets[name]}u + `}${idx}`;
      arrays[name] = { at: (idx) => `bitcast<f32>(mem[${at(idx)}])`, set: (idx, value) => `mem[${at(idx)}] = bitcast<u32>(${value});` };
    }
    return arrays;
  };
  return { words, bind };
}

/** The scratch offset of `k`, which must have asked for scratch. */
export function scratchOf(k: WgslInput<OpKind>): number {
  if (k.sc === undefined) throw new Error(`the WGSL kernel of ${k.node.op} needs scratch memory, but the plan gave it none`);
  return k.sc;
}

/**
 * One compute shader's specifics, in one of two shapes:
 * - flat: `body` runs once per invocation with `gidx` (the linear invocation index, u32) in
 *   scope and must itself ignore indices >= `invocations`;
 * - grouped: `groups` is the logical grid of workgroups (up to 3 dims, x fastest); `body` runs in
 *   every invocation of each with `group` (vec3u, its grid coordinates) and `lidx` (u32, the
 *   local invocation index) in scope. Every invocation of a workgroup reaches the body, so it
 *   may use `var<workgroup>` memory (in `decls`) and `workgroupBarrier()`.
 */
export type WgslKernel = FlatKernel | GroupedKernel;

interface KernelCode {
  readonly body: string;
  /** Module-scope declarations (workgroup variables, constants). */
  readonly decls?: string;
  /** Invocations per workgroup (default WORKGROUP). */
  readonly workgroupSize?: number;
}

/** One invocation per index below `invocations`. */
export interface FlatKernel extends KernelCode {
  readonly invocations: number;
}

/** One workgroup per point of the grid `groups` ([x], [x, y] or [x, y, z]). */
export interface GroupedKernel extends KernelCode {
  readonly groups: readonly number[];
}

export type WgslEmitter<K extends OpKind> = (k: WgslInput<K>) => WgslKernel;

/** Default invocations per workgroup. */
export const WORKGROUP = 64;

/**
 * WGSL statements decoding flat index `flat` (u32) over `shape` into one offset per operand,
 * each `sum(coordinate_d * strides[d])` (strides in elements, 0 = broadcast). Returns the
 * names of the offset variables (`prefix0`, `prefix1`, ...).
 */
export function decodeOffsets(shape: Shape, operandStrides: readonly (readonly number[])[], flat: string, prefix = 'o'): { code: string; names: string[] } {
  const dense = stridesOf(shape);
  const lines: string[] = [];
  const names = operandStrides.map((_, k) => `${prefix}${k}`);
  const coords = shape.map((d, i) => {
    if (d === 1) return undefined;
    const c = `${prefix}c${i}`;
    const q = dense[i] === 1 ? flat : `(${flat} / ${dense[i]}u)`;
    lines.push(`let ${c} = ${i === 0 ? q : `${q} % ${d}u`};`);
    return c;
  });
  operandStrides.forEach((st, k) => {
    // Negative strides (reversed slices) wrap modulo 2^32, which u32 arithmetic does exactly.
    const terms = coords.map((c, i) => (c === undefined || st[i] === 0 ? '' : st[i] === 1 ? c : `${c} * ${st[i]! >>> 0}u`)).filter(Boolean);
    lines.push(`let ${names[k]} = ${terms.join(' + ') || '0u'};`);
  });
  return { code: lines.join('\n'), names };
}

/** `if (gidx >= n) { return; }`: the guard every one-invocation-per-element kernel starts with. */
export function guard(n: number): string {
  return `if (gidx >= ${n}u) { return; }`;
}

/** Largest power of two <= `n` (1 for n < 1). */
export function pow2Floor(n: number): number {
  return 2 ** Math.floor(Math.log2(Math.max(n, 1)));
}

/** Smallest power of two >= `n` (1 for n < 1). */
export function pow2Ceil(n: number): number {
  return 2 ** Math.ceil(Math.log2(Math.max(n, 1)));
}

/**
 * WGSL statements reducing `value` (of WGSL type `type`) over the `size` invocations of a
 * workgroup (a power of two) into `let name`, visible to all of them: a tree in the workgroup
 * array `scratch` (declared by the caller, at least `size` long), `combine(a, b)` at each level.
 * Must run in uniform control flow; leaves `scratch` free for the next reduction.
 */
export function treeReduce(name: string, value: string, size: number, scratch: string, combine: (a: string, b: string) => string): string {
  return [
    `${scratch}[lidx] = ${value};`,
    'workgroupBarrier();',
    `for (var s = ${size / 2}u; s > 0u; s = s >> 1u) {`,
    `  if (lidx < s) { ${scratch}[lidx] = ${combine(`${scratch}[lidx]`, `${scratch}[lidx + s]`)}; }`,
    '  workgroupBarrier();',
    '}',
    `let ${name} = ${scratch}[0];`,
    'workgroupBarrier();',
  ].join('\n');
}
