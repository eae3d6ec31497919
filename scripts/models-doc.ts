// `npm run models-doc`: writes docs/models.md — every seed model with its source, the example
// that declares it, its -O2 drawing (docs/models/*.svg), and its status per backend, measured by
// running the PyTorch fixture on each backend here and now.
import { readFileSync, writeFileSync } from 'node:fs';
import type { Tensor } from '../src/ir/tensor.ts';
import { fileURLToPath } from 'node:url';
import { PIPELINES, runPipeline } from '../passes/pipeline.ts';
import { compile, compileWgsl } from '../src/compile.ts';
import { NoAdapterError } from '../src/runtime/webgpu.ts';
import { requestGpu } from '../src/runtime/gpu.ts';
import { useSwiftShader } from '../src/runtime/swiftshader.ts';
import { readSafetensors } from '../src/io/safetensors-file.ts';
import type { Graph } from '../src/ir/graph.ts';
import { compareTensors } from '../src/runtime/compare.ts';
import { interpret } from '../src/runtime/interpreter.ts';
import { renderDot } from '../src/viz/render.ts';
import { toDot } from '../src/viz/dot.ts';
import { EXAMPLE_NAMES, buildExample, fixtureExamples } from '../test/example-graphs.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
interface Fixture {
  name: string;
  seed_file: string | null;
  seed_lines?: { class?: number[] } | null;
  weights_file: string;
  io_file: string;
  outputs: { name: string; key: string }[];
}
const manifest = JSON.parse(readFileSync(`${ROOT}test/fixtures/manifest.json`, 'utf8')) as { fixtures: Fixture[] };

/** The WebGPU adapter's description, or why there is none (SwiftShader is used when installed). */
async function adapter(): Promise<{ name: string } | { missing: string }> {
  useSwiftShader();
  try {
    return { name: (await requestGpu()).adapter };
  } catch (e) {
    if (e instanceof NoAdapterError) return { missing: e.message };
    throw e;
  }
}
const gpu = await adapter();

async function run(g: Graph, backend: 'interp' | 'ts' | 'wgsl', weights: Map<string, Tensor>, io: Map<string, Tensor>): Promise<Record<string, Tensor>> {
  if (backend === 'interp') return interpret(g, io, { weights, ignoreExtraInputs: true });
  if (backend === 'ts') return (await compile(g, { target: 'ts', weights })).run(io);
  const model = await compileWgsl(g, { weights });
  try {
    return await model.run(new Map(g.inputs.map((i) => [i.name, io.get(i.name)!])));
  } finally {
    model.destroy();
  }
}

/** Runs the fixture on one backend: 'pass' when every output is within rtol 1e-4, atol 1e-5. */
async function status(g: Graph, fx: Fixture, backend: 'interp' | 'ts' | 'wgsl'): Promise<string> {
  if (backend === 'wgsl' && 'missing' in gpu) return 'no adapter';
  const weights = await readSafetensors(`${ROOT}test/fixtures/${fx.weights_file}`);
  const io = await readSafetensors(`${ROOT}test/fixtures/${fx.io_file}`);
  const out = await run(g, backend, weights, io);
  const worst = Math.max(...fx.outputs.map((o) => compareTensors(out[o.name]!, io.get(o.key)!, 1e-4, 1e-5).maxAbs));
  const ok = fx.outputs.every((o) => compareTensors(out[o.name]!, io.get(o.key)!, 1e-4, 1e-5).ok);
  return `${ok ? 'pass' : 'FAIL'} (${worst.toExponential(1)})`;
}

const byFixture = await fixtureExamples();
const rows: string[] = [];
for (const fx of manifest.fixtures) {
  const example = byFixture[fx.name];
  if (!example) throw new Error(`fixture ${fx.name} has no example`);
  const g = await buildExample(example);
  const optimised = runPipeline(g, PIPELINES[2]).graph;
  writeFileSync(`${ROOT}docs/models/${example}.svg`, await renderDot(toDot(optimised, { title: `${example} at -O2` }), 'svg'));
  const lines = fx.seed_lines?.class ? `, lines ${fx.seed_lines.class.join('-')}` : '';
  const source = fx.seed_file ? `seeds/${fx.seed_file}${lines}` : 'PyTorch module (no seed code)';
  const ops = optimised.nodes.map((n) => n.op).join(', ');
  rows.push(`| \`${fx.name}\` | ${source} | [examples/${example}.ts](../examples/${example}.ts) | [${optimised.nodes.length} nodes](models/${example}.svg): ${ops} | ${await status(g, fx, 'interp')} | ${await status(g, fx, 'ts')} | ${await status(g, fx, 'wgsl')} |`);
  process.stderr.write(`${fx.name}\n`);
}
const unused = EXAMPLE_NAMES.filter((n) => !Object.values(byFixture).includes(n));

const doc = `# The seed models

Written by \`npm run models-doc\` (scripts/models-doc.ts), which runs every fixture on every backend when it writes this page.
Each row is a model from the seed documents (or the PyTorch module they use), declared with the API in its example file and
checked against what PyTorch 1.13 computes with the same weights and inputs (\`scripts/fixtures/make_fixtures.py\`). A status
cell reads *pass* when every output is within rtol 1e-4, atol 1e-5, followed by the largest absolute difference. The tests
(\`test/fixtures.test.ts\`, \`test/codegen/examples.test.ts\`, \`test/wgsl/wgsl.test.ts\`) check the same thing in CI. The WGSL
column ran on ${'name' in gpu ? `the adapter "${gpu.name}"` : `no adapter (${gpu.missing})`}; SwiftShader is a software
Vulkan driver, so it proves correctness, not GPU speed. The same tolerances hold on the GPU.

| fixture | source | declared in | at -O2 | interpreter | TypeScript | WGSL |
| --- | --- | --- | --- | --- | --- | --- |
${rows.join('\n')}

Recurrent layers (\`rnn\`, \`lstm\`, \`gru\`) are single ops, with the time loop inside the op and its kernel, so a long
sequence stays one node per layer. The seed's Python loop over an \`RNNCell\` is unrolled, as the seed writes it.

Examples that reproduce no fixture on their own (they hold shared code, or sizes used by the benchmark): ${unused.map((n) => `\`${n}\``).join(', ')}.
`;
writeFileSync(`${ROOT}docs/models.md`, doc);
process.exit(0);
