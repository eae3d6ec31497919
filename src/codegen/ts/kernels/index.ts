// The TS backend's kernel table: elementwise ops come from their scalar form; every other
// op kind that needs a kernel has an emitter here. Views and constants need none.
import type { CodeBlockWriter } from 'ts-morph';
import type { OpKind } from '../../../ops/attrs.ts';
import { OPS } from '../../../ops/table.ts';
import type { KernelEmitter, KernelInput } from '../kernel.ts';
import { emitElementwise } from './elementwise.ts';
import { emitGemm, emitMatmul } from './matmul.ts';
import { emitAttention } from './attention.ts';
import { emitRecurrent } from './recurrent.ts';
import { emitRnnGrad } from './recurrent-grad.ts';
import { emitGatedGrad } from './gated-grad.ts';
import { normalizeKernels } from './normalize.ts';
import { reduceKernels } from './reduce.ts';
import { movementKernels } from './movement.ts';
import { cacheKernels } from './cache.ts';
import { lineKernels } from './lines.ts';
import { scatterKernels } from './scatter.ts';
import { emitConv } from './conv.ts';
import { emitConvTranspose } from './conv-transpose.ts';
import { poolKernels } from './pool.ts';

/** Op kinds lowered by a dedicated emitter (not elementwise, not a view, not a constant). */
export type StructuralKind =
  | 'matmul' | 'gemm' | 'softmax' | 'logSoftmax' | 'layerNorm'
  | 'reduceSum' | 'reduceMean' | 'reduceMax' | 'reduceProd'
  | 'transpose' | 'expand' | 'concat' | 'split' | 'slice' | 'gather' | 'attention' | 'cacheWrite'
  | 'rnn' | 'lstm' | 'gru' | 'rnnGrad' | 'lstmGrad' | 'gruGrad'
  | LineKind | 'scatterElements' | 'scatterND'
  | 'conv' | 'convTranspose' | 'maxPool' | 'avgPool' | 'lpPool';

/** The kinds of src/codegen/ts/kernels/lines.ts. */
type LineKind = keyof typeof lineKernels;

/** Emitters for every structural kind; a missing one is a compile error. */
export const TS_KERNELS: { readonly [K in StructuralKind]: KernelEmitter<K> } = {
  matmul: emitMatmul,
  gemm: emitGemm,
  attention: emitAttention,
  rnn: emitRecurrent,
  lstm: emitRecurrent,
  gru: emitRecurrent,
  rnnGrad: emitRnnGrad,
  lstmGrad: emitGatedGrad,
  gruGrad: emitGatedGrad,
  ...normalizeKernels,
  ...reduceKernels,
  ...movementKernels,
  ...cacheKernels,
  ...lineKernels,
  ...scatterKernels,
  conv: emitConv,
  convTranspose: emitConvTranspose,
  ...poolKernels,
};

function isStructural(op: OpKind): op is StructuralKind {
  return Object.prototype.hasOwnProperty.call(TS_KERNELS, op);
}

/** Writes the kernel body for one node. View ops (reshape, ...) get a copy kernel when they need one. */
export function emitNodeKernel(w: CodeBlockWriter, k: KernelInput<OpKind>): void {
  const op = k.node.op;
  if (isStructural(op)) {
    (TS_KERNELS[op] as KernelEmitter<OpKind>)(w, k);
    return;
  }
  if (OPS[op].scalar || op === 'fused') {
    emitElementwise(w, k);
    return;
  }
  if (OPS[op].view) {
    w.writeLine(`${'y0'}.set(${'x0'});`);
    return;
  }
  throw new Error(`the TS backend has no kernel for op ${op}`);
}

export { scratchNeed } from './scratch.ts';
