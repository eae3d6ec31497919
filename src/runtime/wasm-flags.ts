// Relaxed SIMD (f32x4.relaxed_madd) validates on Node 20 only behind a V8 flag, which V8 accepts
// at run time as long as it is set before a module using it is compiled. Elsewhere a no-op.
import { nodeModule } from '../host/node.ts';

let done = false;

/** Turns on relaxed SIMD in this process's V8 when it lacks it (a no-op where it is on already). */
export function enableRelaxedSimd(): void {
  if (done) return;
  done = true;
  // The smallest module using f32x4.relaxed_madd: (func (param v128 v128 v128) (result v128)).
  const probe = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 8, 1, 96, 3, 123, 123, 123, 1, 123, 3, 2, 1, 0, 10, 13, 1, 11, 0, 32, 0, 32, 1, 32, 2, 253, 133, 2, 11]);
  if (!WebAssembly.validate(probe)) nodeModule('node:v8')?.setFlagsFromString('--experimental-wasm-relaxed-simd');
}
