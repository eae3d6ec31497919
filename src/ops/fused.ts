// The fused elementwise op: one kernel for a whole chain of elementwise ops.
import { tensorType } from '../ir/types.ts';
import type { OpDefs } from './def.ts';
import { evaluateProgram, programTypes } from './program.ts';

/** `fused`: the result of an elementwise program over its inputs (broadcasting as each step does). */
export const fusedOps: OpDefs<'fused'> = {
  fused: {
    kind: 'fused',
    groups: ['elementwise'],
    arity: { min: 1, max: Infinity },
    infer(inputs, { program }) {
      const t = programTypes(program, inputs).at(-1)!;
      return [tensorType(t.dtype, t.shape)];
    },
    evaluate(inputs, { program }) {
      return [evaluateProgram(program, inputs)];
    },
    grad: { none: 'fusion runs after differentiation: differentiate the unfused graph' },
  },
};
