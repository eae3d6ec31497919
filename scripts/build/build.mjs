// `npm run build` (and prepack): dist/ = ES modules, .d.ts and source maps of src/ and passes/.
// Plain node, no TypeScript loader: TypeScript 7's tsc emits, then the .d.ts files' relative
// `.ts` specifiers become `.js` (tsc rewrites them in .js only), so a consumer's compiler resolves
// `./x.js` to `./x.d.ts` under any moduleResolution and never needs allowImportingTsExtensions.
import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
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

// Support sources the emitters read at run time (`new URL('../../ops/scalar.ts', import.meta.url)`:
// their declarations are copied into generated modules) ship beside their .js as `NAME.ts.txt`,
// and the emitted URLs say so: a consumer's compiler resolving `./scalar.js` would otherwise pick
// `scalar.ts` over `scalar.d.ts` and type-check our source under the consumer's flags.
const SUPPORT = /new URL\('(\.{1,2}\/[^']+\.ts)', import\.meta\.url\)/g;
let support = 0;
for (const file of walk(join(ROOT, 'src'), '.ts')) {
  for (const m of readFileSync(file, 'utf8').matchAll(SUPPORT)) {
    const from = resolve(dirname(file), m[1]);
    copyFileSync(from, `${join(DIST, relative(ROOT, from))}.txt`);
    support++;
  }
  const js = join(DIST, relative(ROOT, file)).replace(/\.ts$/, '.js');
  const text = readFileSync(js, 'utf8');
  const out = text.replace(SUPPORT, (_m, path) => `new URL('${path}.txt', import.meta.url)`);
  if (out !== text) writeFileSync(js, out);
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
console.log(`dist/: built (${rewritten} declaration files with rewritten specifiers, ${support} support sources copied)`);
