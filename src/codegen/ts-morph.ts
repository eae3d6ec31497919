// ts-morph (it carries the TypeScript compiler: most of `import 'opgraph'`'s time), loaded on
// the first module the TS or wasm emitter writes, not when the package is imported. ts-morph is
// CommonJS, so a synchronous require keeps the emitters synchronous. Node only: in a browser the
// TS-source emitters (TS and wasm modules) throw NodeOnlyError; the WGSL emitter needs none of it.
import type * as TsMorph from 'ts-morph';
import { nodeOnly } from '../host/node.ts';

let loaded: typeof TsMorph | undefined;

/** The ts-morph module, required on first call. */
export function tsMorph(): typeof TsMorph {
  loaded ??= nodeOnly('node:module', 'writing TypeScript source (the ts and wasm targets use ts-morph)', 'in a page, compile for WebGPU with compileWgsl or run the graph with interpret').createRequire(import.meta.url)('ts-morph') as typeof TsMorph;
  return loaded;
}
