// Register-block height sweep for the wasm GEMM (relaxed and plain), B prepared, one shape, timed
// by process CPU time, best of 7 interleaved rounds. NO_LIFTOFF=1 compiles with TurboFan only.
//   npx tsx scripts/bench/wasm-gemm-mr.ts [M K N]
import { setFlagsFromString } from 'node:v8';
import { gemmFamily } from '../../src/codegen/wasm/kernels/gemm.ts';
import type { SimdLevel } from '../../src/codegen/wasm/kernel.ts';
import { loadKernel, nodeInfo, oneNode, randomInputs } from '../../test/wasm/kernel-harness.ts';

if (process.env.NO_LIFTOFF) setFlagsFromString('--no-liftoff');

const [m, k, n] = process.argv.length > 4 ? process.argv.slice(2, 5).map(Number) : [128, 512, 512];
const cpu = (fn: () => void): number => {
  fn();
  let reps = 1;
  for (;;) {
    const c0 = process.cpuUsage();
    for (let r = 0; r < reps; r++) fn();
    const c = process.cpuUsage(c0);
    if (c.user + c.system > 30000) return (c.user + c.system) / 1e6 / reps;
    reps *= 2;
  }
};
const runs = new Map<string, () => void>();
for (const simd of ['relaxed', 'plain'] as SimdLevel[]) {
  for (const mr of [2, 3, 4, 5, 6]) {
    const g = oneNode('matmul', { transA: false, transB: false }, [[m!, k!], [k!, n!]]);
    const l = loadKernel(gemmFamily({ mr, inPlaceB: false }), nodeInfo<'matmul'>(g, simd, [false, true]), randomInputs(g));
    l.write();
    l.prepare();
    runs.set(`${simd} mr${mr}`, () => l.kernel(0, l.units, 0));
  }
}
const best = new Map<string, number>();
for (let r = 0; r < 7; r++) for (const [name, fn] of runs) best.set(name, Math.min(best.get(name) ?? Infinity, cpu(fn)));
for (const [name, s] of best) console.log(`${m}x${k}x${n} ${name}: ${((2 * m! * k! * n!) / s / 1e9).toFixed(1)} GFLOP/s (best of 7, CPU time)`);
