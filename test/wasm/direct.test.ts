// The wasm target without generated source (src/runtime/wasm-direct.ts, what compile() runs in a
// page): every example's binary instantiated directly, nodes without a wasm kernel evaluated by
// the reference semantics over the same memory, matches the interpreter; so does a graph with no
// wasm kernel at all. Bad inputs are one BindingError naming the input. With the host's Node
// built-ins hidden (as in a page), compile() takes this path and the TS target is NodeOnlyError.
import { describe, expect, it, vi } from 'vitest';
import { compile } from '../../src/compile.ts';
import { PIPELINES, runPipeline } from '../../passes/pipeline.ts';
import { constantsAsWeights } from '../../src/codegen/constants.ts';
import { generateWasm } from '../../src/codegen/wasm/index.ts';
import { BindingError, NodeOnlyError } from '../../src/errors.ts';
import type { Graph } from '../../src/ir/graph.ts';
import { type Tensor, type TensorData, tensor } from '../../src/ir/tensor.ts';
import { interpret } from '../../src/runtime/interpreter.ts';
import { instantiateWasmDirect } from '../../src/runtime/wasm-direct.ts';
import { EXAMPLE_NAMES, buildExample } from '../example-graphs.ts';
import { Rng, expectAllClose, randomInputs } from '../codegen/helpers.ts';

/** The graph as compile() hands it to the backend: optimised, large constants as weights. */
const prepared = async (name: string): Promise<Graph> => constantsAsWeights(runPipeline(await buildExample(name), PIPELINES[2]).graph);

const ownWeights = (g: Graph): Record<string, TensorData> => Object.fromEntries(g.weights.map((w) => [w.name, w.data!.data]));

/** Runs `g` through its binary directly; outputs as Tensors of the interpreter's types. */
async function runDirect(g: Graph, inputs: Record<string, Tensor>, noKernels = false): Promise<{ got: Record<string, Tensor>; kernels: number }> {
  const program = generateWasm(g, noKernels ? { noKernels } : {});
  const m = await instantiateWasmDirect(g, program, ownWeights(g));
  const want = interpret(g, inputs);
  const out = m.run(Object.fromEntries(Object.entries(inputs).map(([k, t]) => [k, t.data])));
  const got = Object.fromEntries(Object.entries(want).map(([k, t]) => [k, tensor(t.dtype, t.shape, out[k]!)]));
  return { got, kernels: program.kernels.size };
}

describe('the wasm binary run directly (no generated source)', () => {
  it.each(EXAMPLE_NAMES)('%s matches the interpreter', { timeout: 60_000 }, async (name) => {
    const g = await prepared(name);
    const inputs = randomInputs(g, new Rng(11));
    const { got } = await runDirect(g, inputs);
    expectAllClose(got, interpret(g, inputs), 1e-4, 1e-5, name);
  });

  it('runs wasm kernels where the program has them (the seed MHA: every matmul), and a graph with none', async () => {
    const g = await prepared('mha');
    const inputs = randomInputs(g, new Rng(5));
    const withKernels = await runDirect(g, inputs);
    expect(withKernels.kernels).toBeGreaterThan(0);
    expectAllClose(withKernels.got, interpret(g, inputs), 1e-4, 1e-5, 'kernels');
    const without = await runDirect(g, inputs, true);
    expect(without.kernels).toBe(0);
    expectAllClose(without.got, interpret(g, inputs), 1e-5, 1e-6, 'no kernels');
  });

  it('refuses a missing or mistyped input with a BindingError naming it', async () => {
    const g = await prepared('mha');
    const m = await instantiateWasmDirect(g, generateWasm(g), ownWeights(g));
    const name = g.inputs[0]!.name;
    const good = Object.fromEntries(Object.entries(randomInputs(g, new Rng(1))).map(([k, t]) => [k, t.data]));
    expect(() => m.run({ ...good, [name]: new Float64Array(3) as unknown as TensorData })).toThrow(BindingError);
    const { [name]: _dropped, ...missing } = good;
    expect(() => m.run(missing)).toThrow(new RegExp(`input "${name}"`));
  });
});

describe('compile() where the host offers no Node built-ins (a page, a worker)', () => {
  it('runs the wasm target directly, picks it for auto, and says NodeOnlyError for TypeScript source', async () => {
    const spy = vi.spyOn(process, 'getBuiltinModule').mockReturnValue(undefined as never);
    try {
      const g = await buildExample('mha');
      const inputs = randomInputs(g, new Rng(7));
      const m = await compile(g, { target: 'wasm' });
      expect(m.wasm!.program.kernels.size).toBeGreaterThan(0);
      expectAllClose(m.run(inputs), interpret(g, inputs), 1e-4, 1e-5, 'direct');
      expect((await compile(g)).target).toBe('wasm');
      expect(() => m.source).toThrow(NodeOnlyError);
      await expect(compile(g, { target: 'ts' })).rejects.toThrow(/^writing TypeScript source .* needs Node/);
      await expect(compile(g, { target: 'wasm', threads: 2 })).rejects.toThrow(/threads on the wasm target need Node/);
    } finally {
      spy.mockRestore();
    }
  });
});
