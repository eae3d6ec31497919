// Contractions with an epilogue: matmul, gemm and conv may carry an `epilogue` attr (an
// elementwise program made by fusion) that runs on each result element before it is stored.
// Program value 0 is the contraction's result (bias included), values 1.. are the node's trailing
// inputs, which follow its own operands. This file is the one place that splits the inputs,
// checks the program keeps the result's type, refuses gradients and evaluates it (the oracle).
import { type TensorType, formatType, sameType } from '../ir/types.ts';
import { UnsupportedOpError } from '../errors.ts';
import type { OpAttrs } from './attrs.ts';
import type { GradRule, OpDef } from './def.ts';
import { evaluateProgram, programTypes } from './program.ts';
import { fail } from './util.ts';

/** The ops whose attrs may carry an epilogue. */
export type EpilogueOp = 'matmul' | 'gemm' | 'conv';

/** How many trailing inputs of a node feed its epilogue (program inputs besides the result). */
export function epilogueInputCount(attrs: { readonly epilogue?: { readonly inputs: number } }): number {
  return attrs.epilogue ? attrs.epilogue.inputs - 1 : 0;
}

/** The node's own operands (its inputs before the epilogue's). */
export function ownInputs<T>(inputs: readonly T[], attrs: { readonly epilogue?: { readonly inputs: number } }): readonly T[] {
  return inputs.slice(0, inputs.length - epilogueInputCount(attrs));
}

/**
 * Wraps a contraction with epilogue support: the trailing `epilogue.inputs - 1` inputs feed the
 * epilogue program, which must keep the result's shape and dtype. `checkExtras` adds the op's
 * own rule on what its store can read (conv: one value per output channel, or a scalar).
 */
export function withEpilogue<K extends EpilogueOp>(def: OpDef<K>, checkExtras?: (result: TensorType, extras: readonly TensorType[]) => void): OpDef<K> {
  const split = <T>(inputs: readonly T[], attrs: OpAttrs[K]): [T[], T[]] => {
    const extra = epilogueInputCount(attrs);
    return [inputs.slice(0, inputs.length - extra), inputs.slice(inputs.length - extra)];
  };
  return {
    ...def,
    arity: { min: def.arity.min, max: Infinity },
    infer(inputs, attrs) {
      const [regular, extras] = split(inputs, attrs);
      const { min, max } = def.arity;
      if (regular.length > max || regular.length < min) {
        const extra = attrs.epilogue ? ' besides its epilogue inputs' : '';
        fail(`expects ${min === max ? min : `${min} to ${max}`} inputs${extra}, got ${regular.length}`);
      }
      const [base] = def.infer(regular, attrs);
      if (attrs.epilogue) {
        const result = programTypes(attrs.epilogue, [base!, ...extras]).at(-1)!;
        if (!sameType(result, base!)) fail(`epilogue turns ${formatType(base!)} into ${formatType(result)}; it must keep the result's type`);
        checkExtras?.(base!, extras);
      }
      return [base!];
    },
    grad: ((ctx) => {
      if (ctx.attrs.epilogue) throw new UnsupportedOpError(`no gradient for a ${def.kind} with a fused epilogue: differentiate the unfused graph`);
      return (def.grad as GradRule<K>)(ctx);
    }) as GradRule<K>,
    evaluate(inputs, attrs, outs) {
      const [regular, extras] = split(inputs, attrs);
      const [base] = def.evaluate(regular, attrs, outs);
      return [attrs.epilogue ? evaluateProgram(attrs.epilogue, [base!, ...extras]) : base!];
    },
  };
}
