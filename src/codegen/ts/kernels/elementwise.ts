// Elementwise kernels: one strided loop nest over the output; each element is the op's
// scalar expression (from its op definition) of the broadcast operands.
import type { CodeBlockWriter } from 'ts-morph';
import type { Node } from '../../../ir/graph.ts';
import type { OpKind } from '../../../ops/attrs.ts';
import { broadcastStrides, denseStrides, emitLoops } from '../../loops.ts';
import { type KernelInput, inArg, outArg } from '../kernel.ts';
import { load, storeValue } from '../names.ts';
import { emitProgram, scalarExpr } from './program.ts';

/** Emits an elementwise kernel for any op whose definition has a `scalar` form, and for `fused` programs. */
export function emitElementwise(w: CodeBlockWriter, k: KernelInput<OpKind>): void {
  const out = k.outputs[0]!;
  const operands = [{ strides: denseStrides(out.shape) }, ...k.inputs.map((t) => ({ strides: broadcastStrides(out.shape, t.shape) }))];
  emitLoops(w, out.shape, operands, ([o, ...xs]) => {
    const vals = xs.map((x, i) => {
      w.writeLine(`const v${i} = ${load(inArg(i), x, k.inputs[i]!.dtype)};`);
      return `v${i}`;
    });
    const node = k.node as Node;
    const e = node.op === 'fused' ? emitProgram(w, node.attrs.program, vals, k.inputs) : scalarExpr(node.op, node.attrs, vals, k.inputs[0]!.dtype);
    w.writeLine(`${outArg(0)}[${o}] = ${storeValue(e, out.dtype)};`);
  });
}
