// End to end in a real browser: the standalone wasm module of an example (as `opgraph compile
// --target wasm` writes it), transpiled to JavaScript, runs in headless Chromium from a page served
// on 127.0.0.1 and matches the interpreter: on the page's main thread (one thread; a threaded build
// on a page without cross-origin isolation says so on the console and runs on one), and with two
// threads in a dedicated Worker of a cross-origin-isolated page (COOP + COEP).
// Without /usr/bin/chromium the suite reports itself skipped with the reason (failing under CI=true).
import { ts } from 'ts-morph';
import { describe, expect, it } from 'vitest';
import { PIPELINES, runPipeline } from '../../passes/pipeline.ts';
import { generateWasm } from '../../src/codegen/wasm/index.ts';
import { type Tensor, tensor, toNumbers } from '../../src/ir/tensor.ts';
import { interpret } from '../../src/runtime/interpreter.ts';
import { chromiumMissing, pageResult, serve } from '../browser.ts';
import { Rng, expectAllClose, randomInputs } from '../codegen/helpers.ts';
import { buildExample } from '../example-graphs.ts';
import { skipNote } from '../wgsl/adapter.ts';

/** Runs the model (from model.js, inputs from inputs.json); in a Worker when `worker` is set. */
const RUN = `
const ARRAYS = { f32: Float32Array, i32: Int32Array, i64: BigInt64Array, bool: Uint8Array };
async function runModel(threads) {
  const { create } = await import('./model.js');
  const spec = await (await fetch('./inputs.json')).json();
  const inputs = Object.fromEntries(Object.entries(spec).map(([k, t]) => [k, t.dtype === 'i64' ? BigInt64Array.from(t.data, BigInt) : ARRAYS[t.dtype].from(t.data)]));
  const model = await create(undefined, { threads });
  const out = model.run(inputs);
  model.dispose();
  return { simd: model.simd, isolated: self.crossOriginIsolated, outputs: Object.fromEntries(Object.entries(out).map(([k, v]) => [k, Array.from(v, Number)])) };
}`;

const page = (threads: number, worker: boolean): string => `<!doctype html><meta charset="utf-8"><title>opgraph wasm</title>
<script type="module">
${worker ? '' : RUN}
try {
  ${worker
    ? `const w = new Worker('./worker.js', { type: 'module' });
  window.result = await new Promise((resolve) => { w.onmessage = (e) => resolve(e.data); w.onerror = (e) => resolve({ error: String(e.message) }); });`
    : `window.result = await runModel(${threads});`}
} catch (e) {
  window.result = { error: String(e && e.stack || e) };
}
</script>`;

const WORKER = `${RUN}
runModel(2).then((r) => postMessage(r), (e) => postMessage({ error: String(e && e.stack || e) }));`;

const ISOLATED = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };

interface PageOutcome {
  readonly outputs?: Record<string, number[]>;
  readonly simd?: string;
  readonly isolated?: boolean;
  readonly error?: string;
}

describe.skipIf(chromiumMissing !== undefined)(`wasm module in headless Chromium${skipNote(chromiumMissing, 'Chromium')}`, () => {
  it.each([
    ['one thread on the page', 1, 1, false, false],
    ['a two-thread build on a page without isolation: one thread, said on the console', 2, 2, false, false],
    ['two threads in a Worker of a cross-origin-isolated page', 2, 2, true, true],
  ] as const)('%s', async (_name, built, threads, worker, isolated) => {
    const g = runPipeline(await buildExample('mha'), PIPELINES[2]).graph;
    // The tiny seed MHA: its weights embedded, so create() needs none; its contractions and
    // attention run in wasm.
    const program = generateWasm(g, { threads: built, inlineWeights: true });
    expect(program.kernels.size).toBeGreaterThan(1);
    const js = ts.transpileModule(program.loader, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
    const inputs = randomInputs(g, new Rng(5));
    const spec = Object.fromEntries(Object.entries(inputs).map(([k, t]) => [k, { dtype: t.dtype, data: toNumbers(t) }]));
    const { server, url } = await serve(new Map([
      ['/', ['text/html', page(threads, worker)]],
      ['/model.js', ['text/javascript', js]],
      ['/worker.js', ['text/javascript', WORKER]],
      ['/inputs.json', ['application/json', JSON.stringify(spec)]],
    ]), isolated ? ISOLATED : {});
    try {
      const { result, console: lines } = await pageResult<PageOutcome>(url);
      expect(result.error).toBeUndefined();
      expect(result.isolated).toBe(isolated);
      expect(result.simd).toBe('relaxed');
      if (built > 1 && !isolated) expect(lines.join('\n')).toContain('no shared memory here');
      const want = interpret(g, inputs);
      const got: Record<string, Tensor> = Object.fromEntries(Object.entries(result.outputs!).map(([k, v]) => [k, tensor(want[k]!.dtype, want[k]!.shape, Float32Array.from(v))]));
      expectAllClose(got, want, 1e-4, 1e-5, 'mha in Chromium');
    } finally {
      server.close();
    }
  }, 120_000);
});
