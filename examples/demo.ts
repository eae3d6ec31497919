// `npm run demo`: the seed multi-head attention (8 heads, d_model 512) end to end —
// declared with the API, printed as IR, drawn as SVG, run by the reference interpreter, as
// generated TypeScript, as WebAssembly SIMD and as WGSL on WebGPU (when an adapter exists), and
// compared with PyTorch.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compareTensors, compile, interpret, printGraph, readSafetensors, renderDot, toDot } from '../src/index.ts';
import { compileWgsl } from '../src/compile.ts';
import { NoAdapterError } from '../src/runtime/webgpu.ts';
import { useSwiftShader } from '../src/runtime/swiftshader.ts';
import { writeFileAtomic } from '../src/io/atomic.ts';
import buildMha from './mha-512.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const fixture = `${root}test/fixtures/seed000_mha_qkv_h8_d512`;

const g = buildMha();
console.log('── IR ' + '─'.repeat(60));
console.log(printGraph(g));

mkdirSync(`${root}out`, { recursive: true });
const svgPath = `${root}out/mha.svg`;
await writeFileAtomic(svgPath, (await renderDot(toDot(g), 'svg')) as string);
console.log(`drawing: ${svgPath}`);

const weights = await readSafetensors(`${fixture}.weights.safetensors`);
const io = await readSafetensors(`${fixture}.io.safetensors`);
const expected = io.get('expected.output')!;
const report = (what: string, output: Parameters<typeof compareTensors>[0], ms: number): boolean => {
  const cmp = compareTensors(output, expected, 1e-4, 1e-5);
  console.log(`${what}: ${ms.toFixed(2)} ms per run; largest |difference| from PyTorch 1.13: ${cmp.maxAbs.toExponential(2)} (${cmp.ok ? 'within' : 'OUTSIDE'} rtol 1e-4, atol 1e-5)`);
  return cmp.ok;
};

let t0 = performance.now();
const { output } = interpret(g, io, { weights, ignoreExtraInputs: true });
const okInterp = report('reference interpreter', output!, performance.now() - t0);

t0 = performance.now();
const model = await compile(g, { target: 'ts', weights });
console.log(`compiled to TypeScript in ${(performance.now() - t0).toFixed(0)} ms: ${model.kernels} kernels, peak intermediate memory ${model.peakBytes} bytes`);
model.run(io); // first call compiles the kernels in V8
t0 = performance.now();
const runs = 20;
for (let i = 0; i < runs - 1; i++) model.run(io);
const ts = model.run(io).output!;
const okTs = report('generated TypeScript', ts, (performance.now() - t0) / runs);

// WebAssembly SIMD: matmuls, attention, softmax and layerNorm as wasm kernels, the rest as TS
// kernels over the same linear memory.
t0 = performance.now();
const wasm = await compile(g, { target: 'wasm', weights });
console.log(`compiled to WebAssembly (${wasm.wasm!.simd} SIMD) in ${(performance.now() - t0).toFixed(0)} ms: ${wasm.wasm!.program.kernels.size} of ${wasm.kernels} kernels in wasm`);
wasm.run(io);
t0 = performance.now();
for (let i = 0; i < runs - 1; i++) wasm.run(io);
const okWasm = report('WebAssembly SIMD', wasm.run(io).output!, (performance.now() - t0) / runs);
wasm.dispose();

// WGSL: on a GPU, or on SwiftShader (a software Vulkan driver: correctness, not GPU speed) when
// Debian's chromium-common is installed; otherwise the demo says why it skips this step.
useSwiftShader();
let okWgsl = true;
try {
  t0 = performance.now();
  const gpu = await compileWgsl(g, { weights });
  console.log(`compiled to WGSL in ${(performance.now() - t0).toFixed(0)} ms: ${gpu.program.kernels.length} compute shaders on "${gpu.adapter}"`);
  await gpu.run(io);
  t0 = performance.now();
  for (let i = 0; i < 4; i++) await gpu.run(io);
  const out = (await gpu.run(io)).output!;
  const software = /swiftshader|llvmpipe|lavapipe/i.test(gpu.adapter) ? ', a software adapter: not GPU speed' : '';
  okWgsl = report(`WGSL on WebGPU (with upload and readback${software})`, out, (performance.now() - t0) / 5);
  gpu.destroy();
} catch (e) {
  if (!(e instanceof NoAdapterError)) throw e;
  console.log(`WGSL: skipped, ${e.message}`);
}
if (!okInterp || !okTs || !okWasm || !okWgsl) process.exitCode = 1;
process.exit();
