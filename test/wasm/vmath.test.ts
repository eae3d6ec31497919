// The f32x4 math of the wasm backend (exp, tanh, sigmoid, erf, both GELUs) against the
// interpreter's double-precision functions, on special values (+-0, +-Inf, NaN, overflow and
// underflow edges) and a dense sweep of [-12, 12].
import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { FunctionBuilder, ModuleBuilder } from '../../src/codegen/wasm/encoder.ts';
import { VecTemps, emitErf, emitExp, emitGelu, emitSigmoid, emitTanh } from '../../src/codegen/wasm/vmath.ts';
import { erf, gelu, geluTanh, sigmoid } from '../../src/ops/scalar.ts';

setFlagsFromString('--experimental-wasm-relaxed-simd');

const SPECIALS = [-Infinity, -200, -104, -88, -87.5, -20, -5, -1, -1e-3, -1e-30, -0, 0, 1e-30, 1e-6, 0.5, 1, 3, 10, 88, 88.5, 88.7, 88.75, 89, 200, Infinity, Number.NaN];
const SWEEP = Array.from({ length: 2401 }, (_, i) => -12 + i / 100);
const XS = Float32Array.from([...SPECIALS, ...SWEEP, 0, 0, 0].slice(0, Math.ceil((SPECIALS.length + SWEEP.length) / 4) * 4));

type Emit = (f: FunctionBuilder, t: VecTemps, x: number) => void;

/** Applies `emit` to XS in wasm: y[i] = fn(x[i]), four lanes at a time. */
function apply(emit: Emit): Float32Array {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 1 });
  const f = new FunctionBuilder([]);
  const [p, x] = [f.local('i32'), f.local('v128')];
  const t = new VecTemps(f);
  const bytes = XS.length * 4;
  f.for(p, 0, bytes, 16, () => {
    f.get(p).mem('v128.load').set(x);
    f.get(p);
    emit(f, t, x);
    f.mem('v128.store', bytes);
  });
  const mod = new ModuleBuilder({ pages: 1, maxPages: 1, shared: false });
  mod.add(f, 'run');
  new Float32Array(memory.buffer).set(XS);
  const inst = new WebAssembly.Instance(new WebAssembly.Module(mod.encode() as Uint8Array<ArrayBuffer>), { env: { memory } });
  (inst.exports as { run: () => void }).run();
  return new Float32Array(memory.buffer, bytes, XS.length).slice();
}

const CASES: [string, Emit, (x: number) => number, number][] = [
  // name, emitter, reference, allowed error relative to max(|ref|, 1e-2)... see below
  ['exp', emitExp, Math.exp, 4e-7],
  ['tanh', emitTanh, Math.tanh, 3e-7],
  ['sigmoid', emitSigmoid, sigmoid, 3e-7],
  ['erf', emitErf, erf, 3e-7],
  ['gelu', (f, t, x) => emitGelu(f, t, x, 'none'), gelu, 3e-7],
  ['gelu tanh', (f, t, x) => emitGelu(f, t, x, 'tanh'), geluTanh, 3e-7],
];

describe('wasm vector math', () => {
  it.each(CASES)('%s matches the interpreter (error <= tol * max(1, |ref|))', (_name, emit, ref, tol) => {
    const got = apply(emit);
    XS.forEach((x, i) => {
      const want = Math.fround(ref(x));
      const y = got[i]!;
      if (Number.isNaN(want)) return expect(y, `x = ${x}`).toBeNaN();
      if (!Number.isFinite(want)) return expect(y, `x = ${x}`).toBe(want);
      expect(Math.abs(y - want), `x = ${x}: got ${y}, want ${want}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(want)));
    });
  });
});
