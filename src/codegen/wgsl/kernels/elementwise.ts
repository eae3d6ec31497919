// WGSL elementwise kernels: one invocation per output element; operands read through their
// broadcast strides; the value is the op's WGSL scalar expression, or a fused program's steps.
import type { DType, TensorType } from '../../../ir/types.ts';
import type { Node } from '../../../ir/graph.ts';
import type { OpAttrs, OpKind } from '../../../ops/attrs.ts';
import { type ElementwiseProgram, programTypes } from '../../../ops/program.ts';
import { OPS } from '../../../ops/table.ts';
import { broadcastStrides, denseStrides } from '../../loops.ts';
import { type WgslInput, type WgslKernel, decodeOffsets, guard } from '../kernel.ts';
import { load, store } from '../types.ts';
import { numel } from '../../../ir/types.ts';

/** The WGSL scalar expression of an elementwise op over operand expressions. */
export function wgslScalar(op: OpKind, attrs: OpAttrs[OpKind], args: readonly string[], dtype: DType): string {
  const s = OPS[op].scalar;
  if (!s) throw new Error(`op ${op} has no scalar form`);
  return (s.wgsl as (a: readonly string[], at: unknown, d: DType) => string)(args, attrs, dtype);
}

/** WGSL statements for a program over value names `args` (of `types`); returns the result's name. */
export function wgslProgram(p: ElementwiseProgram, args: readonly string[], types: readonly TensorType[], prefix = 's'): { code: string; result: string } {
  const all = programTypes(p, types);
  const names = [...args];
  const lines: string[] = [];
  p.steps.forEach((s, i) => {
    const name = `${prefix}${i}`;
    lines.push(`let ${name} = ${wgslScalar(s.op, s.attrs, s.args.map((a) => names[a]!), all[s.args[0]!]!.dtype)};`);
    names.push(name);
  });
  return { code: lines.join('\n'), result: names[names.length - 1]! };
}

/** Elementwise ops and fused programs. */
export function wgslElementwise(k: WgslInput<OpKind>): WgslKernel {
  const out = k.outputs[0]!;
  const n = numel(out.shape);
  const strides = [denseStrides(out.shape), ...k.inputs.map((t) => broadcastStrides(out.shape, t.shape))];
  const { code, names } = decodeOffsets(out.shape, strides, 'gidx');
  const loads = k.inputs.map((t, i) => `let v${i} = ${load(t.dtype, k.x[i]!, names[i + 1]!)};`);
  const node = k.node as Node;
  let value: string;
  let prog = '';
  if (node.op === 'fused') {
    const r = wgslProgram(node.attrs.program, k.inputs.map((_, i) => `v${i}`), k.inputs);
    prog = r.code;
    value = r.result;
  } else value = wgslScalar(node.op, node.attrs, k.inputs.map((_, i) => `v${i}`), k.inputs[0]!.dtype);
  return { invocations: n, body: [guard(n), code, ...loads, prog, store(out.dtype, k.y[0]!, names[0]!, value)].filter(Boolean).join('\n') };
}
