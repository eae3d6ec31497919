// `opgraph test-onnx DIR...`: runs ONNX backend node-test folders and reports each case.
import { stat } from 'node:fs/promises';
import { UsageError } from '../../errors.ts';
import { ONNX_BACKENDS, type OnnxBackend, ONNX_TOLERANCE, runOnnxCase } from '../../io/onnx/testcase.ts';
import { type OptionSpec, optional, parseVerbArgs } from '../args.ts';
import type { Command } from '../command.ts';

const OPTIONS: OptionSpec = { backend: { type: 'string' } };

export const testOnnxCommand: Command = {
  name: 'test-onnx',
  summary: 'run ONNX backend node-test folders and report each case',
  usage: `opgraph test-onnx DIR... [--backend interp|ts|wasm|wgsl]

Each DIR is an ONNX backend node test: model.onnx plus test_data_set_N/ folders
holding input_K.pb and output_K.pb (serialized TensorProto). Prints one line per
case: "passed NAME", "failed NAME: REASON" (the largest error and where) or
"unsupported NAME: REASON" (the op), then exactly "N passed, N failed, N skipped"
(unsupported cases count as skipped). Floats must satisfy
|actual - expected| <= ${ONNX_TOLERANCE.atol} + ${ONNX_TOLERANCE.rtol} * |expected|; integers and booleans match exactly.
Graph inputs that feed static parameters (a Reshape's shape) are specialised to
the data set's values. Exit code 1 when any case fails.
Backends: interp (default), ts (generated TypeScript, -O2), wasm (WebAssembly
SIMD, -O2), wgsl (WebGPU).
Plain files among the DIRs (a shell glob's README) are ignored, with a note on
stderr; a DIR that does not exist fails.`,
  async run(argv, io) {
    const p = parseVerbArgs('test-onnx', argv, OPTIONS);
    if (p.values.help) return io.help(this);
    const backend = optional(p, 'backend') ?? 'interp';
    if (!(ONNX_BACKENDS as readonly string[]).includes(backend)) {
      throw new UsageError(`test-onnx: unknown backend ${JSON.stringify(backend)} (available: ${ONNX_BACKENDS.join(', ')})`);
    }
    if (p.positionals.length === 0) throw new UsageError('test-onnx: expected at least one DIR');
    const counts = { passed: 0, failed: 0, skipped: 0 };
    for (const dir of p.positionals) {
      const info = await stat(dir).catch(() => undefined);
      if (info?.isFile()) {
        io.err(`test-onnx: ignoring ${dir}: a file, not a test folder`);
        continue;
      }
      if (!info?.isDirectory()) {
        counts.failed++;
        io.out(`failed ${dir}: no such directory`);
        continue;
      }
      const r = await runOnnxCase(dir, backend as OnnxBackend);
      if (r.status === 'passed') counts.passed++;
      else if (r.status === 'failed') counts.failed++;
      else counts.skipped++;
      io.out(r.detail ? `${r.status} ${r.name}: ${r.detail}` : `${r.status} ${r.name}`);
    }
    io.out(`${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
    return counts.failed > 0 ? 1 : 0;
  },
};
