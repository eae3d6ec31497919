// Elementwise programs: a small SSA list of elementwise ops, the body of fused kernels and of
// matmul epilogues. Values 0..inputs-1 are the program's inputs; step i defines value inputs+i;
// the last step is the result. Each step is an ordinary op of the table, so its shape rule and
// reference semantics are the op's own.
import type { Tensor } from '../ir/tensor.ts';
import type { TensorType } from '../ir/types.ts';
import type { OpAttrs, OpKind } from './attrs.ts';
import { inferNode } from './infer.ts';
import { OPS } from './table.ts';
import { fail } from './util.ts';

/** One step: an elementwise op applied to earlier program values. */
export interface ProgramStep {
  readonly op: OpKind;
  readonly attrs: OpAttrs[OpKind];
  readonly args: readonly number[];
}

/** A fused elementwise computation. */
export interface ElementwiseProgram {
  readonly inputs: number;
  readonly steps: readonly ProgramStep[];
}

/** Types of every program value for the given input types; fails on a malformed program. */
export function programTypes(p: ElementwiseProgram, inputs: readonly TensorType[]): TensorType[] {
  if (inputs.length !== p.inputs) fail(`program expects ${p.inputs} inputs, got ${inputs.length}`);
  if (p.steps.length === 0) fail('program has no steps');
  const types = [...inputs];
  p.steps.forEach((s, i) => {
    if (!OPS[s.op]?.groups.includes('elementwise')) fail(`program step ${i} is ${s.op}, which is not elementwise`);
    for (const a of s.args) {
      if (!Number.isInteger(a) || a < 0 || a >= types.length) fail(`program step ${i} reads value ${a}, which is not defined before it`);
    }
    types.push(inferNode(s.op, s.attrs, s.args.map((a) => types[a]!), `program step ${i} (${s.op})`)[0]!);
  });
  return types;
}

/** Runs the program with each op's reference semantics; returns the result. */
export function evaluateProgram(p: ElementwiseProgram, inputs: readonly Tensor[]): Tensor {
  const types = programTypes(p, inputs);
  const values: Tensor[] = [...inputs];
  p.steps.forEach((s, i) => {
    const def = OPS[s.op] as { evaluate(i: readonly Tensor[], a: unknown, o: readonly TensorType[]): Tensor[] };
    values.push(def.evaluate(s.args.map((a) => values[a]!), s.attrs, [types[p.inputs + i]!])[0]!);
  });
  return values[values.length - 1]!;
}
