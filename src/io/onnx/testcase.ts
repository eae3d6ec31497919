// Running one ONNX backend node-test folder (model.onnx + test_data_set_N/{input,output}_K.pb) on
// a backend, with the tolerances of the conformance data's README.
import { readFile, readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { compile, compileWgsl } from '../../compile.ts';
import { UnsupportedOpError, isOpgraphError } from '../../errors.ts';
import type { Graph } from '../../ir/graph.ts';
import type { Tensor } from '../../ir/tensor.ts';
import { stridesOf } from '../../ir/types.ts';
import { compareTensors } from '../../runtime/compare.ts';
import { interpret } from '../../runtime/interpreter.ts';
import { OnnxDynamicError } from './context.ts';
import { loadOnnx, onnxInputNames } from './import.ts';
import { DEFAULT_ONNX_LIMITS } from './limits.ts';
import { type OnnxType, decodeModel, decodeOptional, decodeSequence, decodeTensor } from './schema.ts';
import { type OnnxValue, article, flattenOnnxValue, kindOfType, layoutOf, optionalValue, sequenceValue } from './structured.ts';
import { toTensor } from './tensor.ts';

export const ONNX_BACKENDS = ['interp', 'ts', 'wasm', 'wgsl'] as const;
export type OnnxBackend = (typeof ONNX_BACKENDS)[number];

/** Float tolerance: |actual - expected| <= ATOL + RTOL * |expected|; integers and bools compare exactly. */
export const ONNX_TOLERANCE = { rtol: 1e-3, atol: 1e-5 } as const;

/** The outcome of one case. */
export interface CaseResult {
  readonly name: string;
  readonly status: 'passed' | 'failed' | 'unsupported';
  /** Why it failed (largest error and where), or which op is unsupported. */
  readonly detail?: string;
  /** Graph inputs specialised to the data set's values to import the model (see importFor). */
  readonly pinned?: readonly string[];
}

type Runner = (inputs: Map<string, Tensor>) => Promise<Record<string, Tensor>>;

async function runnerFor(g: Graph, backend: OnnxBackend): Promise<{ run: Runner; done(): void }> {
  if (backend === 'interp') return { run: async (inputs) => interpret(g, inputs), done() {} };
  if (backend === 'ts' || backend === 'wasm') {
    const m = await compile(g, { target: backend });
    return { run: async (inputs) => m.run(inputs), done: () => m.dispose() };
  }
  const m = await compileWgsl(g);
  return { run: (inputs) => m.run(inputs), done: () => m.destroy() };
}

/**
 * Reads the `PREFIX_K.pb` values of a data set folder, in K order, each by the kind the model
 * declares for it: a TensorProto, a SequenceProto or an OptionalProto (maps are refused naming
 * the file).
 */
async function readValues(dir: string, prefix: string, types: readonly (OnnxType | null | undefined)[]): Promise<OnnxValue[]> {
  const files = (await readdir(dir)).filter((f) => f.startsWith(`${prefix}_`) && f.endsWith('.pb'));
  const index = (f: string): number => Number(f.slice(prefix.length + 1, -3));
  files.sort((a, b) => index(a) - index(b));
  const src = { limits: DEFAULT_ONNX_LIMITS };
  return Promise.all(files.map(async (f) => {
    const kind = kindOfType(types[index(f)]);
    const path = join(dir, f);
    const bytes = await readFile(path);
    if (kind === 'sequence') return sequenceValue(decodeSequence(bytes), `${path}: sequence`, src);
    if (kind === 'optional') return optionalValue(decodeOptional(bytes), `${path}: optional`, src);
    if (kind !== 'tensor') throw new UnsupportedOpError(`${path}: ${prefix} ${index(f)} holds ${article(kind)}; the test-data reader reads tensors, sequences and optionals`);
    return toTensor(decodeTensor(bytes), `${path}: tensor`, src);
  }));
}

/** True for a tensor (not a sequence or optional value). */
function isTensor(v: OnnxValue | undefined): v is Tensor {
  return v !== undefined && 'dtype' in v;
}

function multiIndex(shape: readonly number[], flat: number): string {
  const strides = stridesOf(shape);
  return `[${strides.map((s, i) => Math.floor(flat / s) % shape[i]!).join(',')}]`;
}

/**
 * Imports the case's model for one data set. Graph inputs that decide static parameters (the
 * test data feeds a Reshape's shape as an input, or a Range limit or Loop trip count computed
 * from inputs) are specialised to the data set's values: each import that fails on a value that
 * must be known at import is retried with the graph inputs it is computed from as constants.
 * Returns the graph and the names pinned.
 */
async function importFor(model: string, names: readonly string[], inputs: readonly OnnxValue[]): Promise<{ graph: Graph; pinned: string[] }> {
  const constantInputs = new Map<string, Tensor>();
  // Symbolic input dimensions take the data set's sizes; sequences and optionals their layouts.
  const inputShapes = Object.fromEntries(names.flatMap((n, i) => (isTensor(inputs[i]) ? [[n, inputs[i].shape]] : [])));
  const layouts = Object.fromEntries(names.flatMap((n, i) => (inputs[i] && !isTensor(inputs[i]) ? [[n, layoutOf(inputs[i])]] : [])));
  for (;;) {
    try {
      return { graph: await loadOnnx(model, { constantInputs, inputShapes, layouts }), pinned: [...constantInputs.keys()] };
    } catch (e) {
      if (!(e instanceof OnnxDynamicError)) throw e;
      const fresh = e.inputs.filter((n) => !constantInputs.has(n) && isTensor(inputs[names.indexOf(n)]));
      if (fresh.length === 0) throw e;
      for (const n of fresh) constantInputs.set(n, inputs[names.indexOf(n)] as Tensor);
    }
  }
}

/** Runs every data set of the case in `dir` on `backend`. */
export async function runOnnxCase(dir: string, backend: OnnxBackend): Promise<CaseResult> {
  const name = basename(dir);
  const pinned = new Set<string>();
  try {
    const sets = (await readdir(dir)).filter((f) => f.startsWith('test_data_set_')).sort();
    if (sets.length === 0) return { name, status: 'failed', detail: 'no test_data_set_N folder' };
    const model = join(dir, 'model.onnx');
    const bytes = await readFile(model);
    const names = onnxInputNames(bytes, model);
    const graph = decodeModel(bytes).graph;
    const inputTypes = names.map((n) => graph?.input.find((i) => i.name === n)?.type);
    const outputs = graph?.output ?? [];
    for (const set of sets) {
      const inputs = await readValues(join(dir, set), 'input', inputTypes);
      const expected = await readValues(join(dir, set), 'output', outputs.map((o) => o.type));
      const { graph: g, pinned: pins } = await importFor(model, names, inputs);
      for (const p of pins) pinned.add(p);
      // Sequences and optionals bind and compare as the tensors they flatten into.
      const byName = new Map(names.flatMap((n, i) => (inputs[i] ? flattenOnnxValue(n, inputs[i]) : [])));
      const bound = new Map(g.inputs.map((inp) => [inp.name, byName.get(inp.name)!]));
      const runner = await runnerFor(g, backend);
      let actual: Record<string, Tensor>;
      try {
        actual = await runner.run(bound);
      } finally {
        runner.done();
      }
      const wanted: [string, Tensor][] = [];
      for (const [k, out] of outputs.entries()) {
        const want = expected[k];
        if (!want) return { name, status: 'failed', detail: `${set}: no expected value for output ${JSON.stringify(out.name)}` };
        wanted.push(...flattenOnnxValue(out.name, want));
      }
      if (wanted.length !== g.outputs.length) return { name, status: 'failed', detail: `${set}: the outputs flatten into ${wanted.length} tensor(s), the graph has ${g.outputs.length} (${g.outputs.map((o) => o.name).join(', ')})` };
      for (const [leaf, want] of wanted) {
        const got = actual[leaf];
        if (!got) return { name, status: 'failed', detail: `${set}: the graph has no output ${JSON.stringify(leaf)}` };
        const float = want.dtype === 'f32';
        const cmp = compareTensors(got, want, float ? ONNX_TOLERANCE.rtol : 0, float ? ONNX_TOLERANCE.atol : 0);
        if (!cmp.ok) {
          const where = cmp.worst >= 0 ? ` at ${multiIndex(want.shape, cmp.worst)}` : '';
          const why = cmp.reason?.startsWith('type') ? cmp.reason : `max |diff| ${cmp.maxAbs.toExponential(3)}${where}`;
          return { name, status: 'failed', detail: `${set} output ${JSON.stringify(leaf)}: ${why}` };
        }
      }
    }
  } catch (e) {
    if (e instanceof UnsupportedOpError) return { name, status: 'unsupported', detail: e.message };
    const msg = isOpgraphError(e) ? `${e.name}: ${e.message}` : e instanceof Error ? `internal error: ${e.message}` : String(e);
    return { name, status: 'failed', detail: msg.replace(/\s*\n\s*/g, ' ') };
  }
  return { name, status: 'passed', ...(pinned.size ? { pinned: [...pinned].sort() } : {}) };
}
