// Control flow. If: a condition known at import (a constant, or one folded once shapes and
// --const inputs are known) inlines the taken branch; a data-dependent one lowers both branches
// (the IR is pure, so both are side-effect-free) and selects each output with `where`, which
// needs the branches' outputs to have the same types. Loop and Scan are unrolled (loops.ts).
import { getNumber } from '../../../ir/tensor.ts';
import { formatType } from '../../../ir/types.ts';
import { type NodeContext, POISONED, type Val } from '../context.ts';
import type { Lowerings } from './lowering.ts';

function ifOp(c: NodeContext): Val[] {
  const cond = c.input(0);
  if (c.numel(cond) !== 1) c.fail(`the condition must hold one element, got ${c.fmt(cond)}`);
  if (cond.value) return c.branch(getNumber(cond.value, 0) !== 0 ? 'then_branch' : 'else_branch');
  const [then, otherwise] = [c.branch('then_branch'), c.branch('else_branch')];
  if ([...then, ...otherwise].some((v) => v.poisoned)) return then.map(() => POISONED);
  if (then.length !== otherwise.length) c.fail(`then_branch has ${then.length} outputs, else_branch ${otherwise.length}`);
  const odd = [...then, ...otherwise].find((v) => v.structure);
  if (odd) c.unsupported('with sequence or optional outputs', `the condition ${JSON.stringify(c.node.input[0])} is only known at run time, and a branch gives ${odd.structure!.kind === 'sequence' ? 'a sequence' : 'an optional'}, whose elements no select can join (pin the inputs it depends on with --const to inline one branch)`);
  then.forEach((t, i) => {
    const e = otherwise[i]!;
    if (formatType(t.type) !== formatType(e.type)) {
      c.unsupported('with branches of different types', `the condition ${JSON.stringify(c.node.input[0])} is only known at run time, and output ${i} is ${c.fmt(t)} in then_branch but ${c.fmt(e)} in else_branch, so no select can join them (pin the inputs it depends on with --const to inline one branch)`);
    }
  });
  const flag = cond.type.shape.length === 0 ? cond : c.op1('reshape', { shape: [] }, [cond]);
  return then.map((t, i) => c.op1('where', {}, [flag, t, otherwise[i]!]));
}

/** The control-flow lowerings. */
export const controlLowerings: Lowerings = { If: ifOp };

/**
 * Why the control-flow ops without a lowering are missing: added to their "not supported" line,
 * wherever it is reported (the import, or the support scan that sees every node).
 */
export const CONTROL_REFUSALS: Readonly<Record<string, string>> = {};

/** ": why" for an op of the default domain that opgraph refuses on purpose, else nothing. */
export function refusal(domain: string, opType: string): string {
  const why = domain === '' ? CONTROL_REFUSALS[opType] : undefined;
  return why ? `: ${why}` : '';
}
