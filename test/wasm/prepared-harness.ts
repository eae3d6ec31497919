// A harness for wasm families that prepare data at create (packed weight panels): like
// rows-harness.ts, one node in a memory of its own, but the chosen inputs count as static, the
// family's prepared region is laid out and its `emitPrepare` function runs once (after the
// inputs are in memory, before any kernel call), as the loader does.
import { FunctionBuilder, ModuleBuilder } from '../../src/codegen/wasm/encoder.ts';
import type { SimdLevel, WasmKernelFamily, WasmKernelInput, WasmNodeInfo } from '../../src/codegen/wasm/kernel.ts';
import { type Graph, type NodeOf, valueTypes } from '../../src/ir/graph.ts';
import type { Tensor } from '../../src/ir/tensor.ts';
import { numel } from '../../src/ir/types.ts';
import type { OpKind } from '../../src/ops/attrs.ts';
import { interpret } from '../../src/runtime/interpreter.ts';
import { type KernelRun, SIMD_LEVELS, expectClose, splitRanges } from './rows-harness.ts';

const align = (n: number): number => Math.ceil(n / 16) * 16;

/** The node info of the first non-constant node of `g`, with inputs `isStatic(i)` static. */
export function nodeInfo<K extends OpKind>(g: Graph, simd: SimdLevel, isStatic: (i: number) => boolean): WasmNodeInfo<K> {
  const node = g.nodes.find((x) => x.op !== 'constant')! as NodeOf<K>;
  const types = valueTypes(g);
  return { node, simd, inputs: node.inputs.map((v) => types.get(v)!), outputs: node.outputs.map((o) => o.type), staticInputs: node.inputs.map((_, i) => isStatic(i)) };
}

/** Lays out, emits, instantiates and prepares the node's kernel (three shares of scratch). */
export function buildPrepared<K extends OpKind>(g: Graph, family: WasmKernelFamily<K>, simd: SimdLevel, inputs: Record<string, Tensor>, isStatic: (i: number) => boolean): KernelRun & { readonly prepared: number } {
  const info = nodeInfo<K>(g, simd, isStatic);
  if (!family.accepts(info)) throw new Error(`${family.name} does not accept this ${info.node.op}`);
  let at = 64;
  const place = (bytes: number): number => {
    const a = at;
    at = align(at + bytes + 16);
    return a;
  };
  const x = info.inputs.map((t) => place(numel(t.shape) * 4));
  const y = info.outputs.map((t) => place(numel(t.shape) * 4));
  const preparedBytes = family.preparedBytes?.(info) ?? 0;
  const prepared = preparedBytes > 0 ? place(preparedBytes) : undefined;
  const scratchBytes = family.scratchBytes?.(info) ?? 0;
  const scratch = scratchBytes > 0 ? place(3 * scratchBytes) : undefined;
  const k: WasmKernelInput<K> = { ...info, x, y, ...(scratch === undefined ? {} : { scratch }), ...(prepared === undefined ? {} : { prepared }) };
  const pages = Math.ceil((at + 64) / 65536);
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
  const mod = new ModuleBuilder({ pages, maxPages: pages, shared: false });
  const f = new FunctionBuilder(['i32', 'i32', 'i32']);
  family.emit(f, k, { lo: 0, hi: 1, share: 2 });
  mod.add(f, 'k');
  if (prepared !== undefined) {
    const p = new FunctionBuilder([]);
    family.emitPrepare!(p, k);
    mod.add(p, 'p');
  }
  const bytes = new Uint8Array(mod.encode());
  if (!WebAssembly.validate(bytes)) new WebAssembly.Module(bytes); // throws with the reason
  const exports = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports;
  const kernel = exports.k as (lo: number, hi: number, share: number) => void;
  const heap = new Float32Array(memory.buffer);
  info.node.inputs.forEach((v, i) => heap.set(inputs[g.inputs.find((gi) => gi.id === v)!.name]!.data as Float32Array, x[i]! / 4));
  if (prepared !== undefined) {
    heap.fill(NaN, prepared / 4, (prepared + preparedBytes) / 4);
    (exports.p as () => void)();
  }
  const units = family.units(info);
  return {
    units, bytes: bytes.length, prepared: preparedBytes,
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

/**
 * The family's kernel against the interpreter at both SIMD levels, over the full unit range and
 * split into 2 and 3 ranges; `isStatic` says which inputs are known at create. Returns the
 * largest error relative to atol + rtol |e| seen (at most 1 when it passes).
 */
export function checkPrepared<K extends OpKind>(g: Graph, family: WasmKernelFamily<K>, inputs: Record<string, Tensor>, isStatic: (i: number) => boolean): number {
  const ref = interpret(g, inputs);
  const expected = g.outputs.map((o) => ref[o.name]!.data as Float32Array);
  let worst = 0;
  for (const simd of SIMD_LEVELS) {
    const k = buildPrepared(g, family, simd, inputs, isStatic);
    for (const parts of [1, 2, 3]) {
      const got = k.run(splitRanges(k.units, parts));
      got.forEach((out, i) => {
        expectClose(out, expected[i]!, `${g.name} ${simd} ${parts} share(s) output ${i}`);
        for (let j = 0; j < out.length; j++) worst = Math.max(worst, Math.abs(out[j]! - expected[i]![j]!) / (1e-5 + 1e-4 * Math.abs(expected[i]![j]!)));
      });
    }
  }
  return worst;
}
