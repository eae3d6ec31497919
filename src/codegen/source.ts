// The TypeScript-source emitters (ts-morph, Node only): the ts target's module and the wasm
// target's loader. Loaded on demand through source-emitters.ts, never imported statically by the
// compiler core, so a page's bundle leaves them (and every TS kernel emitter) out.
export { generateTs } from './ts/index.ts';
export { emitLoader } from './wasm/module.ts';
