// End to end in a real browser: the standalone WGSL module of an example (as `opgraph compile
// --target wgsl` writes it), transpiled to JavaScript, runs in headless Chromium on WebGPU
// (SwiftShader) from a page served on 127.0.0.1; the page's outputs match the interpreter.
// Without /usr/bin/chromium the suite reports itself skipped with the reason (failing under CI=true).
import { ts } from 'ts-morph';
import { describe, expect, it } from 'vitest';
import { PIPELINES, runPipeline } from '../../passes/pipeline.ts';
import { generateWgsl } from '../../src/codegen/wgsl/index.ts';
import { emitWgslModule } from '../../src/codegen/wgsl/module.ts';
import { type Tensor, tensor, toNumbers } from '../../src/ir/tensor.ts';
import { interpret } from '../../src/runtime/interpreter.ts';
import { Rng, expectAllClose, randomInputs } from '../codegen/helpers.ts';
import { buildExample } from '../example-graphs.ts';
import { skipNote } from './adapter.ts';
import { chromiumMissing as reason, pageResult, serve } from '../browser.ts';

const WEBGPU_ARGS = ['--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader'];

/** The page: loads model.js and inputs.json, runs the model on navigator.gpu, publishes window.result. */
const PAGE = `<!doctype html><meta charset="utf-8"><title>opgraph WGSL</title>
<script type="module">
const ARRAYS = { f32: Float32Array, i32: Int32Array, i64: BigInt64Array, bool: Uint8Array };
try {
  const { create } = await import('./model.js');
  const spec = await (await fetch('./inputs.json')).json();
  const inputs = Object.fromEntries(Object.entries(spec).map(([k, t]) => [k, t.dtype === 'i64' ? BigInt64Array.from(t.data, BigInt) : ARRAYS[t.dtype].from(t.data)]));
  const adapter = await navigator.gpu?.requestAdapter();
  if (!adapter) throw new Error('navigator.gpu has no adapter');
  const model = await create(await adapter.requestDevice());
  const out = await model.run(inputs);
  window.result = { outputs: Object.fromEntries(Object.entries(out).map(([k, v]) => [k, Array.from(v, Number)])) };
} catch (e) {
  window.result = { error: String(e && e.stack || e) };
}
</script>`;

describe.skipIf(reason !== undefined)(`WGSL module in headless Chromium${skipNote(reason, 'Chromium')}`, () => {
  it('runs the compiled mha example on navigator.gpu and matches the interpreter', async () => {
    const g = runPipeline(await buildExample('mha'), PIPELINES[2]).graph;
    const { loader } = emitWgslModule(g, generateWgsl(g), { inlineWeights: true });
    const js = ts.transpileModule(loader, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
    const inputs = randomInputs(g, new Rng(11));
    const spec = Object.fromEntries(Object.entries(inputs).map(([k, t]) => [k, { dtype: t.dtype, data: toNumbers(t) }]));
    const { server, url } = await serve(new Map([
      ['/', ['text/html', PAGE]],
      ['/model.js', ['text/javascript', js]],
      ['/inputs.json', ['application/json', JSON.stringify(spec)]],
    ]));
    try {
      const { result } = await pageResult<{ outputs?: Record<string, number[]>; error?: string }>(url, WEBGPU_ARGS);
      expect(result.error).toBeUndefined();
      const want = interpret(g, inputs);
      const got: Record<string, Tensor> = Object.fromEntries(Object.entries(result.outputs!).map(([k, v]) => [k, tensor(want[k]!.dtype, want[k]!.shape, Float32Array.from(v))]));
      expectAllClose(got, want, 1e-4, 1e-5, 'mha in Chromium');
    } finally {
      server.close();
    }
  }, 120_000);
});
