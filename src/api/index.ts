// The graph-definition API.
export { GraphBuilder, graph, sourceLocations, type ModelOutputs } from './builder.ts';
export { Sym, type Operand } from './sym.ts';
export * as F from './functional.ts';
export * as nn from './nn/index.ts';
export { Rng } from './init.ts';
