// opgraph's own runners on a case: the reference interpreter, the generated TypeScript at -O0, -O1
// and -O2, and the wasm backend at -O2 (relaxed and plain SIMD, one and two threads), timed in this
// process; the same model imported from PyTorch's ONNX export at -O2 (TS and wasm); and on the GEMM
// case, the hand-written scalar kernels.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type CompiledModel, compile } from '../../src/compile.ts';
import { loadOnnx } from '../../src/io/onnx/import.ts';
import { interpret } from '../../src/runtime/interpreter.ts';
import type { Case } from './cases.ts';
import { referenceGemms } from './gemm-reference.ts';
import { type Budget, measure, timeOnce } from './measure.ts';
import { type Row, closeEnough, maxAbsError } from './result.ts';

export const INTERPRETER = 'opgraph interpreter';
export const tsRunner = (level: number): string => `opgraph TS -O${level}`;
export const GEMM_REFERENCE = 'hand-written scalar TS GEMM';
export const ONNX_IMPORT = 'opgraph TS -O2, from the PyTorch ONNX export (opset 14)';
/** The wasm backend's runners: SIMD level and threads. */
export const WASM_VARIANTS = [
  { simd: 'relaxed', threads: 1 },
  { simd: 'plain', threads: 1 },
  { simd: 'relaxed', threads: 2 },
] as const;
export const wasmRunner = (v: { simd: string; threads: number }): string => `opgraph wasm -O2 (${v.simd} SIMD, ${v.threads} thread${v.threads > 1 ? 's' : ''})`;
export const WASM_ONNX_IMPORT = 'opgraph wasm -O2 (relaxed SIMD, 1 thread), from the PyTorch ONNX export (opset 14)';

export async function opgraphRows(c: Case, budget: Budget): Promise<Row[]> {
  const rows: Row[] = [];
  const cold = await timeOnce(() => interpret(c.graph, c.inputTensors));
  const lat = await measure(() => interpret(c.graph, c.inputTensors), budget);
  rows.push({ case: c.id, runner: INTERPRETER, ...lat, loadMs: null, coldMs: cold.ms, peakBytes: null, maxErr: 0 });
  const arrays = Object.fromEntries([...c.inputTensors].map(([k, t]) => [k, t.data]));
  const outName = c.graph.outputs[0]!.name;
  for (const level of [0, 1, 2] as const) {
    const compiled = await timeOnce(() => compile(c.graph, { target: 'ts', level }));
    const m = compiled.value;
    const first = await timeOnce(() => m.module.run(arrays));
    const maxErr = maxAbsError(first.value[outName] as Float32Array, c.reference.data as Float32Array);
    if (!closeEnough(maxErr, c.reference.data as Float32Array)) throw new Error(`${c.title} -O${level}: output differs from the interpreter's by up to ${maxErr}`);
    const lat = await measure(() => m.module.run(arrays), budget);
    rows.push({ case: c.id, runner: tsRunner(level), ...lat, loadMs: compiled.ms, coldMs: first.ms, peakBytes: m.peakBytes, maxErr, kernels: m.kernels });
  }
  for (const v of WASM_VARIANTS) rows.push(await wasmRow(c, () => compile(c.graph, { target: 'wasm', level: 2, simd: v.simd, threads: v.threads }), wasmRunner(v), budget));
  return rows;
}

/** One wasm runner on a case: compiled by `make`, checked against the interpreter, timed, disposed. */
async function wasmRow(c: Case, make: () => Promise<CompiledModel>, runner: string, budget: Budget): Promise<Row> {
  const arrays = Object.fromEntries([...c.inputTensors].map(([k, t]) => [k, t.data]));
  const compiled = await timeOnce(make);
  const m = compiled.value;
  try {
    const first = await timeOnce(() => m.module.run(arrays));
    const out = Object.values(first.value)[0] as Float32Array;
    const maxErr = maxAbsError(out, c.reference.data as Float32Array);
    if (!closeEnough(maxErr, c.reference.data as Float32Array)) throw new Error(`${c.title} ${runner}: output differs from the interpreter's by up to ${maxErr}`);
    const lat = await measure(() => m.module.run(arrays), budget);
    const wasmKernels = m.wasm?.program.kernels.size ?? 0;
    return { case: c.id, runner, ...lat, loadMs: compiled.ms, coldMs: first.ms, peakBytes: m.peakBytes, maxErr, kernels: m.kernels, wasmKernels };
  } finally {
    m.dispose();
  }
}

/**
 * The generated TypeScript at -O2 of the case's ONNX file (torch_peer.py's export, weights as
 * initialisers), checked against the interpreter like every runner; none without the file.
 */
export async function onnxImportRows(c: Case, benchDir: string, budget: Budget): Promise<Row[]> {
  const file = join(benchDir, c.id, 'model.onnx');
  if (!existsSync(file)) return [];
  const compiled = await timeOnce(async () => compile(await loadOnnx(file), { target: 'ts', level: 2 }));
  const m = compiled.value;
  const arrays = Object.fromEntries([...c.inputTensors].map(([k, t]) => [k, t.data]));
  const first = await timeOnce(() => m.module.run(arrays));
  const out = Object.values(first.value)[0] as Float32Array;
  const maxErr = maxAbsError(out, c.reference.data as Float32Array);
  if (!closeEnough(maxErr, c.reference.data as Float32Array)) throw new Error(`${c.title} from ONNX: output differs from the interpreter's by up to ${maxErr}`);
  const lat = await measure(() => m.module.run(arrays), budget);
  const wasm = await wasmRow(c, async () => compile(await loadOnnx(file), { target: 'wasm', level: 2 }), WASM_ONNX_IMPORT, budget);
  return [{ case: c.id, runner: ONNX_IMPORT, ...lat, loadMs: compiled.ms, coldMs: first.ms, peakBytes: m.peakBytes, maxErr, kernels: m.kernels }, wasm];
}

/** The hand-written kernels on the GEMM case, each checked against the interpreter first. */
export async function referenceGemmRows(c: Case, budget: Budget): Promise<Row[]> {
  if (c.kind !== 'gemm') return [];
  const { m, k, n } = c.config;
  const a = c.inputTensors.get('x')!.data as Float32Array;
  const b = c.weights.get('w')!.data as Float32Array;
  const out = new Float32Array(m * n);
  const rows: Row[] = [];
  for (const [name, gemm] of Object.entries(referenceGemms())) {
    const cold = await timeOnce(() => gemm(a, b, out, m, k, n));
    const maxErr = maxAbsError(out, c.reference.data as Float32Array);
    if (!closeEnough(maxErr, c.reference.data as Float32Array)) throw new Error(`reference GEMM ${name}: output differs from the interpreter's by up to ${maxErr}`);
    const lat = await measure(() => gemm(a, b, out, m, k, n), budget);
    rows.push({ case: c.id, runner: `${GEMM_REFERENCE} (${name})`, ...lat, loadMs: null, coldMs: cold.ms, peakBytes: null, maxErr });
  }
  return rows;
}
