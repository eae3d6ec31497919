// The wasm target without generated source: the program's binary instantiated as it is, its
// memory laid out and filled in the order the generated loader uses (src/codegen/wasm/module.ts:
// weights and constants, then the static nodes once with their prepares, then the prepares of
// the rest), and every node without a wasm kernel evaluated by its reference semantics
// (evaluateNode) over views of that memory. No TypeScript, no ts-morph, no `new Function`: this
// is how compile() runs the wasm target where the TS source emitter cannot (a browser, a worker).
// One thread; the nodes the loader would give TS kernels run at the interpreter's speed here.
import type { WasmProgram } from '../codegen/wasm/index.ts';
import type { Storage } from '../codegen/plan.ts';
import { BindingError } from '../errors.ts';
import { type Graph, type Node, valueTypes } from '../ir/graph.ts';
import { type TensorData, allocData, tensor } from '../ir/tensor.ts';
import type { DType } from '../ir/types.ts';
import { evaluateNode } from './interpreter.ts';

/** A model over one wasm memory, as a generated loader's Model behaves (typed arrays in, fresh arrays out). */
export interface DirectWasmModel {
  readonly simd: 'relaxed' | 'plain';
  run(inputs: Readonly<Record<string, TensorData>>): Record<string, TensorData>;
  weight(name: string): TensorData;
  dispose(): void;
}

type Kernel = (lo: number, hi: number, share: number) => void;

/** A typed array of `dtype` over `length` elements at `byteOffset` of `buffer` (f64: scratch). */
function viewOf(buffer: ArrayBuffer, s: Storage, byteOffset: number): TensorData | Float64Array {
  if (s.dtype === 'f64') return new Float64Array(buffer, byteOffset, s.length);
  const like = allocData(s.dtype, 0);
  return new (like.constructor as new (b: ArrayBuffer, o: number, n: number) => TensorData)(buffer, byteOffset, s.length);
}

/** Checks a caller's array (type and length) before it is copied into the memory. */
function checked(value: unknown, like: TensorData | Float64Array, what: string): TensorData {
  const ctor = like.constructor as { name: string };
  if (!(value instanceof (like.constructor as unknown as typeof Float32Array)) || (value as TensorData).length !== like.length) {
    throw new BindingError(`${what}: expected ${ctor.name} of length ${like.length}`);
  }
  return value as TensorData;
}

/** Instantiates `program` (generated for one thread from `g`) with `weights` by name. */
export async function instantiateWasmDirect(g: Graph, program: WasmProgram, weights: Readonly<Record<string, TensorData>>, opts: { simd?: 'relaxed' | 'plain' } = {}): Promise<DirectWasmModel> {
  const { plan, layout, kernels } = program;
  const binary = (level: 'relaxed' | 'plain') => program.binaries[level] as Uint8Array<ArrayBuffer>;
  const simd = opts.simd ?? (WebAssembly.validate(binary('relaxed')) ? 'relaxed' : 'plain');
  const memory = new WebAssembly.Memory({ initial: layout.pages, maximum: layout.pages });
  const module = await WebAssembly.compile(binary(simd));
  const instance = await WebAssembly.instantiate(module, { env: { memory } });
  const exports = instance.exports as Record<string, Kernel>;
  const views = plan.storages.map((s) => viewOf(memory.buffer, s, layout.address[s.id]!));
  const view = (s: number): TensorData => views[s] as TensorData;
  const types = valueTypes(g);
  const storageOf = (v: number): number => plan.storageOf.get(v)!;
  for (const s of plan.storages) {
    if (s.kind === 'weight') {
      const w = g.weights[s.index]!;
      view(s.id).set(checked(weights[w.name], views[s.id]!, `weight ${JSON.stringify(w.name)}`) as never);
    }
    if (s.kind === 'constant') {
      const n = g.nodes[s.index]!;
      if (n.op === 'constant') view(s.id).set(n.attrs.value.data as never);
    }
  }
  const runNode = (n: Node): void => {
    const k = kernels.get(n);
    if (k) {
      exports[k.kernel]!(0, k.units, 0);
      return;
    }
    if (n.op === 'constant' || plan.views.has(n)) return;
    const args = n.inputs.map((v) => {
      const t = types.get(v)!;
      return tensor(t.dtype as DType, t.shape, view(storageOf(v)));
    });
    evaluateNode(n, args).forEach((t, i) => view(storageOf(n.outputs[i]!.id)).set(t.data as never));
  };
  const prepare = (n: Node): void => {
    const p = kernels.get(n)?.prepare;
    if (p) (exports[p] as unknown as () => void)();
  };
  for (const n of g.nodes) {
    if (!plan.statics.has(n)) continue;
    prepare(n);
    runNode(n);
  }
  for (const n of g.nodes) if (!plan.statics.has(n)) prepare(n);
  const first = (kind: 'output' | 'weight'): Map<number, number> => {
    const m = new Map<number, number>();
    for (const s of plan.storages) if (s.kind === kind && !m.has(s.index)) m.set(s.index, s.id);
    return m;
  };
  const [outputStorage, weightStorage] = [first('output'), first('weight')];
  return {
    simd,
    run(inputs) {
      for (const s of plan.storages) {
        if (s.kind !== 'input') continue;
        const v = g.inputs[s.index]!;
        view(s.id).set(checked(inputs[v.name], views[s.id]!, `input ${JSON.stringify(v.name)}`) as never);
      }
      for (const n of g.nodes) if (!plan.statics.has(n)) runNode(n);
      for (const c of plan.copies) view(c.output).set(view(c.from) as never);
      return Object.fromEntries(g.outputs.map((o, k) => [o.name, view(outputStorage.get(k)!).slice()]));
    },
    weight(name) {
      const i = g.weights.findIndex((w) => w.name === name);
      const s = i < 0 ? undefined : weightStorage.get(i);
      if (s === undefined) throw new BindingError(`no weight ${JSON.stringify(name)} in this model`);
      return view(s);
    },
    dispose() {},
  };
}
