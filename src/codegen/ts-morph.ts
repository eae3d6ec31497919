// ts-morph (it carries the TypeScript compiler: most of `import 'opgraph'`'s time), loaded on
// the first module the TS or wasm emitter writes, not when the package is imported. ts-morph is
// CommonJS, so a synchronous require keeps the emitters synchronous.
import { createRequire } from 'node:module';
import type * as TsMorph from 'ts-morph';

let loaded: typeof TsMorph | undefined;

/** The ts-morph module, required on first call. */
export function tsMorph(): typeof TsMorph {
  loaded ??= createRequire(import.meta.url)('ts-morph') as typeof TsMorph;
  return loaded;
}
