// The WebGPU adapter for tests: SwiftShader's Vulkan driver is picked when it is installed and
// nothing else was chosen. Without an adapter a suite reports itself skipped with the reason,
// and fails instead under CI=true (where .ci/run installs what SwiftShader needs).
import { useSwiftShader } from '../../src/runtime/swiftshader.ts';
import { it } from 'vitest';
import { type Gpu, NoAdapterError } from '../../src/runtime/webgpu.ts';
import { requestGpu } from '../../src/runtime/gpu.ts';

export { useSwiftShader };

/** The shared device, or why there is none (NoAdapterError only; anything else is a failure). */
export async function adapterOrReason(): Promise<{ gpu?: Gpu; reason?: string }> {
  useSwiftShader();
  try {
    return { gpu: await requestGpu() };
  } catch (e) {
    if (!(e instanceof NoAdapterError)) throw e;
    return { reason: e.message };
  }
}

/** The title suffix of a suite that needs `what`, and a failing test under CI=true when it is missing. */
export function skipNote(reason: string | undefined, what = 'WebGPU'): string {
  if (reason === undefined) return '';
  console.warn(`skipped: no ${what}: ${reason}`);
  if (process.env.CI === 'true') it(`has ${what} (CI=true)`, () => { throw new Error(`${what} is missing in CI: ${reason}`); });
  return ` [skipped: no ${what}: ${reason}]`;
}
