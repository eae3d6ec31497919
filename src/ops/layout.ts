// PLACEHOLDER — being written by a helper.
import type { OpDefs } from './def.ts';
export const layoutOps = {} as OpDefs<'reshape'|'transpose'|'squeeze'|'unsqueeze'|'expand'>;
