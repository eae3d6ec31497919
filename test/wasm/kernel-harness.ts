// A standalone harness for one wasm kernel family: a one-node graph, every input and output at a
// 16-byte aligned address of one WebAssembly.Memory (inputs separated by poisoned gaps), a
// module holding the node's `prepare` and kernel functions, and runs over unit ranges (the whole
// range, or several ranges called one after another as threads would split it).
import { setFlagsFromString } from 'node:v8';
import { Rng } from '../../src/api/init.ts';
import { ModuleBuilder, FunctionBuilder } from '../../src/codegen/wasm/encoder.ts';
import type { SimdLevel, WasmKernelFamily, WasmKernelInput, WasmNodeInfo } from '../../src/codegen/wasm/kernel.ts';
import { IRBuilder } from '../../src/ir/builder.ts';
import type { Graph, NodeOf } from '../../src/ir/graph.ts';
import { type Tensor, f32 } from '../../src/ir/tensor.ts';
import { type TensorType, numel, tensorType } from '../../src/ir/types.ts';
import type { OpAttrs, OpKind } from '../../src/ops/attrs.ts';
import { interpret } from '../../src/runtime/interpreter.ts';

setFlagsFromString('--experimental-wasm-relaxed-simd');

/** A graph of one node: inputs x0.. of the given shapes (f32), output y0. */
export function oneNode<K extends OpKind>(op: K, attrs: OpAttrs[K], shapes: readonly (readonly number[])[]): Graph {
  const b = new IRBuilder(op);
  const ids = shapes.map((s, i) => b.input(`x${i}`, tensorType('f32', s)).id);
  b.node(op, attrs as never, ids).forEach((v, i) => b.output(`y${i}`, v.id));
  return b.finish();
}

/** Seeded inputs in [-1, 1) for every graph input. */
export function randomInputs(g: Graph, seed = 1): Tensor[] {
  const rng = new Rng(seed);
  return g.inputs.map((v) => f32(v.type.shape, Array.from({ length: numel(v.type.shape) }, () => rng.next() * 2 - 1)));
}

/** What a harness run produced: the outputs of each unit split, and the module's size. */
export interface KernelRun {
  readonly units: number;
  readonly outputs: Tensor[][];
  readonly moduleBytes: number;
}

const align = (n: number): number => Math.ceil(n / 16) * 16;
const GAP = 64;
/** Shares a harness lays scratch out for (the most any split below uses). */
const SHARES = 3;

/** The node info of a one-node graph's node. */
export function nodeInfo<K extends OpKind>(g: Graph, simd: SimdLevel, staticInputs: readonly boolean[]): WasmNodeInfo<K> {
  const node = g.nodes[0]! as unknown as NodeOf<K>;
  const types = new Map<number, TensorType>(g.inputs.map((v) => [v.id, v.type]));
  return { node, inputs: node.inputs.map((id) => types.get(id)!), outputs: node.outputs.map((v) => v.type), staticInputs, simd };
}

/** A compiled kernel in its memory, ready to run unit ranges. */
export interface LoadedKernel {
  readonly memory: WebAssembly.Memory;
  readonly input: WasmKernelInput<OpKind>;
  readonly units: number;
  readonly moduleBytes: number;
  readonly kernel: (lo: number, hi: number, share: number) => void;
  readonly prepare: () => void;
  /** (Re)writes the inputs into memory. */
  readonly write: () => void;
}

/** Lays the node out in a fresh memory, writes `inputs`, emits and instantiates prepare + kernel (prepare not yet run). */
export function loadKernel<K extends OpKind>(family: WasmKernelFamily<K>, info: WasmNodeInfo<K>, inputs: readonly Tensor[], aliasOf?: number): LoadedKernel {
  let top = GAP;
  const take = (bytes: number): number => {
    const at = top;
    top = align(top + bytes) + GAP;
    return at;
  };
  const x = info.inputs.map((t) => take(numel(t.shape) * 4));
  // aliasOf: output 0 overwrites that input in place (as the memory plan does with a dying residual).
  const y = info.outputs.map((t, i) => (i === 0 && aliasOf !== undefined ? x[aliasOf]! : take(numel(t.shape) * 4)));
  const prepBytes = family.preparedBytes?.(info) ?? 0;
  const scratchBytes = (family.scratchBytes?.(info) ?? 0) * SHARES;
  const k: WasmKernelInput<K> = {
    ...info, x, y,
    ...(prepBytes ? { prepared: take(prepBytes) } : {}),
    ...(scratchBytes ? { scratch: take(scratchBytes) } : {}),
  };
  const pages = Math.ceil(top / 65536) + 1;
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
  const view = new Float32Array(memory.buffer);
  view.fill(Number.NaN);
  const mod = new ModuleBuilder({ pages, maxPages: pages, shared: false });
  const prep = new FunctionBuilder([]);
  if (family.emitPrepare && prepBytes) family.emitPrepare(prep, k);
  mod.add(prep, 'prepare');
  const body = new FunctionBuilder(['i32', 'i32', 'i32']);
  family.emit(body, k, { lo: 0, hi: 1, share: 2 });
  mod.add(body, 'kernel');
  const bytes = mod.encode();
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>), { env: { memory } });
  const ex = instance.exports as { prepare: () => void; kernel: (lo: number, hi: number, share: number) => void };
  const write = (): void => inputs.forEach((t, i) => view.set(t.data as Float32Array, x[i]! / 4));
  return { memory, input: k as WasmKernelInput<OpKind>, units: family.units(info), moduleBytes: bytes.length, kernel: ex.kernel, prepare: ex.prepare, write };
}

/** Reads output `i` of a loaded kernel. */
export function readOutput(l: LoadedKernel, i: number): Tensor {
  const t = l.input.outputs[i]!;
  const n = numel(t.shape);
  return f32(t.shape, new Float32Array(l.memory.buffer, l.input.y[i]!, n).slice());
}

/** Unit ranges: the whole range, then `parts` contiguous slices (as `parts` threads would run them, share s the s-th). */
export function splits(units: number, parts: readonly number[] = [2, 3]): [number, number][][] {
  const all: [number, number][][] = [[[0, units]]];
  for (const p of parts) {
    const cut = Array.from({ length: p + 1 }, (_, s) => Math.round((s * units) / p));
    all.push(cut.slice(0, -1).map((lo, s): [number, number] => [lo, cut[s + 1]!]).filter(([lo, hi]) => hi > lo));
  }
  return all;
}

/**
 * Runs a family's kernel for a one-node graph over every split, inputs rewritten and outputs
 * NaN-poisoned before each (unless output 0 overwrites input `aliasOf` in place).
 */
export function runKernel<K extends OpKind>(family: WasmKernelFamily<K>, g: Graph, inputs: readonly Tensor[], simd: SimdLevel, staticInputs: readonly boolean[], aliasOf?: number): KernelRun {
  const info = nodeInfo<K>(g, simd, staticInputs);
  const l = loadKernel(family, info, inputs, aliasOf);
  l.write();
  l.prepare();
  const view = new Float32Array(l.memory.buffer);
  const outputs = splits(l.units).map((ranges) => {
    l.input.y.forEach((addr, i) => {
      if (i !== 0 || aliasOf === undefined) view.fill(Number.NaN, addr / 4, addr / 4 + numel(l.input.outputs[i]!.shape));
    });
    l.write();
    // Shares in reverse, so that share s > 0 uses its own scratch slot after share 0 ran.
    ranges.map((r, s) => [r, s] as const).reverse().forEach(([[lo, hi], s]) => l.kernel(lo, hi, s));
    return l.input.outputs.map((_, i) => readOutput(l, i));
  });
  return { units: l.units, outputs, moduleBytes: l.moduleBytes };
}

/** The interpreter's outputs for `inputs`, in output order. */
export function reference(g: Graph, inputs: readonly Tensor[]): Tensor[] {
  const out = interpret(g, Object.fromEntries(inputs.map((t, i) => [`x${i}`, t])));
  return g.outputs.map((o) => out[o.name]!);
}
