// `npm run test:wgsl`: runs the WGSL jobs of gpu-runner.ts in chunks of child processes (Dawn's
// Node binding grows unstable after many models in one process) and prints one line per failure
// and a closing count. Not yet part of `npm test`: see docs/backends.md for the WGSL status.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GpuResult } from './gpu-runner.ts';

const SWIFTSHADER = '/usr/lib/chromium/vk_swiftshader_icd.json';
const env = { ...process.env };
if (!env.VK_ICD_FILENAMES && existsSync(SWIFTSHADER)) env.VK_ICD_FILENAMES = SWIFTSHADER;
const runner = fileURLToPath(new URL('./gpu-runner.ts', import.meta.url));
const tsx = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'opgraph-wgsl-'));
const CHUNK = 40;

const results: GpuResult[] = [];
let adapter = '';
let total = Infinity;
for (let from = 0; from < total; from += CHUNK) {
  const out = join(dir, `${from}.json`);
  try {
    execFileSync(tsx, [runner, out, String(from), String(from + CHUNK)], { env, stdio: 'ignore', timeout: 300_000 });
  } catch {
    // The runner ends itself with SIGKILL after writing its results; a missing file is a failure.
  }
  if (!existsSync(out)) {
    results.push({ name: `jobs ${from}..${from + CHUNK - 1}`, ok: false, detail: 'the GPU process died before reporting' });
    if (total === Infinity) break;
    continue;
  }
  const r = JSON.parse(readFileSync(out, 'utf8')) as { adapter: string | null; reason?: string; total: number; results: GpuResult[] };
  if (r.adapter === null) {
    console.log(`WGSL suite skipped: ${r.reason}`);
    process.exit(process.env.CI ? 1 : 0);
  }
  adapter = r.adapter;
  total = r.total;
  results.push(...r.results);
}
for (const r of results) if (!r.ok) console.log(`FAIL ${r.name}: ${r.detail}`);
console.log(`adapter: ${adapter}`);
const passed = results.filter((r) => r.ok).length;
console.log(`${passed} passed, ${results.length - passed} failed`);
process.exitCode = passed === results.length ? 0 : 1;
