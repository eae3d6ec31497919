// Throughput of the fused attention node on the wasm target against the TS target, in one
// process, rounds interleaved, each timed in CPU time of this (single-threaded) process and the
// best round kept: on a shared machine that is steadier than wall time, but read the ratios,
// not the absolute figures. Each case is a one-node graph compiled both ways; outputs are checked against the
// interpreter before timing. Run: npx tsx scripts/bench/wasm-attention.ts [rounds]
import { Rng } from '../../src/api/init.ts';
import { compile } from '../../src/compile.ts';
import { IRBuilder } from '../../src/ir/builder.ts';
import { f32 } from '../../src/ir/tensor.ts';
import { tensorType } from '../../src/ir/types.ts';
import type { OpAttrs } from '../../src/ops/attrs.ts';
import { interpret } from '../../src/runtime/interpreter.ts';

type Attn = OpAttrs['attention'];

interface Shape {
  readonly b: number;
  readonly h: number;
  readonly nq: number;
  readonly nk: number;
  readonly d: number;
  readonly causal?: boolean;
}

const SHAPES: readonly Shape[] = [
  { b: 1, h: 8, nq: 128, nk: 128, d: 64 },
  { b: 1, h: 8, nq: 10, nk: 10, d: 64 },
  { b: 8, h: 8, nq: 128, nk: 128, d: 64 },
  { b: 1, h: 8, nq: 128, nk: 128, d: 64, causal: true },
  { b: 1, h: 8, nq: 1024, nk: 1024, d: 64 },
];

const dense = (shape: number[]) => ({ offset: 0, strides: shape.map((_, d) => shape.slice(d + 1).reduce((x, y) => x * y, 1)) });

function graphOf(s: Shape) {
  const q = [s.b, s.h, s.nq, s.d];
  const kv = [s.b, s.h, s.nk, s.d];
  const a: Attn = {
    batch: s.b, heads: s.h, seqQ: s.nq, seqK: s.nk, headDim: s.d, valueDim: s.d, scale: 1 / Math.sqrt(s.d), causal: s.causal ?? false, weights: false,
    q: dense(q), k: dense(kv), v: dense(kv), out: { ...dense(q), shape: q },
  };
  const g = new IRBuilder('attention');
  const ids = [g.input('q', tensorType('f32', q)).id, g.input('k', tensorType('f32', kv)).id, g.input('v', tensorType('f32', kv)).id];
  g.output('y', g.node('attention', a, ids)[0]!.id);
  return g.finish();
}

/** CPU milliseconds per call of `run`, over `reps` calls. */
function cpuMs(run: () => void, reps: number): number {
  const t0 = process.cpuUsage();
  for (let r = 0; r < reps; r++) run();
  const t = process.cpuUsage(t0);
  return (t.user + t.system) / 1000 / reps;
}

async function main(): Promise<void> {
  const rounds = Number(process.argv[2] ?? 7);
  console.log(`wasm attention vs TS attention, ${rounds} interleaved rounds (shared machine: compare ratios)`);
  for (const s of SHAPES) {
    const g = graphOf(s);
    const rng = new Rng(7);
    const inputs = Object.fromEntries(g.inputs.map((i) => [i.name, f32(i.type.shape, Float32Array.from({ length: i.type.shape.reduce((x, y) => x * y, 1) }, () => rng.next() * 2 - 1))]));
    const arrays = Object.fromEntries(Object.entries(inputs).map(([k, t]) => [k, t.data]));
    const ts = await compile(g, { target: 'ts', optimized: true });
    const wasm = await compile(g, { target: 'wasm', optimized: true });
    const plain = await compile(g, { target: 'wasm', simd: 'plain', optimized: true });
    const big = s.nq * s.nk > 200_000;
    const ref = big ? (ts.module.run(arrays).y as Float32Array) : (interpret(g, inputs).y!.data as Float32Array);
    const got = wasm.module.run(arrays).y as Float32Array;
    let err = 0;
    for (let i = 0; i < ref.length; i++) err = Math.max(err, Math.abs(got[i]! - ref[i]!));
    const flops = 2 * s.b * s.h * s.nq * s.nk * 2 * s.d * (s.causal ? 0.5 : 1);
    const reps = Math.max(1, Math.round(2e8 / flops));
    const tTs: number[] = [];
    const tWasm: number[] = [];
    const tPlain: number[] = [];
    const tsReps = Math.max(1, Math.round(reps / 8));
    for (let r = 0; r < rounds; r++) {
      tTs.push(cpuMs(() => ts.module.run(arrays), tsReps));
      tWasm.push(cpuMs(() => wasm.module.run(arrays), reps));
      tPlain.push(cpuMs(() => plain.module.run(arrays), reps));
    }
    const [mt, mw, mp] = [Math.min(...tTs), Math.min(...tWasm), Math.min(...tPlain)];
    const name = `${s.b}x${s.h}x${s.nq}x${s.nk}x${s.d}${s.causal ? ' causal' : ''}`;
    console.log(`${name.padEnd(26)} TS ${mt.toFixed(3).padStart(8)} ms ${(flops / mt / 1e6).toFixed(1).padStart(6)} GFLOP/s | wasm (${wasm.wasm!.simd}) ${mw.toFixed(3).padStart(8)} ms ${(flops / mw / 1e6).toFixed(1).padStart(6)} GFLOP/s | ${(mt / mw).toFixed(1)}x | plain ${(flops / mp / 1e6).toFixed(1).padStart(6)} GFLOP/s ${(mt / mp).toFixed(1)}x | max |err| ${err.toExponential(1)}${big ? ' vs TS' : ''}`);
    ts.dispose();
    wasm.dispose();
    plain.dispose();
  }
}

await main();
