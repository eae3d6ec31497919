// A quick profile of the bench's small CNN (1x3x224x224) on the wasm backend, kernel by kernel:
// `npx tsx scripts/bench/wasm-conv.ts [relaxed|plain] [threads]`. For tuning the conv lowering;
// the bench (run.ts --cases=cnn) is what the docs quote.
import { smallCnn } from '../../examples/small-cnn.ts';
import { PIPELINES, runPipeline } from '../../passes/pipeline.ts';
import { Rng } from '../../src/api/init.ts';
import { f32 } from '../../src/ir/tensor.ts';
import { numel } from '../../src/ir/types.ts';
import { profileRun } from '../../src/runtime/profile.ts';
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--experimental-wasm-relaxed-simd');
const simd = (process.argv[2] ?? 'relaxed') as 'relaxed' | 'plain';
const threads = Number(process.argv[3] ?? 1);
const g = runPipeline(smallCnn(1, 224), PIPELINES[2]).graph;
const rng = new Rng(42);
const x = g.inputs[0]!;
const inputs = { [x.name]: f32(x.type.shape, Array.from({ length: numel(x.type.shape) }, () => rng.next() * 2 - 1)) };
const weights = Object.fromEntries(g.weights.map((w) => [w.name, w.data!]));
const p = await profileRun(g, inputs, { backend: 'wasm', weights, simd, threads, minMs: 1500 });
console.log(`${simd} SIMD, ${threads} thread(s): ${(p.runMs / p.runs).toFixed(2)} ms a run over ${p.runs} runs`);
for (const k of p.kernels) if (k.ms / p.runs > 0.05) console.log(`  ${(k.ms / p.runs).toFixed(3)} ms  ${k.node.op.padEnd(10)} ${k.kernel}`);
