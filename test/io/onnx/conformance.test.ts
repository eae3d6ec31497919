// The ONNX backend node tests in ../shared/onnx-node, every case on the interpreter, the TS and wasm
// backends and WGSL (on the adapter at hand: SwiftShader without a GPU; see test/wgsl/adapter.ts).
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type OnnxBackend, runOnnxCase } from '../../../src/io/onnx/testcase.ts';
import { adapterOrReason, skipNote } from '../../wgsl/adapter.ts';

const ROOT = resolve(import.meta.dirname, '../../../../shared/onnx-node');

function cases(): string[] {
  if (!existsSync(resolve(ROOT, 'CASES.txt'))) {
    throw new Error(`ONNX conformance data not found at ${ROOT} (expected ../shared/onnx-node beside the checkout)`);
  }
  return readFileSync(resolve(ROOT, 'CASES.txt'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l);
}

function passAll(names: readonly string[], backend: OnnxBackend): void {
  it(`pass on ${backend}`, async () => {
    const failures: string[] = [];
    for (const name of names) {
      const r = await runOnnxCase(resolve(ROOT, name), backend);
      if (r.status !== 'passed') failures.push(`${r.status} ${name}: ${r.detail}`);
    }
    expect(failures).toEqual([]);
  }, 120_000);
}

const names = cases();
const { gpu, reason } = await adapterOrReason();

describe('ONNX backend node tests', () => {
  it('lists the 251 cases', () => expect(names).toHaveLength(251));
  passAll(names, 'interp');
  passAll(names, 'ts');
  passAll(names, 'wasm');
});

describe.skipIf(!gpu)(`ONNX backend node tests on WGSL${skipNote(reason)}`, () => {
  passAll(names, 'wgsl');
});
