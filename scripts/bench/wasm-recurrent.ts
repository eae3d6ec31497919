// The bench's LSTM (2 layers x 256 hidden, 64 steps, batch 1; and one such layer alone) on the
// TS target and the wasm target (both SIMD levels) in one process, timed interleaved (round
// robin, median of rounds), with the output checked against the interpreter. Prints ms per run,
// µs per step (per layer) and the speed-up over TS. Not a test: `npx tsx scripts/bench/wasm-recurrent.ts [rounds]`.
import { type CompiledModel, compile } from '../../src/compile.ts';
import { Rng } from '../../src/api/init.ts';
import { tensor } from '../../src/ir/tensor.ts';
import { numel } from '../../src/ir/types.ts';
import { interpret } from '../../src/runtime/interpreter.ts';
import { graphOf } from './cases.ts';

const ROUNDS = Number(process.argv[2] ?? 15);
const SEQ = 64;

interface Runner {
  readonly label: string;
  readonly model: CompiledModel;
  readonly times: number[];
}

/** Median of `xs`. */
const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function benchLayers(layers: number): Promise<void> {
  const g = graphOf({ kind: 'lstm', config: { seq: SEQ, batch: 1, input: 256, hidden: 256, layers } });
  const rng = new Rng(42);
  const x = g.inputs[0]!;
  const inputs = { [x.name]: tensor('f32', x.type.shape, Float32Array.from({ length: numel(x.type.shape) }, () => rng.normal())) };
  const want = interpret(g, inputs)[g.outputs[0]!.name]!.data as Float32Array;
  const runners: Runner[] = [
    { label: 'ts', model: await compile(g, { target: 'ts' }), times: [] },
    { label: 'wasm relaxed', model: await compile(g, { target: 'wasm', simd: 'relaxed' }), times: [] },
    { label: 'wasm plain', model: await compile(g, { target: 'wasm', simd: 'plain' }), times: [] },
  ];
  for (const r of runners) {
    const got = r.model.run(inputs)[g.outputs[0]!.name]!.data as Float32Array;
    let worst = 0;
    for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!) / (1e-5 + 1e-4 * Math.abs(want[i]!)));
    const families = [...(r.model.wasm?.program.kernels.values() ?? [])].map((k) => k.family.split(':')[0]);
    console.log(`${layers} layer(s) ${r.label}: max error ${worst.toFixed(3)} of the tolerance${families.length ? `, wasm kernels: ${families.join(', ')}` : ''}`);
  }
  const reps = layers === 1 ? 8 : 4;
  for (let round = 0; round < ROUNDS; round++) {
    for (const r of runners) {
      const t0 = performance.now();
      for (let i = 0; i < reps; i++) r.model.run(inputs);
      r.times.push((performance.now() - t0) / reps);
    }
  }
  const ts = median(runners[0]!.times);
  for (const r of runners) {
    const ms = median(r.times);
    const step = (1000 * ms) / (SEQ * layers);
    console.log(`${layers} layer(s) ${r.label.padEnd(13)} ${ms.toFixed(2).padStart(7)} ms  ${step.toFixed(1).padStart(6)} µs a step of a layer  ${(ts / ms).toFixed(2)}x TS`);
  }
  for (const r of runners) r.model.dispose();
}

await benchLayers(1);
await benchLayers(2);
