// PLACEHOLDER — being written by a helper.
import type { OpDefs } from './def.ts';
export const unaryOps = {} as OpDefs<'identity'|'neg'|'abs'|'exp'|'log'|'sqrt'|'reciprocal'|'tanh'|'sigmoid'|'relu'|'erf'|'gelu'|'not'|'cast'>;
