// Node only: on a machine without a GPU, Dawn (the `webgpu` package) finds SwiftShader, the
// software Vulkan driver in Debian's chromium-common, when VK_ICD_FILENAMES names its ICD. Tools
// and tests opt in through useSwiftShader; the runtime itself never changes the environment.
import { nodeOnly } from '../host/node.ts';

const NEEDS = ['SwiftShader (Dawn in Node)', 'a browser has its own WebGPU'] as const;
const existsSync = (f: string): boolean => nodeOnly('node:fs', ...NEEDS).existsSync(f);

/** Where Debian's chromium-common installs SwiftShader's Vulkan ICD. */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/** Points `env` at SwiftShader when it is installed and no ICD was chosen; returns `env`. */
export function useSwiftShader(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  if (!env.VK_ICD_FILENAMES && existsSync(SWIFTSHADER_ICD)) env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  env.XDG_RUNTIME_DIR ??= nodeOnly('node:os', ...NEEDS).tmpdir(); // SwiftShader complains on stderr without one
  return env;
}

/**
 * Why Dawn found no adapter in Node, and what to do, for NoAdapterError: names VK_ICD_FILENAMES and
 * the files it lists or SwiftShader's ICD when that is installed but not chosen.
 */
export function noAdapterAdvice(env: NodeJS.ProcessEnv = process.env, platform: string = process.platform): string {
  const install = 'on a machine without a GPU, install SwiftShader: see docs/backends.md';
  if (platform !== 'linux') return install;
  const installed = existsSync(SWIFTSHADER_ICD);
  const chosen = env.VK_ICD_FILENAMES;
  if (!chosen) {
    return installed ? `SwiftShader is installed (${SWIFTSHADER_ICD}) but VK_ICD_FILENAMES is not set: export VK_ICD_FILENAMES=${SWIFTSHADER_ICD}` : install;
  }
  const missing = chosen.split(nodeOnly('node:path', ...NEEDS).delimiter).filter((f) => f !== '' && !existsSync(f));
  const instead = installed ? `; SwiftShader's is ${SWIFTSHADER_ICD}` : `; ${install}`;
  if (missing.length > 0) return `VK_ICD_FILENAMES names ${missing.join(', ')}, which does not exist${instead}`;
  return `no Vulkan driver listed in VK_ICD_FILENAMES (${chosen}) gave one${chosen === SWIFTSHADER_ICD ? '' : instead}`;
}
