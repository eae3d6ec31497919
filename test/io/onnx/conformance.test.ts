// The ONNX backend node tests in ../shared/onnx-node, every case on the interpreter and the TS backend.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runOnnxCase } from '../../../src/io/onnx/testcase.ts';

const ROOT = resolve(import.meta.dirname, '../../../../shared/onnx-node');

function cases(): string[] {
  if (!existsSync(resolve(ROOT, 'CASES.txt'))) {
    throw new Error(`ONNX conformance data not found at ${ROOT} (expected ../shared/onnx-node beside the checkout)`);
  }
  return readFileSync(resolve(ROOT, 'CASES.txt'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l);
}

describe('ONNX backend node tests', () => {
  const names = cases();
  it('lists the 251 cases', () => expect(names).toHaveLength(251));
  for (const backend of ['interp', 'ts'] as const) {
    it(`pass on ${backend}`, async () => {
      const failures: string[] = [];
      for (const name of names) {
        const r = await runOnnxCase(resolve(ROOT, name), backend);
        if (r.status !== 'passed') failures.push(`${r.status} ${name}: ${r.detail}`);
      }
      expect(failures).toEqual([]);
    }, 120_000);
  }
});
