// Node only: on a machine without a GPU, Dawn (the `webgpu` package) finds SwiftShader, the
// software Vulkan driver in Debian's chromium-common, when VK_ICD_FILENAMES names its ICD. Tools
// and tests opt in through useSwiftShader; the runtime itself never changes the environment.
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';

/** Where Debian's chromium-common installs SwiftShader's Vulkan ICD. */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/** Points `env` at SwiftShader when it is installed and no ICD was chosen; returns `env`. */
export function useSwiftShader(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  if (!env.VK_ICD_FILENAMES && existsSync(SWIFTSHADER_ICD)) env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  env.XDG_RUNTIME_DIR ??= tmpdir(); // SwiftShader complains on stderr without one
  return env;
}
