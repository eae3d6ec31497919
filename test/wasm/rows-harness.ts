// A standalone harness for wasm kernel families: one node at 16-byte aligned addresses in a
// WebAssembly.Memory, its kernel emitted into a module of its own, run over the full unit range
// and split into ranges (as threads would split it), compared with the interpreter.
import { setFlagsFromString } from 'node:v8';
import { expect } from 'vitest';
import { Rng } from '../../src/api/init.ts';
import { FunctionBuilder, ModuleBuilder } from '../../src/codegen/wasm/encoder.ts';
import type { SimdLevel, WasmKernelFamily, WasmKernelInput } from '../../src/codegen/wasm/kernel.ts';
import { IRBuilder } from '../../src/ir/builder.ts';
import { type Graph, type NodeOf, valueTypes } from '../../src/ir/graph.ts';
import { type Tensor, f32 } from '../../src/ir/tensor.ts';
import { type TensorType, numel } from '../../src/ir/types.ts';
import type { OpAttrs, OpKind } from '../../src/ops/attrs.ts';
import { interpret } from '../../src/runtime/interpreter.ts';

setFlagsFromString('--experimental-wasm-relaxed-simd');

export { Rng };

export const SIMD_LEVELS: readonly SimdLevel[] = ['relaxed', 'plain'];

/** A graph of one node of `op` over inputs x0.. of `inputs`' types, outputs y0... */
export function oneNode<K extends OpKind>(op: K, attrs: OpAttrs[K], inputs: readonly TensorType[]): Graph {
  const b = new IRBuilder(op);
  const ids = inputs.map((t, i) => b.input(`x${i}`, t).id);
  b.node(op, attrs, ids).forEach((v, i) => b.output(`y${i}`, v.id));
  return b.finish();
}

/** Seeded f32 inputs in [lo, hi) for every input of `g`. */
export function randomInputs(g: Graph, seed = 1, lo = -3, hi = 3): Record<string, Tensor> {
  const rng = new Rng(seed);
  const out: Record<string, Tensor> = {};
  for (const i of g.inputs) out[i.name] = f32(i.type.shape, Float32Array.from({ length: numel(i.type.shape) }, () => lo + (hi - lo) * rng.next()));
  return out;
}

const align = (n: number): number => Math.ceil(n / 16) * 16;

/** The node of `g` a family lowers (the only non-constant one, or the first of kind `op`). */
function theNode<K extends OpKind>(g: Graph, op?: K): NodeOf<K> {
  const n = g.nodes.find((x) => (op ? x.op === op : x.op !== 'constant'));
  if (!n) throw new Error(`no ${op ?? 'kernel'} node`);
  return n as NodeOf<K>;
}

/** A prepared run of one node's kernel: call `run(ranges)` to get the outputs. */
export interface KernelRun {
  readonly units: number;
  readonly bytes: number;
  /** Resets outputs (to a poison value) and scratch, runs the kernel over each range in turn, returns copies of the outputs. */
  run(ranges?: readonly (readonly [number, number])[]): Float32Array[];
  /** Runs the kernel once over all units without copying (for timing). */
  call(): void;
}

/** Lays the node out, emits and instantiates its kernel. */
export function buildKernel<K extends OpKind>(g: Graph, family: WasmKernelFamily<K>, simd: SimdLevel, inputs: Record<string, Tensor>, op?: K): KernelRun {
  const node = theNode(g, op);
  const types = valueTypes(g);
  const info = {
    node, simd,
    inputs: node.inputs.map((v) => types.get(v)!),
    outputs: node.outputs.map((o) => o.type),
    staticInputs: node.inputs.map(() => false),
  };
  if (!family.accepts(info)) throw new Error(`${family.name} does not accept this ${node.op}`);
  let at = 64;
  const place = (bytes: number): number => {
    const a = at;
    at = align(at + bytes + 16);
    return a;
  };
  const x = info.inputs.map((t) => place(numel(t.shape) * 4));
  const y = info.outputs.map((t) => place(numel(t.shape) * 4));
  const scratchBytes = family.scratchBytes?.(info) ?? 0;
  // Room for three shares: split runs pass their range index as the share, each with its own scratch.
  const scratch = scratchBytes > 0 ? place(3 * scratchBytes) : undefined;
  const k: WasmKernelInput<K> = { ...info, x, y, ...(scratch === undefined ? {} : { scratch }) };
  const pages = Math.ceil((at + 64) / 65536);
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
  const mod = new ModuleBuilder({ pages, maxPages: pages, shared: false });
  const f = new FunctionBuilder(['i32', 'i32', 'i32']);
  family.emit(f, k, { lo: 0, hi: 1, share: 2 });
  mod.add(f, 'k');
  const bytes = new Uint8Array(mod.encode());
  if (!WebAssembly.validate(bytes)) new WebAssembly.Module(bytes); // throws with the reason
  const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
  const kernel = inst.exports.k as (lo: number, hi: number, share: number) => void;
  const heap = new Float32Array(memory.buffer);
  node.inputs.forEach((v, i) => {
    const name = g.inputs.find((gi) => gi.id === v)!.name;
    heap.set(inputs[name]!.data as Float32Array, x[i]! / 4);
  });
  const units = family.units(info);
  return {
    units,
    bytes: bytes.length,
    run(ranges = [[0, units]]) {
      y.forEach((a, i) => heap.fill(12345.5, a / 4, a / 4 + numel(info.outputs[i]!.shape)));
      if (scratch !== undefined) heap.fill(NaN, scratch / 4, (scratch + 3 * scratchBytes) / 4);
      ranges.forEach(([lo, hi], share) => kernel(lo, hi, share % 3));
      return y.map((a, i) => heap.slice(a / 4, a / 4 + numel(info.outputs[i]!.shape)));
    },
    call() {
      kernel(0, units, 0);
    },
  };
}

/** The ranges [0, units) split into `parts` contiguous pieces (some may be empty). */
export function splitRanges(units: number, parts: number): [number, number][] {
  return Array.from({ length: parts }, (_, p) => [Math.floor((units * p) / parts), Math.floor((units * (p + 1)) / parts)]);
}

/** Asserts |a - e| <= atol + rtol |e| elementwise, NaN exactly where the reference has NaN, infinities equal. */
export function expectClose(actual: Float32Array, expected: Float32Array, what: string, rtol = 1e-4, atol = 1e-5): void {
  expect(actual.length, what).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const [a, e] = [actual[i]!, expected[i]!];
    const ok = Number.isNaN(e) ? Number.isNaN(a) : !Number.isFinite(e) ? a === e : Math.abs(a - e) <= atol + rtol * Math.abs(e);
    if (!ok) expect.fail(`${what}: element ${i} is ${a}, expected ${e}`);
  }
}

/**
 * Runs the family's kernel for the one interesting node of `g` at each SIMD level, over the full
 * unit range and split into 2 and 3 ranges, and compares every output with the interpreter.
 */
export function checkFamily<K extends OpKind>(g: Graph, family: WasmKernelFamily<K>, inputs = randomInputs(g), op?: K): void {
  const ref = interpret(g, inputs);
  const expected = g.outputs.map((o) => ref[o.name]!.data as Float32Array);
  for (const simd of SIMD_LEVELS) {
    const k = buildKernel(g, family, simd, inputs, op);
    for (const parts of [1, 2, 3]) {
      const got = k.run(splitRanges(k.units, parts));
      got.forEach((out, i) => expectClose(out, expected[i]!, `${g.name} ${simd} ${parts} share(s) output ${i}`));
    }
  }
}

/** Median milliseconds of `fn` over `rounds` rounds of `reps` calls. */
export function timeMs(fn: () => void, reps: number, rounds = 7): number {
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) fn();
    times.push((performance.now() - t0) / reps);
  }
  return times.sort((a, b) => a - b)[Math.floor(rounds / 2)]!;
}
