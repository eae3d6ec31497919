// PLACEHOLDER — being written by a helper.
import type { OpDefs } from './def.ts';
export const matmulOps = {} as OpDefs<'matmul'|'gemm'>;
