// PLACEHOLDER — being written by a helper.
import type { OpDefs } from './def.ts';
export const combineOps = {} as OpDefs<'concat'|'split'|'slice'>;
