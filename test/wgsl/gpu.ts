// The WebGPU adapter for tests that need one. On machines without a GPU, Dawn finds SwiftShader
// (Debian's chromium-common) when VK_ICD_FILENAMES names its ICD; tests set it when it is unset.
// Without an adapter, a GPU suite reports itself skipped with the reason, and fails under CI=true
// (.ci/run installs SwiftShader, so a skip there means a broken setup, not a missing GPU).
import { existsSync } from 'node:fs';
import { it } from 'vitest';
import { NoAdapterError, requestGpu } from '../../src/runtime/webgpu.ts';

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/** The adapter's description, or why there is none. */
export async function probeGpu(): Promise<{ adapter: string } | { reason: string }> {
  if (!process.env.VK_ICD_FILENAMES && existsSync(SWIFTSHADER_ICD)) process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  try {
    return { adapter: (await requestGpu()).adapter };
  } catch (e) {
    if (e instanceof NoAdapterError) return { reason: e.message };
    throw e;
  }
}

/** Registers the one test that stands for a GPU suite that cannot run: skipped, or failed in CI. */
export function reportNoGpu(suite: string, reason: string): void {
  if (process.env.CI) {
    it(`${suite} needs a WebGPU adapter in CI`, () => {
      throw new Error(`${suite}: no WebGPU adapter (${reason}); .ci/run installs SwiftShader`);
    });
    return;
  }
  console.warn(`${suite} skipped: ${reason}`);
  it.skip(`${suite} skipped: ${reason}`, () => {});
}
