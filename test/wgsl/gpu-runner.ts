// Runs WGSL jobs in a child process (spawned by wgsl.test.ts): each op case and each example is
// compiled to WGSL, run on the WebGPU adapter and compared with the expected tensors (or the
// interpreter). Results go to the JSON file named by argv[2]. Dawn's Node binding can crash while
// tearing down after its work is done, so the process ends itself with SIGKILL once the results
// are written: nothing it computed depends on the teardown.
import { writeFileSync } from 'node:fs';
import { compileWgsl } from '../../src/compile.ts';
import { NoAdapterError, requestGpu } from '../../src/runtime/webgpu.ts';
import { interpret } from '../../src/runtime/interpreter.ts';
import { compareTensors } from '../../src/runtime/compare.ts';
import { readSafetensors } from '../../src/io/safetensors.ts';
import type { Tensor } from '../../src/ir/tensor.ts';
import { VALUE_CASES, namedInputs, oneNodeGraph, randomInputs, Rng } from '../codegen/helpers.ts';
import { EXAMPLE_NAMES, buildExample, fixtureExamples } from '../example-graphs.ts';
import { existsSync, readFileSync } from 'node:fs';
import { loadOnnx } from '../../src/io/onnx/import.ts';

/** One job's outcome. */
export interface GpuResult {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

function compareAll(got: Record<string, Tensor>, want: Record<string, Tensor>, rtol: number, atol: number): { ok: boolean; detail: string } {
  const parts = Object.entries(want).map(([k, w]) => [k, compareTensors(got[k]!, w, rtol, atol)] as const);
  return { ok: parts.every(([, c]) => c.ok), detail: parts.map(([k, c]) => `${k}: ${c.reason ?? `max |diff| ${c.maxAbs.toExponential(1)}`}`).join('; ') };
}

/** Every job: op cases, fixtures at -O0 and -O2, the fixtures' ONNX exports, examples on random inputs. */
async function jobs(): Promise<{ name: string; job: () => Promise<{ ok: boolean; detail: string }> }[]> {
  const list: { name: string; job: () => Promise<{ ok: boolean; detail: string }> }[] = [];
  for (const c of VALUE_CASES) {
    list.push({
      name: `op ${c.op}: ${c.name}`,
      job: async () => {
        const model = await compileWgsl(oneNodeGraph(c.name, c.op, c.attrs, c.inputs), { level: 0 });
        const want = Object.fromEntries(c.expect.map((t, i) => [`y${i}`, t]));
        try {
          return compareAll(await model.run(namedInputs(c.inputs)), want, Math.max(c.rtol ?? 1e-5, 1e-5), Math.max(c.atol ?? 1e-6, 1e-5));
        } finally {
          model.destroy();
        }
      },
    });
  }
  const manifest = JSON.parse(readFileSync(new URL('../fixtures/manifest.json', import.meta.url), 'utf8')) as { fixtures: { name: string; weights_file: string; io_file: string; outputs: { name: string; key: string }[] }[] };
  const byFixture = await fixtureExamples();
  for (const fx of manifest.fixtures) {
    for (const level of [0, 2] as const) {
      list.push({
        name: `fixture ${fx.name} -O${level}`,
        job: async () => {
          const g = await buildExample(byFixture[fx.name]!);
          const weights = await readSafetensors(new URL(`../fixtures/${fx.weights_file}`, import.meta.url).pathname);
          const io = await readSafetensors(new URL(`../fixtures/${fx.io_file}`, import.meta.url).pathname);
          const model = await compileWgsl(g, { weights, level });
          try {
            const got = await model.run(new Map(g.inputs.map((i) => [i.name, io.get(i.name)!])));
            return compareAll(got, Object.fromEntries(fx.outputs.map((o) => [o.name, io.get(o.key)!])), 1e-4, 1e-5);
          } finally {
            model.destroy();
          }
        },
      });
    }
  }
  for (const fx of manifest.fixtures.filter((f) => existsSync(new URL(`../fixtures/${f.name}.onnx`, import.meta.url)))) {
    list.push({
      name: `onnx export ${fx.name}`,
      job: async () => {
        const g = await loadOnnx(new URL(`../fixtures/${fx.name}.onnx`, import.meta.url).pathname);
        const io = await readSafetensors(new URL(`../fixtures/${fx.io_file}`, import.meta.url).pathname);
        const model = await compileWgsl(g, { level: 2 });
        try {
          const got = await model.run(new Map(g.inputs.map((i) => [i.name, io.get(i.name)!])));
          return compareAll(got, Object.fromEntries(fx.outputs.map((o) => [o.name, io.get(o.key)!])), 1e-4, 1e-5);
        } finally {
          model.destroy();
        }
      },
    });
  }
  for (const name of EXAMPLE_NAMES) {
    list.push({
      name: `example ${name} on random inputs`,
      job: async () => {
        const g = await buildExample(name);
        const inputs = randomInputs(g, new Rng(0x9a5));
        const model = await compileWgsl(g, { level: 2 });
        try {
          return compareAll(await model.run(inputs), interpret(g, inputs), 1e-4, 1e-5);
        } finally {
          model.destroy();
        }
      },
    });
  }
  return list;
}

/** Runs jobs [from, to) and writes { adapter, total, results } to `out`. */
async function run(out: string, from: number, to: number): Promise<void> {
  const list = await jobs();
  let adapter: string;
  try {
    adapter = (await requestGpu()).adapter;
  } catch (e) {
    if (!(e instanceof NoAdapterError)) throw e;
    writeFileSync(out, JSON.stringify({ adapter: null, reason: e.message, total: list.length, results: [] }));
    return;
  }
  const results: GpuResult[] = [];
  for (const { name, job } of list.slice(from, to)) {
    if (process.env.OPGRAPH_GPU_TRACE) process.stderr.write(`${name}\n`);
    try {
      results.push({ name, ...(await job()) });
    } catch (e) {
      results.push({ name, ok: false, detail: `threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}` });
    }
  }
  writeFileSync(out, JSON.stringify({ adapter, total: list.length, results }));
}

await run(process.argv[2]!, Number(process.argv[3] ?? 0), Number(process.argv[4] ?? Infinity));
process.kill(process.pid, 'SIGKILL');
