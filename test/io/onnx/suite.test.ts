// The ONNX backend node suite (../shared/onnx-suite): every case that test/onnx/passing-suite.json
// lists as passing (written by `npm run onnx-coverage`) must still pass, on the interpreter and the
// TS backend, so nothing that passes can regress. The cases it does not list are measured by the
// coverage script (docs/onnx-coverage.md), not here.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type OnnxBackend, runOnnxCase } from '../../../src/io/onnx/testcase.ts';

const ROOT = resolve(import.meta.dirname, '../../../../shared/onnx-suite');
const LIST = resolve(import.meta.dirname, '../../onnx/passing-suite.json');

if (!existsSync(resolve(ROOT, 'CASES.txt'))) {
  throw new Error(`ONNX suite not found at ${ROOT} (expected ../shared/onnx-suite beside the checkout)`);
}
const passing = JSON.parse(readFileSync(LIST, 'utf8')) as Partial<Record<OnnxBackend, string[]>>;
const inSuite = new Set(readFileSync(resolve(ROOT, 'CASES.txt'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l));

describe('ONNX suite cases listed as passing', () => {
  it.each(['interp', 'ts'] as const)('lists cases for %s, all of them in the suite', (backend) => {
    const names = passing[backend] ?? [];
    expect(names.length).toBeGreaterThan(700);
    expect(names.filter((n) => !inSuite.has(n))).toEqual([]);
  });

  it.each(['interp', 'ts'] as const)('still pass on %s', async (backend) => {
    const failures: string[] = [];
    for (const name of passing[backend] ?? []) {
      const r = await runOnnxCase(resolve(ROOT, name), backend);
      if (r.status !== 'passed') failures.push(`${r.status} ${name}: ${r.detail}`);
    }
    expect(failures).toEqual([]);
  }, 240_000);

  it('reads sequence and optional test data, bound and compared as the tensors they flatten into', async () => {
    for (const name of ['test_sequence_map_add_2_sequences', 'test_optional_get_element_optional_sequence', 'test_optional_has_element_empty_optional_input', 'test_loop16_seq_none']) {
      expect(await runOnnxCase(resolve(ROOT, name), 'interp')).toMatchObject({ name, status: 'passed' });
    }
  });
});
