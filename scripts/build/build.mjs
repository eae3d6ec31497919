// `npm run build` (and prepack): dist/ = ES modules, .d.ts and source maps of src/ and passes/.
// Plain node, no TypeScript loader: TypeScript 7's tsc emits, then the .d.ts files' relative
// `.ts` specifiers become `.js` (tsc rewrites them in .js only), so a consumer's compiler resolves
// `./x.js` to `./x.d.ts` under any moduleResolution and never needs allowImportingTsExtensions.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const DIST = join(ROOT, 'dist');

rmSync(DIST, { recursive: true, force: true });
execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json')], { stdio: 'inherit', cwd: ROOT });

/** Every file under `dir` whose name ends with `suffix`. */
function* walk(dir, suffix) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* walk(p, suffix);
    else if (e.name.endsWith(suffix)) yield p;
  }
}

const SPECIFIER = /(from\s+|import\(\s*)(['"])(\.{1,2}\/[^'"]*?)\.ts\2/g;
let rewritten = 0;
for (const file of walk(DIST, '.d.ts')) {
  const text = readFileSync(file, 'utf8');
  const out = text.replace(SPECIFIER, (_m, lead, q, path) => `${lead}${q}${path}.js${q}`);
  if (out !== text) {
    writeFileSync(file, out);
    rewritten++;
  }
}
// WebGPU's names (GPUDevice...) are globals in TypeScript 7's lib.dom but not in 5.x's: a
// consumer without @webgpu/types would get "Cannot find name". Declaring the ones our .d.ts
// files mention as empty global interfaces gives 5.x opaque types and merges with lib.dom's or
// @webgpu/types' full ones wherever those exist.
const GPU_NAME = /\bGPU(?:[A-Z][A-Za-z]*)?\b/g;
const gpuNames = new Set();
const gpuFiles = [];
for (const file of walk(DIST, '.d.ts')) {
  const names = readFileSync(file, 'utf8').match(GPU_NAME);
  if (!names) continue;
  names.forEach((n) => gpuNames.add(n));
  gpuFiles.push(file);
}
const GLOBALS = join(DIST, 'webgpu-globals.d.ts');
writeFileSync(GLOBALS, `// WebGPU's interface names, opaque, for compilers whose lib lacks them (see scripts/build/build.mjs).\nexport {};\ndeclare global {\n${[...gpuNames].sort().map((n) => `  interface ${n} {}`).join('\n')}\n}\n`);
for (const file of gpuFiles) {
  const rel = relative(dirname(file), GLOBALS).split(sep).join('/');
  writeFileSync(file, `/// <reference path="${rel}" />\n${readFileSync(file, 'utf8')}`);
}
console.log(`dist/: built (${rewritten} declaration files with rewritten specifiers)`);
