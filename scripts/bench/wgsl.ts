// opgraph's WGSL backend as a runner, on a real GPU only: compileWgsl at -O2 with the case's saved
// weights, each call uploading the inputs and reading the output back (as a user's `run` does).
// A software adapter (SwiftShader, llvmpipe) is refused: its timings would say nothing about GPUs.
import { compileWgsl } from '../../src/compile.ts';
import { requestGpu } from '../../src/runtime/gpu.ts';
import { useSwiftShader } from '../../src/runtime/swiftshader.ts';
import { graphOf } from './cases.ts';
import type { PeerCase } from './peer-io.ts';
import type { Loaded, Runtime } from './runtime.ts';

const SOFTWARE = /swiftshader|llvmpipe|lavapipe|software|cpu/i;

export async function wgslRuntime(): Promise<Runtime> {
  // Look for SwiftShader too, so that the report says a software adapter was refused, not that none exists.
  useSwiftShader();
  const gpu = await requestGpu();
  if (SOFTWARE.test(gpu.adapter)) throw new Error(`only a software WebGPU adapter (${gpu.adapter}), no real GPU`);
  return {
    label: 'opgraph WGSL -O2',
    version: `WebGPU adapter: ${gpu.adapter}`,
    async load(c: PeerCase): Promise<Loaded> {
      const model = await compileWgsl(graphOf(c.info), { level: 2, weights: c.weights });
      const output = async (): Promise<Float32Array> => (await model.run(c.inputs)).output!.data as Float32Array;
      return { call: output, output, peakBytes: async () => null, dispose: async () => model.destroy() };
    },
  };
}
