// docs/api/ is what scripts/api-docs.mjs generates from the entries' doc comments today, and
// every exported name of every entry (and of its namespaces) has a doc comment.
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { ROOT } from '../cli/run-cli.ts';

it('docs/api is up to date (npm run api-docs)', async () => {
  const r = await promisify(execFile)(process.execPath, [join(ROOT, 'scripts/api-docs.mjs'), '--check'], { cwd: ROOT }).then(() => ({ code: 0, stderr: '' }), (e: { code: number; stderr: string }) => e);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
}, 60_000);

it('every export of every entry has a doc comment', () => {
  const pages = readdirSync(join(ROOT, 'docs/api')).filter((f) => f.endsWith('.md'));
  expect(pages.sort()).toEqual(['opgraph-node.md', 'opgraph-onnx.md', 'opgraph-runtime.md', 'opgraph.md']);
  for (const p of pages) {
    const text = readFileSync(join(ROOT, 'docs/api', p), 'utf8');
    // Top-level exports (##) and the members of exported namespaces such as F and nn (###).
    const undocumented = [...text.matchAll(/^###? (\S+)\n\n[^\n]*\n\n\(no doc comment\)/gm)].map((m) => m[1]);
    expect(undocumented, p).toEqual([]);
  }
});
