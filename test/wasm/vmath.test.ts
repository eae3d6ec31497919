// The vector math of wasm kernels against the reference scalar functions, over a dense sweep,
// random values across the f32 range, and the edge cases (±0, ±Inf, NaN, subnormals, overflow).
import { describe, expect, it } from 'vitest';
import { FunctionBuilder, ModuleBuilder } from '../../src/codegen/wasm/encoder.ts';
import type { SimdLevel } from '../../src/codegen/wasm/kernel.ts';
import { VecMath } from '../../src/codegen/wasm/kernels/vmath.ts';
import { erf, gelu, geluTanh, sigmoid } from '../../src/ops/scalar.ts';
import { Rng, SIMD_LEVELS } from './rows-harness.ts';

type Fn = 'exp' | 'log' | 'tanh' | 'sigmoid' | 'erf' | 'gelu' | 'geluTanh';
const REF: Record<Fn, (x: number) => number> = { exp: Math.exp, log: Math.log, tanh: Math.tanh, sigmoid, erf, gelu, geluTanh };
/** Largest relative error allowed (the kernels' contract is rtol 1e-4; these are far tighter). */
/** Both GELUs take exp of an argument ~ x^2 rounded to f32, so their tails are good to a few 1e-6. */
const MAX_REL: Partial<Record<Fn, number>> = { gelu: 1e-5, geluTanh: 1e-5 };

/**
 * GELU's far negative tail is compared absolutely below 1e-8: the reference cancels there (1 +
 * erf(x) in doubles is exact only to ~1e-16) and the vector erfc is coarse past |u| = 6. The tanh form's argument k (x + 0.044715 x^3) rounds
 * to f32 (relative 6e-8, up to |20| before the result is below 1e-8), so exp of it is good to ~4e-6.
 */
const FLOOR: Partial<Record<Fn, number>> = { gelu: 1e-8, geluTanh: 1e-8 };

/** f(x) over `xs` with the vector code, four lanes at a time. */
function vectorised(fn: Fn, simd: SimdLevel, xs: Float32Array): Float32Array {
  const n = Math.ceil(xs.length / 4) * 4;
  const pages = Math.ceil((8 * n + 64) / 65536);
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
  const f = new FunctionBuilder(['i32', 'i32']);
  const vm = new VecMath(f, simd);
  const i = f.local('i32');
  f.get(0).set(i);
  f.block(() => f.loop(() => {
    f.get(i).get(1).op('i32.ge_s').brIf(1);
    f.get(i).i32(4).op('i32.mul');
    f.get(i).i32(4).op('i32.mul').mem('v128.load', 0);
    if (fn === 'gelu' || fn === 'geluTanh') vm.gelu(fn === 'gelu' ? 'none' : 'tanh');
    else vm[fn]();
    f.mem('v128.store', 4 * n);
    f.get(i).i32(4).op('i32.add').set(i).br(0);
  }));
  const mod = new ModuleBuilder({ pages, maxPages: pages, shared: false });
  mod.add(f, 'k');
  const inst = new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array(mod.encode())), { env: { memory } });
  const heap = new Float32Array(memory.buffer);
  heap.set(xs);
  (inst.exports.k as (lo: number, hi: number) => void)(0, n);
  return heap.slice(n, n + xs.length);
}

const EDGES = [0, -0, Infinity, -Infinity, NaN, 1e-45, -1e-45, 1e-40, 1.17549435e-38, 3.4e38, -3.4e38, 88.72, 88.73, 89, -87.3, -103, -104, -110, -1000, 1e-7, -1e-7, 0.625, -0.625, 0.9, -0.9, 4, -4, 10, -10];

function values(): Float32Array {
  const rng = new Rng(7);
  const xs: number[] = [...EDGES];
  for (let k = 0; k <= 40000; k++) xs.push(-20 + (40 * k) / 40000);
  for (let k = 0; k < 20000; k++) xs.push((rng.next() < 0.5 ? -1 : 1) * 2 ** (-140 + 270 * rng.next()));
  return Float32Array.from(xs);
}

describe('wasm vector math', () => {
  const xs = values();
  for (const fn of Object.keys(REF) as Fn[]) {
    for (const simd of SIMD_LEVELS) {
      it(`${fn} (${simd}) matches the reference within ${MAX_REL[fn] ?? 1e-6} relative, NaN and ±Inf included`, () => {
        const got = vectorised(fn, simd, xs);
        let worst = 0;
        let at = 0;
        for (let k = 0; k < xs.length; k++) {
          const e = Math.fround(REF[fn](xs[k]!));
          const a = got[k]!;
          if (Number.isNaN(e) || !Number.isFinite(e)) {
            if (!Object.is(a, e) && !(Number.isNaN(e) && Number.isNaN(a))) expect.fail(`${fn}(${xs[k]}) = ${a}, expected ${e}`);
            continue;
          }
          // Relative error; results below FLOOR are judged absolutely (as the kernels' atol does).
          const err = Math.abs(a - e) / Math.max(Math.abs(e), FLOOR[fn] ?? 1.17549435e-38);
          if (!(err <= worst)) [worst, at] = [err, xs[k]!];
        }
        expect(worst, `${fn} worst at x = ${at}`).toBeLessThan(MAX_REL[fn] ?? 1e-6);
      });
    }
  }
});
