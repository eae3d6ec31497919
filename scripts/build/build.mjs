// `npm run build` (and prepack): dist/ = ES modules, .d.ts and source maps of src/ and passes/.
// Plain node, no TypeScript loader: TypeScript 7's tsc emits, then the .d.ts files' relative
// `.ts` specifiers become `.js` (tsc rewrites them in .js only), so a consumer's compiler resolves
// `./x.js` to `./x.d.ts` under any moduleResolution and never needs allowImportingTsExtensions.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
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
console.log(`dist/: built (${rewritten} declaration files with rewritten specifiers)`);
