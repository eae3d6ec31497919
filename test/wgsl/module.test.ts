// The standalone WGSL module (`opgraph compile --target wgsl`): its loader type-checks under a
// consumer's strict flags for every example, with @webgpu/types or none; on a WebGPU adapter (SwiftShader here) the loader, imported as
// a real file, matches the interpreter; check mode names a node whose kernel was corrupted; a WGSL
// error names the kernel and the line.
import { describe, expect, it } from 'vitest';
import { PIPELINES, runPipeline } from '../../passes/pipeline.ts';
import { INLINE_WEIGHT_BYTES } from '../../src/codegen/ts/index.ts';
import { type WgslProgram, generateWgsl } from '../../src/codegen/wgsl/index.ts';
import { emitWgslModule } from '../../src/codegen/wgsl/module.ts';
import type { Graph } from '../../src/ir/graph.ts';
import { type Tensor, tensor } from '../../src/ir/tensor.ts';
import { serializeSafetensors } from '../../src/io/safetensors.ts';
import { interpret } from '../../src/runtime/interpreter.ts';
import { DeviceLostError, ShaderError, WebGpuModel } from '../../src/runtime/webgpu.ts';
import { checkWgsl } from '../../src/runtime/wgsl-check.ts';
import { ROOT } from '../cli/run-cli.ts';
import { Rng, expectAllClose, importModule, randomInputs, typecheck } from '../codegen/helpers.ts';
import { EXAMPLE_NAMES, buildExample } from '../example-graphs.ts';
import { adapterOrReason, skipNote } from './adapter.ts';

const optimised = async (name: string): Promise<Graph> => runPipeline(await buildExample(name), PIPELINES[2]).graph;

/** The loader of an optimised graph, weights embedded or not. */
function loaderOf(g: Graph, inlineWeights: boolean): { program: WgslProgram; loader: string } {
  const program = generateWgsl(g);
  return { program, loader: emitWgslModule(g, program, { inlineWeights }).loader };
}

/** The graph's own weights as the loader's Weights object. */
const ownWeights = (g: Graph) => Object.fromEntries(g.weights.map((w) => [w.name, w.data!.data]));

describe('WGSL standalone module', () => {
  it('every example\'s loader passes tsc --strict (weights embedded when tiny, else from a file)', async () => {
    const files: Record<string, string> = {};
    for (const name of EXAMPLE_NAMES) {
      const g = await optimised(name);
      const bytes = g.weights.reduce((n, w) => n + w.data!.data.byteLength, 0);
      files[`${name}/model.ts`] = loaderOf(g, bytes <= INLINE_WEIGHT_BYTES).loader;
      if (name === 'mha') files['mha-file/model.ts'] = loaderOf(g, false).loader;
    }
    files['use.ts'] = [
      "import { create, loadWeights, type Inputs, type Outputs, LAYOUT, KERNELS } from './mha-file/model.ts';",
      'export async function use(device: GPUDevice, bytes: Uint8Array, inputs: Inputs): Promise<Outputs> {',
      '  const model = await create(device, loadWeights(bytes));',
      '  const words: number = LAYOUT.words + KERNELS.length;',
      '  void words;',
      '  return model.run(inputs);',
      '}',
    ].join('\n');
    // With @webgpu/types' GPUDevice handed to create(), and with none but lib.dom's: the loader declares the WebGPU it uses.
    // (@webgpu/types and TypeScript 7's lib.dom clash with each other, hence skipLibCheck there: it skips .d.ts files only.)
    const r = typecheck(files, ['--typeRoots', `${ROOT}node_modules/@webgpu`, '--types', 'types', '--allowImportingTsExtensions', '--skipLibCheck']);
    expect(r.output).toBe('');
    expect(r.status).toBe(0);
    const bare = typecheck(files, ['--types', '', '--allowImportingTsExtensions']);
    expect(bare.output).toBe('');
    expect(bare.status).toBe(0);
  });

  it('writes one shader per kernel, the same text as the loader holds, with no model names', async () => {
    const g = await optimised('mha');
    const program = generateWgsl(g);
    const mod = emitWgslModule(g, program, { inlineWeights: true });
    expect([...mod.shaders.keys()]).toEqual(program.kernels.map((k) => `${k.name}.wgsl`));
    for (const [file, code] of mod.shaders) {
      expect(mod.loader).toContain(JSON.stringify(code));
      for (const v of [...g.inputs, ...g.weights]) expect(code, file).not.toContain(v.name);
    }
  });
});

const { gpu, reason } = await adapterOrReason();

describe.skipIf(!gpu)(`WGSL module on WebGPU${skipNote(reason)}`, () => {
  it.each(['mha', 'rnn-embed-linear'])('the %s loader, imported as a file, matches the interpreter', async (name) => {
    const g = await optimised(name);
    const inputs = randomInputs(g, new Rng(7));
    const want = interpret(g, inputs);
    const types = new Map(g.outputs.map((o) => [o.name, want[o.name]!]));
    for (const inline of [true, false]) {
      const mod = await importModule(loaderOf(g, inline).loader);
      const create = (mod as unknown as { create(d: GPUDevice, w?: unknown): Promise<{ run(i: unknown): Promise<Record<string, Tensor['data']>>; destroy(): void }> }).create;
      const weights = inline ? undefined : mod.loadWeights(serializeSafetensors(new Map(g.weights.map((w) => [w.name, w.data!]))));
      const model = await create(gpu!.device, weights);
      try {
        const out = await model.run(Object.fromEntries(Object.entries(inputs).map(([k, t]) => [k, t.data])));
        const got = Object.fromEntries(Object.entries(out).map(([k, d]) => [k, tensor(types.get(k)!.dtype, types.get(k)!.shape, d)]));
        expectAllClose(got, want, 1e-4, 1e-5, `${name} (weights ${inline ? 'embedded' : 'from safetensors'})`);
        await expect(model.run({})).rejects.toThrow(/input .*expected .*Array of length/);
      } finally {
        model.destroy();
      }
    }
    expect(Object.keys(ownWeights(g)).length).toBeGreaterThan(0);
  });

  /** `program` with kernel `i` replaced by one writing `value` (WGSL f32 expression) over its output. */
  function corrupt(program: WgslProgram, i: number, value: string): WgslProgram {
    const k = program.kernels[i]!;
    const r = k.writes[0]!;
    const code = [
      '@group(0) @binding(0) var<storage, read_write> mem: array<u32>;',
      '@compute @workgroup_size(64)',
      'fn main(@builtin(global_invocation_id) g: vec3u) {',
      `  if (g.x < ${r.length}u) { mem[${r.base}u + g.x] = bitcast<u32>(${value}); }`,
      '}',
    ].join('\n');
    const kernels = program.kernels.map((q, j) => (j === i ? { ...q, code, dispatch: [Math.ceil(r.length / 64), 1] as const } : q));
    return { ...program, kernels };
  }

  it('check mode reports no divergence for a correct program', async () => {
    const g = await optimised('mha');
    const report = await checkWgsl(gpu!, g, generateWgsl(g), randomInputs(g, new Rng(3)));
    expect(report.compared).toBe(generateWgsl(g).kernels.filter((k) => k.node !== undefined).length);
    expect(report.divergence).toBeUndefined();
    expect(report.nonFinite).toBeUndefined();
  });

  it('check mode names the node whose kernel was corrupted, and where NaN first appears', async () => {
    const g = await optimised('mha');
    const program = generateWgsl(g);
    const target = program.kernels.findIndex((k) => k.node !== undefined && g.nodes[k.node]!.op === 'attention');
    expect(target).toBeGreaterThan(0);
    const k = program.kernels[target]!;
    const node = g.nodes[k.node!]!;
    const inputs = randomInputs(g, new Rng(3));

    const wrong = await checkWgsl(gpu!, g, corrupt(program, target, '1234.5'), inputs);
    expect(wrong.divergence).toMatchObject({ node: k.node, op: 'attention', kernel: k.name, output: 0, value: node.outputs[0]!.id, actual: 1234.5 });
    expect(wrong.divergence!.maxAbs).toBeGreaterThan(1000);
    expect(wrong.divergence!.position).toHaveLength(node.outputs[0]!.type.shape.length);
    expect(wrong.nonFinite).toBeUndefined();

    const nan = await checkWgsl(gpu!, g, corrupt(program, target, 'bitcast<f32>(0x7fc00000u | (g.x & 0u))'), inputs);
    expect(nan.nonFinite).toMatchObject({ node: k.node, op: 'attention', kernel: k.name, position: node.outputs[0]!.type.shape.map(() => 0) });
    expect(Number.isNaN(nan.nonFinite!.actual)).toBe(true);
    expect(nan.divergence).toMatchObject({ node: k.node, maxAbs: Infinity });
  });

  it('a WGSL compile error is a ShaderError naming the kernel and the line', async () => {
    const g = await optimised('mha');
    const program = generateWgsl(g);
    const k = program.kernels[1]!;
    const lines = k.code.split('\n');
    const at = lines.findIndex((l) => l.startsWith('fn main')) + 2;
    lines.splice(at, 0, '  let broken: u32 = undefined_name;');
    const bad = { ...program, kernels: program.kernels.map((q, j) => (j === 1 ? { ...q, code: lines.join('\n') } : q)) };
    const err = await WebGpuModel.create(gpu!, g, bad).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ShaderError);
    expect((err as Error).message).toMatch(new RegExp(`^kernel ${k.name}: WGSL line ${at + 1}: .*undefined_name`));
  });

  // Last: it destroys the shared device (requestGpu hands out a fresh one afterwards).
  it('a lost device is a DeviceLostError naming the reason', async () => {
    const g = await optimised('mha');
    const model = await WebGpuModel.create(gpu!, g, generateWgsl(g));
    gpu!.device.destroy();
    await gpu!.device.lost;
    const err = await model.run(randomInputs(g, new Rng(1))).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(DeviceLostError);
    expect((err as Error).message).toMatch(/^the WebGPU device was lost: destroyed/);
  });
});
