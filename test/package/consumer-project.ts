// A fresh consumer project for the packaging tests: the tarball `npm pack` makes (dist built
// first, as prepack does), unpacked into node_modules/opgraph of an empty project in a temp folder,
// with its two runtime dependencies linked from this checkout's node_modules (they resolve their
// own through the links), so the install needs no network and no npm cache. Only what the tarball
// holds is reachable: no src/, no devDependencies, no tsx, no webgpu.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A consumer project: its folder, the tarball, and sizes (bytes). */
export interface Consumer {
  readonly dir: string;
  readonly tarball: string;
  readonly packedBytes: number;
  /** node_modules/opgraph plus every package its dependencies pull in, links followed. */
  readonly installedBytes: number;
}

/** Builds dist/, packs, and installs the tarball into a new project. */
export function makeConsumer(): Consumer {
  execFileSync(process.execPath, [join(ROOT, 'scripts/build/build.mjs')], { cwd: ROOT, stdio: 'pipe' });
  const dir = mkdtempSync(join(tmpdir(), 'opgraph-consumer-'));
  // --ignore-scripts: dist/ was just built; prepack would build it again.
  const name = execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8' }).trim().split('\n').pop()!;
  const tarball = join(dir, name);
  const pkg = join(dir, 'node_modules/opgraph');
  mkdirSync(pkg, { recursive: true });
  execFileSync('tar', ['-xzf', tarball, '-C', pkg, '--strip-components=1']);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  const manifest = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  for (const dep of Object.keys(manifest.dependencies)) symlinkSync(join(ROOT, 'node_modules', dep), join(dir, 'node_modules', dep), 'dir');
  const closure = dependencyClosure(Object.keys(manifest.dependencies));
  const installedBytes = folderBytes(pkg) + [...closure].reduce((s, d) => s + folderBytes(join(ROOT, 'node_modules', d)), 0);
  return { dir, tarball, packedBytes: statSync(tarball).size, installedBytes };
}

/** Packages `roots` pull in through `dependencies` (hoisted in this checkout's node_modules). */
function dependencyClosure(roots: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const todo = [...roots];
  while (todo.length > 0) {
    const d = todo.pop()!;
    if (seen.has(d)) continue;
    seen.add(d);
    const m = JSON.parse(readFileSync(join(ROOT, 'node_modules', d, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    todo.push(...Object.keys(m.dependencies ?? {}));
  }
  return seen;
}

function folderBytes(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    n += e.isDirectory() ? folderBytes(p) : statSync(p).size;
  }
  return n;
}
