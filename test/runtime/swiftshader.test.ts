// NoAdapterError's advice in Node names what the Vulkan environment lacks: VK_ICD_FILENAMES unset
// while SwiftShader is installed (and its file), or a listed driver file that does not exist.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SWIFTSHADER_ICD, noAdapterAdvice } from '../../src/runtime/swiftshader.ts';

const installed = existsSync(SWIFTSHADER_ICD);

describe('noAdapterAdvice', () => {
  it.skipIf(!installed)('SwiftShader installed, VK_ICD_FILENAMES unset: names the variable and the file found', () => {
    expect(noAdapterAdvice({}, 'linux')).toBe(`SwiftShader is installed (${SWIFTSHADER_ICD}) but VK_ICD_FILENAMES is not set: export VK_ICD_FILENAMES=${SWIFTSHADER_ICD}`);
  });

  it.skipIf(installed)('SwiftShader absent, VK_ICD_FILENAMES unset: says to install it', () => {
    expect(noAdapterAdvice({}, 'linux')).toBe('on a machine without a GPU, install SwiftShader: see docs/backends.md');
  });

  it('a driver file that does not exist is named, among the ones listed', () => {
    const advice = noAdapterAdvice({ VK_ICD_FILENAMES: `/nonexistent/a.json:${SWIFTSHADER_ICD}` }, 'linux');
    expect(advice).toMatch(/^VK_ICD_FILENAMES names \/nonexistent\/a\.json(, \/usr\/lib\/chromium\/vk_swiftshader_icd\.json)?, which does not exist; /);
    expect(advice).toContain(installed ? `SwiftShader's is ${SWIFTSHADER_ICD}` : 'install SwiftShader');
  });

  it.skipIf(!installed)('SwiftShader chosen and still no adapter: says the driver gave none', () => {
    expect(noAdapterAdvice({ VK_ICD_FILENAMES: SWIFTSHADER_ICD }, 'linux')).toBe(`no Vulkan driver listed in VK_ICD_FILENAMES (${SWIFTSHADER_ICD}) gave one`);
  });

  it('off Linux, Vulkan files are not the question', () => {
    expect(noAdapterAdvice({}, 'darwin')).toBe('on a machine without a GPU, install SwiftShader: see docs/backends.md');
  });
});
