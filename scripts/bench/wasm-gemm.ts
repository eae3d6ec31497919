// GFLOP/s of the wasm contraction kernels (relaxed and plain SIMD, MR 4 and 6, B prepared) against
// the TS backend's kernel on the same shapes, in one process with interleaved repetitions (the
// machines are shared: read ratios, not absolutes). Also: B dynamic in place vs packed per unit.
//   npx tsx scripts/bench/wasm-gemm.ts [--quick] [--peak (the peak row only)]
import { compile } from '../../src/compile.ts';
import { gemmFamily } from '../../src/codegen/wasm/kernels/gemm.ts';
import type { SimdLevel } from '../../src/codegen/wasm/kernel.ts';
import { FunctionBuilder, ModuleBuilder } from '../../src/codegen/wasm/encoder.ts';
import { IRBuilder } from '../../src/ir/builder.ts';
import { tensorType } from '../../src/ir/types.ts';
import { loadKernel, nodeInfo, oneNode, randomInputs } from '../../test/wasm/kernel-harness.ts';

const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 3 : 7;

interface Shape {
  readonly name: string;
  readonly m: number;
  readonly k: number;
  readonly n: number;
  /** Batch of independent products (attention heads). */
  readonly batch?: number;
  readonly transB?: boolean;
}

const WEIGHT_SHAPES: Shape[] = [
  { name: '512x512x512', m: 512, k: 512, n: 512 },
  { name: '128x512x512', m: 128, k: 512, n: 512 },
  { name: '128x512x2048', m: 128, k: 512, n: 2048 },
  { name: '10x512x512', m: 10, k: 512, n: 512 },
];
const DYNAMIC_SHAPES: Shape[] = [
  { name: 'attention QK^T 8x128x64x128 (transB)', m: 128, k: 64, n: 128, batch: 8, transB: true },
  { name: 'attention PV 8x128x128x64', m: 128, k: 128, n: 64, batch: 8 },
  { name: '10x512x512 (B dynamic)', m: 10, k: 512, n: 512 },
];

/**
 * Seconds per call of `fn` by process CPU time (user + system), repeated so that one timing is at
 * least ~30 ms: on a loaded machine, CPU time leaves out the time spent waiting for a core.
 */
function time(fn: () => void): number {
  fn();
  let reps = 1;
  for (;;) {
    const c0 = process.cpuUsage();
    for (let r = 0; r < reps; r++) fn();
    const c = process.cpuUsage(c0);
    const dt = (c.user + c.system) / 1e6;
    if (dt > 0.03) return dt / reps;
    reps *= 2;
  }
}

const shapesOf = (s: Shape): number[][] => {
  const lead = s.batch ? [s.batch] : [];
  return [[...lead, s.m, s.k], s.transB ? [...lead, s.n, s.k] : [...lead, s.k, s.n]];
};

function wasmRunner(s: Shape, simd: SimdLevel, mr: number, staticB: boolean, inPlaceB = true): () => void {
  const g = oneNode('matmul', { transA: false, transB: s.transB ?? false }, shapesOf(s));
  const info = nodeInfo<'matmul'>(g, simd, [false, staticB]);
  const l = loadKernel(gemmFamily({ mr, inPlaceB }), info, randomInputs(g));
  l.write();
  l.prepare();
  return () => l.kernel(0, l.units, 0);
}

/** The same product as a compiled model (B a weight): the TS backend, or the whole wasm path through its loader. */
async function modelRunner(s: Shape, target: 'ts' | 'wasm', simd: SimdLevel = 'relaxed'): Promise<() => void> {
  const [as, bs] = shapesOf(s);
  const b = new IRBuilder('bench');
  const a = b.input('a', tensorType('f32', as!));
  const w = b.weight('w', tensorType('f32', bs!), randomInputs(oneNode('matmul', { transA: false, transB: true }, [bs!, bs!]))[0]!);
  b.node('matmul', { transA: false, transB: s.transB ?? false }, [a.id, w.id]).forEach((v) => b.output('y', v.id));
  const model = await compile(b.finish(), { target, ...(target === 'wasm' ? { simd } : {}) });
  if (target === 'wasm' && model.wasm!.program.kernels.size !== 1) throw new Error(`${s.name}: the matmul did not get a wasm kernel`);
  const x = randomInputs(oneNode('matmul', { transA: false, transB: true }, [as!, as!]))[0]!;
  return () => void model.module.run({ a: x.data });
}

/** A loop of 12 independent chains a = a * x + y (no memory, nothing to hoist): this core's f32x4 peak in this run. */
function peakRunner(simd: SimdLevel, iterations: number): () => void {
  const f = new FunctionBuilder([]);
  const i = f.local('i32');
  const acc = Array.from({ length: 12 }, () => f.local('v128'));
  const [x, y] = [f.local('v128'), f.local('v128')];
  f.f32x4(0.9999999).set(x).f32x4(1e-7).set(y);
  f.for(i, 0, iterations, 1, () => {
    for (const a of acc) {
      if (simd === 'relaxed') f.get(a).get(x).get(y).op('f32x4.relaxed_madd').set(a);
      else f.get(a).get(x).op('f32x4.mul').get(y).op('f32x4.add').set(a);
    }
  });
  const mod = new ModuleBuilder({ pages: 1, maxPages: 1, shared: false });
  // Stored, so that the chains are live.
  acc.forEach((a, j) => f.i32(16 * j).get(a).mem('v128.store'));
  mod.add(f, 'peak');
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 1 });
  const inst = new WebAssembly.Instance(new WebAssembly.Module(mod.encode() as Uint8Array<ArrayBuffer>), { env: { memory } });
  return inst.exports.peak as () => void;
}

const gflops = (s: Shape, sec: number): string => ((2 * (s.batch ?? 1) * s.m * s.k * s.n) / sec / 1e9).toFixed(1);

async function main(): Promise<void> {
  console.log(`wasm GEMM vs TS kernel, ${ROUNDS} interleaved rounds, best-round GFLOP/s by process CPU time, and speed-up over TS (one core; machine shared, noisy)`);
  const its = 1 << 20;
  const peak = { name: 'f32x4 multiply-add peak (12 chains)', m: 1, k: 12 * 4, n: its };
  report(peak, { 'relaxed madd': peakRunner('relaxed', its), 'plain mul+add': peakRunner('plain', its) });
  if (process.argv.includes('--peak')) return;
  for (const s of WEIGHT_SHAPES) {
    const runs: Record<string, () => void> = {
      'relaxed mr4': wasmRunner(s, 'relaxed', 4, true),
      'relaxed mr6': wasmRunner(s, 'relaxed', 6, true),
      'plain mr4': wasmRunner(s, 'plain', 4, true),
      'plain mr6': wasmRunner(s, 'plain', 6, true),
      'compiled wasm': await modelRunner(s, 'wasm'),
      'ts -O2': await modelRunner(s, 'ts'),
    };
    report(s, runs);
  }
  for (const s of DYNAMIC_SHAPES) {
    const runs: Record<string, () => void> = {
      'relaxed prepared': wasmRunner(s, 'relaxed', 4, true),
      'relaxed in place': wasmRunner(s, 'relaxed', 4, false, true),
      'relaxed per-unit pack': wasmRunner(s, 'relaxed', 4, false, false),
      'plain in place': wasmRunner(s, 'plain', 4, false, true),
      'ts -O2': await modelRunner(s, 'ts'),
    };
    report(s, runs);
  }
}

function report(s: Shape, runs: Record<string, () => void>): void {
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(runs).map((k) => [k, []]));
  for (let r = 0; r < ROUNDS; r++) for (const [k, fn] of Object.entries(runs)) samples[k]!.push(time(fn));
  // The best round: on a shared machine the least-disturbed timing is the closest to the kernel's own speed.
  const best = (xs: number[]): number => Math.min(...xs);
  const ts = samples['ts -O2'] ? best(samples['ts -O2']) : undefined;
  const cells = Object.entries(samples).map(([k, xs]) => `${k} ${gflops(s, best(xs))}${ts ? ` (${(ts / best(xs)).toFixed(1)}x)` : ''}`);
  console.log(`${s.name.padEnd(38)} ${cells.join(' | ')}`);
}

await main();
