// One row of the scaling benchmark, in a process of its own (scale.ts starts it):
//   node --import tsx scripts/bench/scale-case.ts FAMILY N api|onnx [FILE.onnx]
// Times building or importing the graph, the -O2 pipeline and the TS compile of its result
// (code generation, transpiling and instantiating the module), then runs the module once and
// checks its output against the interpreter on the -O0 graph. Prints one JSON object.
import { performance } from 'node:perf_hooks';
import { PIPELINES, runPipeline } from '../../passes/pipeline.ts';
import { compile } from '../../src/compile.ts';
import { loadOnnx } from '../../src/io/onnx/import.ts';
import { tensor } from '../../src/ir/tensor.ts';
import { interpret } from '../../src/runtime/interpreter.ts';
import { newWork, totalWork } from '../../src/rewrite/work.ts';
import { FAMILIES, type Family, apiGraph } from './scale-graphs.ts';

/** What one row measured (milliseconds, node counts, the rewrite machinery's work). */
export interface ScaleRow {
  readonly family: Family;
  readonly n: number;
  readonly source: 'api' | 'onnx';
  readonly nodes: number;
  readonly nodesAfter: number;
  readonly importMs: number;
  readonly passesMs: number;
  readonly compileMs: number;
  readonly work: number;
  readonly maxAbsError: number;
}

const [family, nArg, source, file] = process.argv.slice(2) as [Family, string, 'api' | 'onnx', string | undefined];
if (!FAMILIES.includes(family) || !(source === 'api' || source === 'onnx') || (source === 'onnx' && !file)) {
  throw new Error('usage: scale-case.ts FAMILY N api|onnx [FILE.onnx]');
}
const n = Number(nArg);
const time = async <T>(f: () => T | Promise<T>): Promise<[T, number]> => {
  const t0 = performance.now();
  const r = await f();
  return [r, performance.now() - t0];
};

const [g, importMs] = await time(() => (source === 'api' ? apiGraph(family, n) : loadOnnx(file!)));
const work = newWork();
const [optimised, passesMs] = await time(() => runPipeline(g, PIPELINES[2], { work }).graph);
const [model, compileMs] = await time(() => compile(optimised, { target: 'ts', optimized: true }));
const input = g.inputs[0]!;
const x = tensor('f32', input.type.shape, Float32Array.from({ length: input.type.shape.reduce((a, b) => a * b, 1) }, (_, i) => (i % 3) - 0.75));
const got = model.run({ [input.name]: x })[g.outputs[0]!.name]!.data as Float32Array;
const want = interpret(g, { [input.name]: x })[g.outputs[0]!.name]!.data as Float32Array;
const maxAbsError = got.reduce((m, v, i) => Math.max(m, Math.abs(v - want[i]!)), 0);
const row: ScaleRow = { family, n, source, nodes: g.nodes.length, nodesAfter: optimised.nodes.length, importMs, passesMs, compileMs, work: totalWork(work), maxAbsError };
process.stdout.write(`${JSON.stringify(row)}\n`);
