// Elementwise kernels: one strided loop nest over the output; each element is the op's
// scalar expression (from its op definition) of the broadcast operands.
import type { CodeBlockWriter } from 'ts-morph';
import type { TensorType } from '../../../ir/types.ts';
import type { OpAttrs, OpKind } from '../../../ops/attrs.ts';
import { OPS } from '../../../ops/table.ts';
import { broadcastStrides, denseStrides, emitLoops } from '../../loops.ts';
import { type KernelInput, inArg, outArg } from '../kernel.ts';
import { load, storeValue } from '../names.ts';

/** The scalar expression of an elementwise op applied to operand expressions. */
export function scalarExpr(op: OpKind, attrs: OpAttrs[OpKind], args: readonly string[], dtype: TensorType['dtype']): string {
  const s = OPS[op].scalar;
  if (!s) throw new Error(`op ${op} has no scalar form`);
  return `(${(s.ts as (a: readonly string[], at: unknown, d: string) => string)(args, attrs, dtype)})`;
}

/** Emits an elementwise kernel for any op whose definition has a `scalar` form. */
export function emitElementwise(w: CodeBlockWriter, k: KernelInput<OpKind>): void {
  const out = k.outputs[0]!;
  const operands = [{ strides: denseStrides(out.shape) }, ...k.inputs.map((t) => ({ strides: broadcastStrides(out.shape, t.shape) }))];
  emitLoops(w, out.shape, operands, ([o, ...xs]) => {
    const vals = xs.map((x, i) => {
      w.writeLine(`const v${i} = ${load(inArg(i), x, k.inputs[i]!.dtype)};`);
      return `v${i}`;
    });
    const e = scalarExpr(k.node.op, k.node.attrs, vals, k.inputs[0]!.dtype);
    w.writeLine(`${outArg(0)}[${o}] = ${storeValue(e, out.dtype)};`);
  });
}
