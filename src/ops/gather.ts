// PLACEHOLDER — being written by a helper.
import type { OpDefs } from './def.ts';
export const gatherOps = {} as OpDefs<'gather'>;
