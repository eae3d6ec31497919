// The graph-definition API.
export { GraphBuilder, graph, sourceLocations, type GraphOptions, type ModelOutputs } from './builder.ts';
export { Sym, type Operand } from './sym.ts';
/** The functional ops (`F.softmax(x, -1)`, `F.matmul(a, b)`...), as PyTorch's torch.nn.functional. */
export * as F from './functional.ts';
/** Layers with parameters (`nn.Linear`, `nn.MultiheadAttention`...), as PyTorch's torch.nn. */
export * as nn from './nn/index.ts';
export { Rng } from './init.ts';
export { DecodeContext, type DecoderModel, type DecoderGraphOptions, decoderGraph, CACHE_PREFIX, PRESENT_PREFIX } from './decoding.ts';
