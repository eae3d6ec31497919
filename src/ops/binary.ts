// PLACEHOLDER — being written by a helper.
import type { OpDefs } from './def.ts';
export const binaryOps = {} as OpDefs<'add'|'sub'|'mul'|'div'|'pow'|'max'|'min'|'equal'|'less'|'greater'|'and'|'or'|'where'>;
