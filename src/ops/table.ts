// The op table: one definition per op kind. Typed over OpKind, so a missing entry is a compile error.
import type { OpKind } from './attrs.ts';
import type { OpDef, OpGroup } from './def.ts';
import { unaryOps } from './unary.ts';
import { binaryOps } from './binary.ts';
import { sourceOps } from './source.ts';
import { matmulOps } from './matmul.ts';
import { normalizeOps } from './normalize.ts';
import { reduceOps } from './reduce.ts';
import { layoutOps } from './layout.ts';
import { combineOps } from './combine.ts';
import { gatherOps } from './gather.ts';
import { cacheOps } from './cache.ts';
import { fusedOps } from './fused.ts';
import { attentionOps } from './attention.ts';
import { recurrentOps } from './recurrent.ts';
import { recurrentGradOps } from './recurrent-grad.ts';
import { gatedGradOps } from './gated-grad.ts';
import { argOps } from './arg.ts';
import { cumulativeOps } from './cumulative.ts';
import { scatterOps } from './scatter.ts';
import { bitwiseOps } from './bitwise.ts';
import { topKOps } from './topk.ts';
import { bfloat16Ops } from './bfloat16.ts';
import { lowFloatOps } from './lowfloat.ts';
import { convOps } from './conv.ts';
import { poolOps } from './pool.ts';

/** Every op's definition, keyed by kind. */
export const OPS: { readonly [K in OpKind]: OpDef<K> } = {
  ...unaryOps,
  ...binaryOps,
  ...sourceOps,
  ...matmulOps,
  ...normalizeOps,
  ...reduceOps,
  ...layoutOps,
  ...combineOps,
  ...gatherOps,
  ...cacheOps,
  ...fusedOps,
  ...attentionOps,
  ...recurrentOps,
  ...recurrentGradOps,
  ...gatedGradOps,
  ...argOps,
  ...cumulativeOps,
  ...scatterOps,
  ...bitwiseOps,
  ...topKOps,
  ...bfloat16Ops,
  ...lowFloatOps,
  ...convOps,
  ...poolOps,
};

/** All op kinds, in table order. */
export const OP_KINDS = Object.keys(OPS) as OpKind[];

/** True if `kind` belongs to `group`. */
export function inGroup(kind: OpKind, group: OpGroup): boolean {
  return OPS[kind].groups.includes(group);
}

/** True if `name` is a known op kind (for input from files and the CLI). */
export function isOpKind(name: string): name is OpKind {
  return Object.prototype.hasOwnProperty.call(OPS, name);
}
