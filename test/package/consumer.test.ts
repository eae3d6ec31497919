// The package as a dependency (issue 18): the packed tarball installed into a fresh project, then
// each entry imported with plain node; the installed CLI and the session API run an ONNX model
// with no TypeScript loader; a strict consumer program and the modules the installed CLI wrote for
// every target (model.ts, model.d.ts) type-check on TypeScript 7 and 5.9 without skipLibCheck; a
// page using `opgraph/runtime`, and one that builds, imports (ONNX bytes) and compiles models with
// `opgraph` itself, bundle with esbuild for the browser and run in headless Chromium, matching the
// reference interpreter. Prints the figures docs/packaging.md quotes.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graph, nn } from '../../src/api/index.ts';
import { loadOnnx } from '../../src/io/onnx/import.ts';
import { serializeSafetensors } from '../../src/io/safetensors.ts';
import { readSafetensors } from '../../src/io/safetensors-file.ts';
import { type Tensor, tensor } from '../../src/ir/tensor.ts';
import { interpret } from '../../src/runtime/interpreter.ts';
import { chromiumMissing, pageResult, serve } from '../browser.ts';
import { expectAllClose } from '../codegen/helpers.ts';
import { skipNote } from '../wgsl/adapter.ts';
import { type Consumer, ROOT, makeConsumer } from './consumer-project.ts';

const FIXTURE = join(ROOT, 'test/fixtures/seed000_mha_qkv_h2_d6');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

let c: Consumer;
let inputs: Map<string, Tensor>;
let expected: Record<string, Tensor>;

/** Runs `node` in the consumer project (no loader flags: plain node) and returns stdout. */
const node = (args: readonly string[]): string => execFileSync(process.execPath, args, { cwd: c.dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

beforeAll(async () => {
  c = makeConsumer();
  const g = await loadOnnx(`${FIXTURE}.onnx`);
  const io = await readSafetensors(`${FIXTURE}.io.safetensors`);
  inputs = new Map(g.inputs.map((i) => [i.name, io.get(i.name)!]));
  expected = interpret(g, inputs);
  // The installed CLI, plain node: the wasm module as TypeScript (for the page) and as model.js + model.d.ts.
  const bin = join(c.dir, 'node_modules/opgraph/bin/opgraph.mjs');
  for (const [out, target, emit] of [['out', 'wasm', 'ts'], ['out-js', 'wasm', 'js'], ['out-ts', 'ts', 'ts'], ['out-ts-js', 'ts', 'js'], ['out-wgsl', 'wgsl', 'ts'], ['out-wgsl-js', 'wgsl', 'js']] as const) {
    execFileSync(process.execPath, [bin, 'compile', `${FIXTURE}.onnx`, '--target', target, '--emit', emit, '--out', join(c.dir, out)], { cwd: c.dir, stdio: 'pipe' });
  }
  console.log(`packaging: tarball ${c.packedBytes} B packed, installed ${c.installedBytes} B (opgraph + dependency closure)`);
}, 120_000);

afterAll(() => {
  if (c) rmSync(c.dir, { recursive: true, force: true });
});

describe('the packed tarball in a fresh project', () => {
  it('holds dist, bin, README, LICENSE and docs only, under 1.5 MB packed', () => {
    const files = execFileSync('tar', ['-tzf', c.tarball], { encoding: 'utf8' }).trim().split('\n').map((f) => f.replace(/^package\//, ''));
    const tops = new Set(files.map((f) => f.split('/')[0]));
    expect([...tops].sort()).toEqual(['LICENSE', 'README.md', 'bin', 'dist', 'docs', 'package.json']);
    expect(files.some((f) => f.endsWith('.safetensors') || f.endsWith('.onnx'))).toBe(false);
    // docs/ ships as text: its pictures (1.6 MB of SVG and PNG) stay in the repository, but README's.
    expect(files.filter((f) => f.startsWith('docs/') && !f.endsWith('.md'))).toEqual(['docs/images/mha.svg']);
    expect(c.packedBytes).toBeLessThan(1.5 * 1024 * 1024);
    // No optional dependency came along: the drawing, Dawn and loader packages are the user's choice.
    for (const d of ['tsx', 'webgpu', '@resvg/resvg-js', 'graphviz-cli']) expect(existsSync(join(c.dir, 'node_modules', d)), d).toBe(false);
  });

  it.each([
    ['opgraph/runtime', ['tensor', 'parseSafetensors', 'compareTensors', 'WebGpuModel', 'gpuFromDevice', 'VERSION']],
    ['opgraph', ['graph', 'compile', 'compileWgsl', 'interpret', 'load', 'loadOnnx', 'VERSION']],
    ['opgraph/onnx', ['importOnnx', 'loadOnnx', 'loadOnnxUrl', 'load']],
    ['opgraph/node', ['readSafetensors', 'writeSafetensors', 'requestGpu', 'renderDot']],
  ] as const)('%s imports with plain node', (entry, names) => {
    const script = `const t = performance.now(); const m = await import(${JSON.stringify(entry)}); console.log(JSON.stringify({ ms: performance.now() - t, names: Object.keys(m), version: m.VERSION ?? null }));`;
    const r = JSON.parse(node(['--input-type=module', '-e', script])) as { ms: number; names: string[]; version: string | null };
    for (const n of names) expect(r.names, `${entry} exports ${n}`).toContain(n);
    if (r.version !== null) expect(r.version).toBe(VERSION);
    console.log(`packaging: import ${entry}: ${r.ms.toFixed(1)} ms`);
  });

  it('runs the installed CLI with plain node: --version, and compile on an ONNX file (--emit ts and js)', () => {
    const bin = join(c.dir, 'node_modules/opgraph/bin/opgraph.mjs');
    expect(node([bin, '--version']).trim()).toBe(VERSION);
    expect(readFileSync(join(c.dir, 'out/model.ts'), 'utf8')).toContain('export async function create');
    expect(existsSync(join(c.dir, 'out-js/model.ts'))).toBe(false);
    expect(readFileSync(join(c.dir, 'out-js/model.d.ts'), 'utf8')).toMatch(/export declare function create/);
  });

  it('runs the model.js of --emit js with plain node, matching the interpreter', () => {
    const feeds = Object.fromEntries([...inputs].map(([k, t]) => [k, Array.from(t.data as Float32Array)]));
    writeFileSync(join(c.dir, 'feeds.json'), JSON.stringify(feeds));
    writeFileSync(join(c.dir, 'run-js.mjs'), `import { create } from './out-js/model.js';
import { readFileSync } from 'node:fs';
const feeds = JSON.parse(readFileSync('feeds.json', 'utf8'));
const m = await create();
const out = m.run(Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, Float32Array.from(v)])));
m.dispose();
console.log(JSON.stringify(Object.fromEntries(Object.entries(out).map(([k, v]) => [k, Array.from(v)]))));`);
    const r = JSON.parse(node(['run-js.mjs'])) as Record<string, number[]>;
    const got = Object.fromEntries(Object.entries(r).map(([k, v]) => [k, tensor('f32', expected[k]!.shape, Float32Array.from(v))]));
    expectAllClose(got, expected, 1e-4, 1e-5, 'model.js');
  });

  it('says what to install when a .ts model needs the TypeScript loader', () => {
    writeFileSync(join(c.dir, 'model.ts'), 'export default 1;\n');
    const bin = join(c.dir, 'node_modules/opgraph/bin/opgraph.mjs');
    let err = '';
    try {
      execFileSync(process.execPath, [bin, 'print', 'model.ts'], { cwd: c.dir, stdio: 'pipe', encoding: 'utf8' });
    } catch (e) {
      err = String((e as { stderr: string }).stderr);
    }
    expect(err).toMatch(/needs a TypeScript loader: npm install tsx/);
  });

  it.each(['interp', 'ts', 'wasm', 'auto'] as const)('load() in a Node program matches the interpreter (target %s)', (target) => {
    const feeds = Object.fromEntries([...inputs].map(([k, t]) => [k, Array.from(t.data as Float32Array)]));
    writeFileSync(join(c.dir, 'feeds.json'), JSON.stringify(feeds));
    const script = `import { load } from 'opgraph';
import { readFileSync } from 'node:fs';
const s = await load(readFileSync(${JSON.stringify(`${FIXTURE}.onnx`)}), { target: ${JSON.stringify(target)} });
const feeds = JSON.parse(readFileSync('feeds.json', 'utf8'));
const out = await s.run(Object.fromEntries(s.inputs.map((i) => [i.name, Float32Array.from(feeds[i.name])])));
s.dispose();
console.log(JSON.stringify({ target: s.target, inputs: s.inputs, outputs: s.outputs, values: Object.fromEntries(Object.entries(out).map(([k, t]) => [k, { shape: t.shape, data: Array.from(t.data) }])) }));`;
    writeFileSync(join(c.dir, 'session.mjs'), script);
    const r = JSON.parse(node(['session.mjs'])) as { target: string; inputs: { name: string; shape: number[] }[]; outputs: { name: string; dtype: string; shape: number[] }[]; values: Record<string, { shape: number[]; data: number[] }> };
    expect(r.target).toBe(target === 'auto' ? 'wasm' : target);
    expect(r.inputs.map((i) => i.name).sort()).toEqual([...inputs.keys()].sort());
    expect(r.outputs.map((o) => [o.name, o.dtype, o.shape])).toEqual(Object.entries(expected).map(([k, t]) => [k, t.dtype, t.shape]));
    const got = Object.fromEntries(Object.entries(r.values).map(([k, v]) => [k, tensor('f32', v.shape, Float32Array.from(v.data))]));
    expectAllClose(got, expected, 1e-4, 1e-5, target);
  });
});

/** A consumer program under the strictest common flags, using every entry's types. */
const CONSUMER_TS = `import { tensor, parseSafetensors, compareTensors, WebGpuModel, gpuFromDevice, type Tensor, type Gpu } from 'opgraph/runtime';
import { graph, compile, interpret, load, type CompiledModel, type Session, type TensorInfo } from 'opgraph';
import { importOnnx, loadOnnxUrl, type OnnxImportOptions } from 'opgraph/onnx';
import { readSafetensors, renderDot } from 'opgraph/node';

const x: Tensor = tensor('f32', [2], new Float32Array([1, 2]));
const first: number | undefined = x.shape[0];
const g = graph('double', (b) => b.input('x', [2]).add(b.input('x2', [2])));
export async function main(bytes: Uint8Array): Promise<number> {
  const m: CompiledModel = await compile(g, { target: 'ts' });
  const ref = interpret(g, { x, x2: x });
  const out = m.run({ x, x2: x });
  const s: Session = await load(bytes, { target: 'wasm', dims: { batch: 1 } });
  const info: readonly TensorInfo[] = s.inputs;
  const opts: OnnxImportOptions = { shapes: { x: [1, 2] } };
  const weights = parseSafetensors(bytes);
  const w = await readSafetensors('w.safetensors');
  const svg: string = await renderDot('digraph {}', 'svg');
  const run = await s.run({ x: new Float32Array(2) });
  void [importOnnx, loadOnnxUrl, WebGpuModel, gpuFromDevice, opts, weights, w, svg, run, info];
  const gpu: Gpu | undefined = undefined;
  void gpu;
  return compareTensors(Object.values(out)[0]!, Object.values(ref)[0]!).maxAbs + (first ?? 0);
}
`;

/**
 * The strictest common flags; `include` adds the model.ts files `opgraph compile` wrote for the
 * wasm, ts and wgsl targets (generated source, type-checked as the consumer's own code).
 */
const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', lib: ['ES2022', 'DOM'], noEmit: true, types: [],
    strict: true, noUncheckedIndexedAccess: true, exactOptionalPropertyTypes: true, noImplicitOverride: true,
    noPropertyAccessFromIndexSignature: true, noImplicitReturns: true, noFallthroughCasesInSwitch: true,
  },
  include: ['consumer.ts', 'model-user.ts', 'out/model.ts', 'out-ts/model.ts', 'out-wgsl/model.ts'],
};

/** A program using the declarations `--emit js` wrote (wasm, ts and wgsl targets), under the same flags. */
const MODEL_USER_TS = `import { create, type Inputs, type Outputs } from './out-js/model.js';
import { create as createTs } from './out-ts-js/model.js';
import { create as createWgsl } from './out-wgsl-js/model.js';
export const creators = [createTs, createWgsl] as const;
export async function runOnce(inputs: Inputs): Promise<Outputs> {
  const m = await create();
  const out = m.run(inputs);
  m.dispose();
  return out;
}
`;

describe('types in a strict consumer project (no skipLibCheck, no @types/node, no @webgpu/types), generated model.ts and model.d.ts of every target included', () => {
  it.each([
    ['TypeScript 7', 'typescript'],
    ['TypeScript 5.9', 'typescript5'],
  ])('%s: zero errors', (_name, pkg) => {
    writeFileSync(join(c.dir, 'consumer.ts'), CONSUMER_TS);
    writeFileSync(join(c.dir, 'model-user.ts'), MODEL_USER_TS);
    writeFileSync(join(c.dir, 'tsconfig.json'), JSON.stringify(TSCONFIG));
    for (const f of TSCONFIG.include) expect(existsSync(join(c.dir, f)), f).toBe(true);
    let out = '';
    try {
      out = execFileSync(process.execPath, [join(ROOT, 'node_modules', pkg, 'bin/tsc'), '-p', '.'], { cwd: c.dir, encoding: 'utf8', stdio: 'pipe' });
    } catch (e) {
      out = String((e as { stdout: string }).stdout) || String(e);
    }
    expect(out).toBe('');
  });
});

/** The runtime page: a wasm module `opgraph compile` wrote, inputs parsed with opgraph/runtime. */
const RUNTIME_PAGE = `import { parseSafetensors, VERSION } from 'opgraph/runtime';
import { create } from './out/model.ts';
const w = window as unknown as { result?: unknown };
try {
  const bytes = new Uint8Array(await (await fetch('./inputs.safetensors')).arrayBuffer());
  const inputs = Object.fromEntries([...parseSafetensors(bytes, 'inputs.safetensors')].map(([k, t]) => [k, t.data]));
  const model = await create(undefined as never);
  const out = model.run(inputs as never) as Record<string, Float32Array>;
  w.result = { version: VERSION, outputs: Object.fromEntries(Object.entries(out).map(([k, v]) => [k, Array.from(v)])) };
} catch (e) {
  w.result = { error: String((e as Error).stack ?? e) };
}
`;

/** Bundles `entry` (in the consumer project) for the browser; returns the code and its gzipped size. */
async function bundle(entry: string): Promise<{ code: string; gz: number; inputs: string[] }> {
  const r = await build({ entryPoints: [join(c.dir, entry)], absWorkingDir: c.dir, bundle: true, platform: 'browser', format: 'esm', target: 'es2022', minify: true, write: false, metafile: true, logLevel: 'silent' });
  expect(r.errors).toEqual([]);
  const code = r.outputFiles[0]!.text;
  return { code, gz: gzipSync(code).length, inputs: Object.keys(r.metafile.inputs) };
}

describe(`a page using opgraph/runtime, bundled by esbuild for the browser${skipNote(chromiumMissing, 'Chromium')}`, () => {
  it.skipIf(chromiumMissing !== undefined)('bundles without node:, ts-morph or the TypeScript compiler, under 40 KB gzipped, and matches the interpreter in Chromium', async () => {
    writeFileSync(join(c.dir, 'runtime-page.ts'), RUNTIME_PAGE);
    const runtimeOnly = await bundle('runtime-page.ts');
    expect(runtimeOnly.inputs.filter((f) => /ts-morph|typescript|node:/.test(f))).toEqual([]);
    expect(runtimeOnly.code).not.toMatch(/new Function|\beval\(/);
    expect(runtimeOnly.inputs.some((f) => f.includes('node_modules/opgraph/dist/src/entries/runtime.js'))).toBe(true);
    // The entry alone (what a page pays for opgraph/runtime, the model aside).
    writeFileSync(join(c.dir, 'runtime-only.ts'), `export * from 'opgraph/runtime';\n`);
    const entryOnly = await bundle('runtime-only.ts');
    expect(entryOnly.gz).toBeLessThan(40 * 1024);
    console.log(`packaging: opgraph/runtime bundled alone ${entryOnly.gz} B gz; runtime page with the wasm model ${runtimeOnly.gz} B gz`);
    const { server, url } = await serve(new Map([
      ['/', ['text/html', '<!doctype html><meta charset="utf-8"><script type="module" src="./page.js"></script>']],
      ['/page.js', ['text/javascript', runtimeOnly.code]],
      ['/inputs.safetensors', ['application/octet-stream', serializeSafetensors(inputs)]],
    ]));
    try {
      const { result } = await pageResult<{ error?: string; version?: string; outputs?: Record<string, number[]> }>(url);
      expect(result.error).toBeUndefined();
      expect(result.version).toBe(VERSION);
      const got = Object.fromEntries(Object.entries(result.outputs!).map(([k, v]) => [k, tensor('f32', expected[k]!.shape, Float32Array.from(v))]));
      expectAllClose(got, expected, 1e-4, 1e-5, 'runtime page');
    } finally {
      server.close();
    }
  }, 60_000);
});

/**
 * The compiler page: `opgraph` itself in the browser. It builds a graph with the API, imports the
 * seed ONNX model from its bytes, compiles both for the wasm target in the page (no generated
 * source: the binary runs directly) and interprets them, and reports what needs Node.
 */
const COMPILER_PAGE = `import { graph, nn, compile, interpret, importOnnx, tensor, VERSION, type Tensor } from 'opgraph';
const w = window as unknown as { result?: unknown };
const arrays = (out: Record<string, Tensor>) => Object.fromEntries(Object.entries(out).map(([k, t]) => [k, Array.from(t.data as Float32Array)]));
const failure = async (f: () => unknown): Promise<string> => {
  try {
    await f();
    return 'no error';
  } catch (e) {
    return \`\${(e as Error).name}: \${(e as Error).message}\`;
  }
};
try {
  const mlp = graph('page-mlp', (b) => new nn.Linear(16, 8).forward(b.input('x', [4, 16])).relu().softmax(-1));
  const x = tensor('f32', [4, 16], Float32Array.from({ length: 64 }, (_, i) => (i % 7) / 7 - 0.5));
  const mlpWasm = await compile(mlp, { target: 'wasm' });
  const bytes = new Uint8Array(await (await fetch('./model.onnx')).arrayBuffer());
  const feeds = (await (await fetch('./feeds.json')).json()) as Record<string, number[]>;
  const onnx = importOnnx(bytes, { name: 'model.onnx' });
  const inputs = Object.fromEntries(onnx.inputs.map((i) => [i.name, tensor('f32', i.type.shape, Float32Array.from(feeds[i.name]!))]));
  const onnxWasm = await compile(onnx, { target: 'wasm' });
  const auto = await compile(onnx);
  w.result = {
    version: VERSION,
    mlp: { interp: arrays(interpret(mlp, { x })), wasm: arrays(mlpWasm.run({ x })) },
    onnx: { interp: arrays(interpret(onnx, inputs)), wasm: arrays(onnxWasm.run(inputs)), kernels: onnxWasm.wasm?.program.kernels.size ?? 0, auto: auto.target },
    needsNode: { ts: await failure(() => compile(mlp, { target: 'ts' })), source: await failure(() => mlpWasm.source) },
  };
} catch (e) {
  w.result = { error: String((e as Error).stack ?? e) };
}
`;

describe(`a page compiling with opgraph, bundled by esbuild for the browser${skipNote(chromiumMissing, 'Chromium')}`, () => {
  it.skipIf(chromiumMissing !== undefined)('bundles without node:, ts-morph or the TypeScript compiler, under 150 KB gzipped, and compiles and runs on wasm in Chromium like the interpreter', async () => {
    writeFileSync(join(c.dir, 'compiler-page.ts'), COMPILER_PAGE);
    const page = await bundle('compiler-page.ts');
    // The packages: our src/codegen/ts-morph.js comes along (it asks Node for a require on first use, and throws NodeOnlyError here).
    expect(page.inputs.filter((f) => /node_modules\/(?:ts-morph|@ts-morph|typescript)\/|^node:/.test(f))).toEqual([]);
    expect(page.inputs.some((f) => f.includes('node_modules/opgraph/dist/src/index.js'))).toBe(true);
    expect(page.gz).toBeLessThan(150 * 1024);
    console.log(`packaging: compiler page (graph API, ONNX from bytes, wasm compile, interpreter) ${page.gz} B gz`);
    const feeds = Object.fromEntries([...inputs].map(([k, t]) => [k, Array.from(t.data as Float32Array)]));
    const { server, url } = await serve(new Map([
      ['/', ['text/html', '<!doctype html><meta charset="utf-8"><script type="module" src="./page.js"></script>']],
      ['/page.js', ['text/javascript', page.code]],
      ['/model.onnx', ['application/octet-stream', readFileSync(`${FIXTURE}.onnx`)]],
      ['/feeds.json', ['application/json', JSON.stringify(feeds)]],
    ]));
    type Outs = Record<string, number[]>;
    try {
      const { result } = await pageResult<{ error?: string; version?: string; mlp?: { interp: Outs; wasm: Outs }; onnx?: { interp: Outs; wasm: Outs; kernels: number; auto: string }; needsNode?: { ts: string; source: string } }>(url);
      expect(result.error).toBeUndefined();
      expect(result.version).toBe(VERSION);
      const as = (o: Outs, like: Record<string, Tensor>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, tensor('f32', like[k]!.shape, Float32Array.from(v))]));
      // The ONNX model: the page's wasm and interpreter outputs against this process's interpreter.
      expectAllClose(as(result.onnx!.wasm, expected), expected, 1e-4, 1e-5, 'page wasm (onnx)');
      expectAllClose(as(result.onnx!.interp, expected), expected, 1e-6, 1e-7, 'page interpreter (onnx)');
      expect(result.onnx!.kernels).toBeGreaterThan(0);
      expect(result.onnx!.auto).toBe('wasm');
      // The API graph, built the same way here (seeded parameters: the same weights).
      const mlp = pageMlp();
      const want = interpret(mlp, { x: tensor('f32', [4, 16], Float32Array.from({ length: 64 }, (_, i) => (i % 7) / 7 - 0.5)) });
      expectAllClose(as(result.mlp!.wasm, want), want, 1e-4, 1e-5, 'page wasm (api graph)');
      expectAllClose(as(result.mlp!.interp, want), want, 1e-6, 1e-7, 'page interpreter (api graph)');
      expect(result.needsNode!.ts).toMatch(/^NodeOnlyError: writing TypeScript source .*needs Node/);
      expect(result.needsNode!.source).toMatch(/^NodeOnlyError: /);
    } finally {
      server.close();
    }
  }, 90_000);
});

/** The page's API graph, from this checkout's sources. */
function pageMlp() {
  return graph('page-mlp', (b) => new nn.Linear(16, 8).forward(b.input('x', [4, 16])).relu().softmax(-1));
}
