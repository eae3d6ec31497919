// Running one ONNX test case in a child `opgraph test-onnx` process: WebGPU drivers (Dawn on
// SwiftShader) can crash a process after a number of models, and a crash must cost one run, not
// the whole report. A crash is retried twice before it counts as a failure.
import { spawnSync } from 'node:child_process';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CaseResult, OnnxBackend } from '../io/onnx/testcase.ts';

const BIN = fileURLToPath(new URL('../../bin/opgraph.mjs', import.meta.url));

/** A case's result, and the crashes (signal and last stderr line) that preceded it. */
export interface IsolatedResult {
  readonly result: CaseResult;
  readonly crashes: readonly string[];
}

/** Runs `dir` on `backend` in a child process (`test-onnx --in-process`), retrying crashes. */
export function runCaseIsolated(dir: string, backend: OnnxBackend): IsolatedResult {
  const name = basename(dir);
  const crashes: string[] = [];
  for (let attempt = 0; attempt < 3; attempt++) {
    const r = spawnSync(process.execPath, [BIN, 'test-onnx', dir, '--backend', backend, '--in-process'], { encoding: 'utf8', timeout: 300_000 });
    const line = r.stdout.split('\n').find((l) => /^(passed|failed|unsupported) /.test(l));
    if (line) {
      const status = line.split(' ')[0] as CaseResult['status'];
      const detail = line.slice(status.length + 1 + name.length).replace(/^: /, '');
      return { result: detail ? { name, status, detail } : { name, status }, crashes };
    }
    const last = r.stderr.split('\n').filter((l) => l.trim() && !l.includes('XDG_RUNTIME_DIR')).pop()?.trim() ?? '';
    crashes.push(`${r.signal ?? `exit ${r.status}`}${last ? `: ${last.slice(0, 160)}` : ''}`);
  }
  return { result: { name, status: 'failed', detail: `the test process crashed ${crashes.length} times without a result (${crashes.at(-1)})` }, crashes };
}
