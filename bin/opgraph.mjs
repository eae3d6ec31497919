#!/usr/bin/env node
// The `opgraph` command. From the package (no src/), it runs the built dist/ with plain node and
// loads a TypeScript loader only when MODEL is a .ts file (src/cli/ts-loader.ts). From a checkout
// (src/ present) it registers tsx first and runs the sources, so edits need no build.
import { existsSync } from 'node:fs';

const fromSource = existsSync(new URL('../src/cli/main.ts', import.meta.url));
if (fromSource) {
  const { register } = await import('tsx/esm/api');
  const { register: registerCjs } = await import('tsx/cjs/api');
  // Model files outside an ESM package are loaded as CommonJS; both loaders are needed.
  register();
  registerCjs();
  globalThis.__opgraphTsLoader = true;
}
const { main } = await import(fromSource ? '../src/cli/main.ts' : '../dist/src/cli/main.js');
process.exitCode = await main(process.argv.slice(2));
