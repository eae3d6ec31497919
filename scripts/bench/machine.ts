// Describes the machine a benchmark ran on.
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

/** CPU model, core count, its vector extensions (Linux), Node version. */
export function machine(): string {
  let model = cpus()[0]?.model ?? 'unknown CPU';
  let vector = '';
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    const m = /model name\s*:\s*(.+)/.exec(info);
    if (m) model = m[1]!.trim();
    const flags = new Set(/flags\s*:\s*(.+)/.exec(info)?.[1]!.split(' '));
    vector = ['fma', 'avx2', 'avx512f'].filter((f) => flags.has(f)).map((f) => f.toUpperCase()).join(', ');
  } catch {
    // not Linux: os.cpus() is enough
  }
  return `${model}, ${cpus().length} cores${vector ? ` (${vector})` : ''}, Node ${process.version}`;
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
