// The machine's measured multiply-add peaks on one core, from JavaScript. WebAssembly: a loop of
// independent f32x4 chains, once with `f32x4.relaxed_madd` (relaxed SIMD: V8 emits the CPU's fused
// multiply-add instruction, 128 bits wide) and once with separate `f32x4.mul` and `f32x4.add`
// (plain SIMD128, what wasm GEMMs use where relaxed SIMD is off); the module is assembled here,
// byte by byte, CHAINS accumulators each doing `acc = acc * m + a` per iteration. And scalar
// JavaScript, the ceiling for opgraph's TypeScript kernels.
import { setFlagsFromString } from 'node:v8';

const CHAINS = 10;
const LANES = 4;

const uleb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
};
const f32 = (x: number): number[] => [...new Uint8Array(Float32Array.of(x).buffer)];
const simd = (op: number): number[] => [0xfd, ...uleb(op)];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];

/** `run(n: i32) -> f32`: n iterations of CHAINS multiply-adds on f32x4 (fused or not). */
function module(fused: boolean): Uint8Array<ArrayBuffer> {
  const [M, A] = [CHAINS, CHAINS + 1]; // locals after the i32 parameter (index 0): accumulators 1..CHAINS
  const acc = (i: number): number => i + 1;
  const body: number[] = [];
  body.push(0x43, ...f32(0.999999), ...simd(0x13), 0x21, M + 1); // m = splat
  body.push(0x43, ...f32(1e-6), ...simd(0x13), 0x21, A + 1); // a = splat
  for (let i = 0; i < CHAINS; i++) body.push(0x43, ...f32(i + 1), ...simd(0x13), 0x21, acc(i));
  body.push(0x03, 0x40); // loop
  for (let i = 0; i < CHAINS; i++) {
    if (fused) body.push(0x20, acc(i), 0x20, M + 1, 0x20, A + 1, ...simd(0x105), 0x21, acc(i)); // relaxed_madd
    else body.push(0x20, acc(i), 0x20, M + 1, ...simd(0xe6), 0x20, A + 1, ...simd(0xe4), 0x21, acc(i)); // mul, add
  }
  body.push(0x20, 0, 0x41, 1, 0x6b, 0x22, 0, 0x0d, 0, 0x0b); // n = n - 1; br_if n; end loop
  body.push(0x20, acc(0));
  for (let i = 1; i < CHAINS; i++) body.push(0x20, acc(i), ...simd(0xe4));
  body.push(...simd(0x1f), 0, 0x0b); // extract lane 0; end
  const locals = [1, ...uleb(CHAINS + 2), 0x7b]; // CHAINS + 2 v128 locals
  const fn = [...locals, ...body];
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 1, 0x7f, 1, 0x7d]), // type: (i32) -> f32
    ...section(3, [1, 0]),
    ...section(7, [1, 3, ...new TextEncoder().encode('run'), 0x00, 0]),
    ...section(10, [1, ...uleb(fn.length), ...fn]),
  ];
  return new Uint8Array(bytes);
}

/** GFLOP/s of the loop (2 FLOPs per lane per multiply-add), best of repeated timings over ~`ms`. */
function time(bytes: Uint8Array<ArrayBuffer>, ms: number): number {
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes));
  const run = instance.exports.run as (n: number) => number;
  const n = 2_000_000;
  let best = Infinity;
  let sink = 0;
  const end = performance.now() + ms;
  while (performance.now() < end) {
    const t0 = performance.now();
    sink += run(n);
    best = Math.min(best, performance.now() - t0);
  }
  if (Number.isNaN(sink)) throw new Error('the multiply-add loop diverged');
  return (n * CHAINS * LANES * 2) / best / 1e6;
}

/** Measured single-core peaks in GFLOP/s; `fma` is undefined where relaxed SIMD is unavailable. */
export function wasmPeaks(ms = 300): { fma: number | undefined; mulAdd: number } {
  setFlagsFromString('--experimental-wasm-relaxed-simd');
  const fusedBytes = module(true);
  return { fma: WebAssembly.validate(fusedBytes) ? time(fusedBytes, ms) : undefined, mulAdd: time(module(false), ms) };
}

/**
 * Measured scalar JavaScript multiply-add throughput in GFLOP/s: twelve independent float64
 * chains of `acc = acc * m + a` (V8 emits a multiply and an add; it never fuses them). This is
 * the ceiling for scalar TypeScript kernels such as opgraph's.
 */
export function scalarPeakGflops(ms = 300): number {
  const step = (n: number, m: number, a: number): number => {
    let x0 = 1, x1 = 2, x2 = 3, x3 = 4, x4 = 5, x5 = 6, x6 = 7, x7 = 8, x8 = 9, x9 = 10, x10 = 11, x11 = 12;
    for (let i = 0; i < n; i++) {
      x0 = x0 * m + a; x1 = x1 * m + a; x2 = x2 * m + a; x3 = x3 * m + a; x4 = x4 * m + a; x5 = x5 * m + a;
      x6 = x6 * m + a; x7 = x7 * m + a; x8 = x8 * m + a; x9 = x9 * m + a; x10 = x10 * m + a; x11 = x11 * m + a;
    }
    return x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8 + x9 + x10 + x11;
  };
  const n = 1_000_000;
  let best = Infinity;
  let sink = 0;
  const end = performance.now() + ms;
  while (performance.now() < end) {
    const t0 = performance.now();
    sink += step(n, 0.999999, 1e-6);
    best = Math.min(best, performance.now() - t0);
  }
  if (Number.isNaN(sink)) throw new Error('the multiply-add loop diverged');
  return (n * 12 * 2) / best / 1e6;
}
