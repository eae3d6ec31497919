// The loaders under fuzz, as a list. Adding a file format is one entry in TARGETS: a name, a seed
// corpus of valid files, its mutators (BYTE_MUTATORS plus format-aware ones) and a `load` that
// feeds one file to the loader. ONNX is one such entry (ONNX_TARGET), with its structure-aware
// mutators in onnx-mutate.ts, plus a child-process CLI target (`opgraph print FILE.onnx`).
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compile } from '../../src/compile.ts';
import type { Graph } from '../../src/ir/graph.ts';
import { numel } from '../../src/ir/types.ts';
import { tensor } from '../../src/ir/tensor.ts';
import { parseSafetensors, parseSafetensorsContents, serializeSafetensors } from '../../src/io/safetensors.ts';
import { runPipeline, PIPELINES } from '../../passes/pipeline.ts';
import { interpret } from '../../src/runtime/interpreter.ts';
import type { FuzzTarget } from './harness.ts';
import { BYTE_MUTATORS, SAFETENSORS_MUTATORS } from './mutate.ts';
import { ONNX_MUTATORS } from './onnx-mutate.ts';
import { HOSTILE_ONNX_MUTATORS } from './hostile-mutate.ts';
import { importOnnx } from '../../src/io/onnx/import.ts';
import { CLI_CHILD_ONNX_TARGET, CLI_CHILD_PRINT_TARGET, CLI_CHILD_RUN_TARGET, cliRunTarget } from './cli-targets.ts';

/** Where the PyTorch fixtures (valid safetensors files) live. */
export const FIXTURES = fileURLToPath(new URL('../../test/fixtures/', import.meta.url));

/** Every fixture file, plus hand-built files covering each dtype, metadata, scalars and empties. */
async function safetensorsSeeds(): Promise<Uint8Array[]> {
  const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.safetensors')).sort();
  const made = serializeSafetensors(
    {
      f: tensor('f32', [2, 3], [1, -2, 0.5, NaN, Infinity, -0]),
      i: tensor('i32', [3], [1, -1, 2147483647]),
      l: tensor('i64', [2], new BigInt64Array([-1n, 2n ** 62n])),
      m: tensor('bool', [2, 2], [1, 0, 0, 1]),
      s: tensor('f32', [], [42]),
      e: tensor('f32', [0, 4], []),
    },
    { format: 'pt' },
  );
  return [...files.map((f) => new Uint8Array(readFileSync(FIXTURES + f))), made, serializeSafetensors({})];
}

const MUTATORS = [...BYTE_MUTATORS, ...SAFETENSORS_MUTATORS];

/** The safetensors reader on its own. */
export const SAFETENSORS_TARGET: FuzzTarget = {
  name: 'safetensors',
  weight: 6,
  seeds: safetensorsSeeds,
  mutators: MUTATORS,
  load(bytes) {
    parseSafetensorsContents(bytes, 'fuzz.safetensors');
  },
};

/**
 * Mutated weights for an example model, bound and run on the interpreter and on generated
 * TypeScript: wrong shapes, dtypes, names and NaN data must end in a BindingError or a result.
 */
export function bindingTarget(example: string, fixture: string): FuzzTarget {
  let model: { graph: Graph; inputs: Map<string, ReturnType<typeof tensor>> } | undefined;
  const setup = async (): Promise<NonNullable<typeof model>> => {
    const mod = (await import(`../../examples/${example}.ts`)) as { default: () => Graph };
    const graph = runPipeline(mod.default(), PIPELINES[2]).graph;
    const inputs = parseSafetensors(readFileSync(`${FIXTURES}${fixture}.io.safetensors`));
    return (model = { graph, inputs });
  };
  return {
    name: `bind:${example}`,
    weight: 1.5,
    async seeds() {
      await setup();
      return [new Uint8Array(readFileSync(`${FIXTURES}${fixture}.weights.safetensors`))];
    },
    mutators: MUTATORS,
    async load(bytes, rng) {
      const { graph, inputs } = model ?? (await setup());
      const weights = parseSafetensors(bytes, 'fuzz.weights.safetensors');
      interpret(graph, inputs, { weights, ignoreExtraInputs: true });
      if (rng.next() < 0.5) {
        const m = await compile(graph, { target: 'ts', optimized: true, weights });
        m.run(new Map(graph.inputs.map((i) => [i.name, inputs.get(i.name)!])));
      }
    },
  };
}

/** The conformance models (../shared/onnx-node) and the PyTorch exports (test/fixtures/*.onnx). */
export async function onnxSeeds(): Promise<Uint8Array[]> {
  const shared = fileURLToPath(new URL('../../../shared/onnx-node/', import.meta.url));
  const cases = readdirSync(shared, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => `${shared}${d.name}/model.onnx`).sort();
  const exports = readdirSync(FIXTURES).filter((f) => f.endsWith('.onnx')).sort().map((f) => FIXTURES + f);
  return [...cases, ...exports].map((f) => new Uint8Array(readFileSync(f)));
}

/** The memory budget of the ONNX target's imports and runs: under the harness's allocation bound. */
const FUZZ_MEMORY_BYTES = 48 * 2 ** 20;

/** Largest number of input and weight elements of an imported model the ONNX target runs. */
const RUN_ELEMENTS = 1 << 18;

/**
 * The ONNX importer, then the interpreter on zero inputs of the imported graph's types (the
 * importer's limits bound what that allocates): a lying model must end in a typed error.
 */
export const ONNX_TARGET: FuzzTarget = {
  name: 'onnx',
  weight: 4,
  seeds: onnxSeeds,
  mutators: [...BYTE_MUTATORS, ...ONNX_MUTATORS, ...ONNX_MUTATORS, ...HOSTILE_ONNX_MUTATORS],
  load(bytes, rng) {
    // The memory budget (not the harness) must stop models that declare gigabytes in a few bytes.
    const g = importOnnx(bytes, { name: 'fuzz.onnx', maxMemoryBytes: FUZZ_MEMORY_BYTES });
    // Running is the harness's choice, not the loader's: only models whose inputs and weights are
    // small, so that what the run allocates stays within the harness's allocation bound.
    const declared = [...g.inputs, ...g.weights].reduce((n, v) => n + numel(v.type.shape), 0);
    if (declared <= RUN_ELEMENTS && rng.next() < 0.5) interpret(g, new Map(g.inputs.map((i) => [i.name, tensor(i.type.dtype, i.type.shape)])), { ignoreExtraInputs: true, maxMemoryBytes: FUZZ_MEMORY_BYTES });
  },
};

/** Every target `npm run fuzz` and the test slice run. */
export const TARGETS: readonly FuzzTarget[] = [
  SAFETENSORS_TARGET,
  ONNX_TARGET,
  bindingTarget('mha', 'seed000_mha_qkv_h2_d6'),
  bindingTarget('lstm', 'seed001_lstm'),
  cliRunTarget('mha', 'seed000_mha_qkv_h2_d6'),
  cliRunTarget('rnn-embed-linear', 'seed001_rnn_embed_linear'),
  CLI_CHILD_RUN_TARGET,
  CLI_CHILD_PRINT_TARGET,
  CLI_CHILD_ONNX_TARGET,
];
