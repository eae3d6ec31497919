// The graph-definition API.
export { GraphBuilder, graph, type ModelOutputs } from './builder.ts';
export { Sym, type Operand } from './sym.ts';
export * as F from './functional.ts';
export * as nn from './nn/index.ts';
export { Rng } from './init.ts';
export { DecodeContext, type DecoderModel, type DecoderGraphOptions, decoderGraph, CACHE_PREFIX, PRESENT_PREFIX } from './decoding.ts';
