// PLACEHOLDER — being written by a helper.
import type { OpDefs } from './def.ts';
export const reduceOps = {} as OpDefs<'reduceSum'|'reduceMean'|'reduceMax'>;
