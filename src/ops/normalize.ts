// PLACEHOLDER — being written by a helper.
import type { OpDefs } from './def.ts';
export const normalizeOps = {} as OpDefs<'softmax'|'logSoftmax'|'layerNorm'>;
