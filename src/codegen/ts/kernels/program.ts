// Elementwise programs in generated code: one `const` per step, each the step op's scalar
// expression. Intermediates are rounded to their dtype exactly as a stored tensor would be
// (Math.fround for f32), so a fused kernel computes what the unfused chain computes.
import type { CodeBlockWriter } from 'ts-morph';
import type { DType, TensorType } from '../../../ir/types.ts';
import { type ElementwiseProgram, programTypes } from '../../../ops/program.ts';
import type { OpAttrs, OpKind } from '../../../ops/attrs.ts';
import { OPS } from '../../../ops/table.ts';

/** The scalar expression of an elementwise op applied to operand expressions. */
export function scalarExpr(op: OpKind, attrs: OpAttrs[OpKind], args: readonly string[], dtype: TensorType['dtype']): string {
  const s = OPS[op].scalar;
  if (!s) throw new Error(`op ${op} has no scalar form`);
  return `(${(s.ts as (a: readonly string[], at: unknown, d: string) => string)(args, attrs, dtype)})`;
}

/** `e` converted the way a store into an array of `dtype` converts it, staying a JS number. */
function roundTo(e: string, dtype: DType): string {
  switch (dtype) {
    case 'f32': return `Math.fround(${e})`;
    case 'i32': return `(${e} | 0)`;
    case 'i64': return `Math.trunc(${e})`;
    case 'bool': return `(${e} !== 0 ? 1 : 0)`;
  }
}

/**
 * Writes the program's steps over input value names `args` (of `types`); returns the result's
 * name. The result itself is left unrounded: the caller's store rounds it. `prefix` keeps names
 * of nested uses apart.
 */
export function emitProgram(w: CodeBlockWriter, p: ElementwiseProgram, args: readonly string[], types: readonly TensorType[], prefix = 's'): string {
  const all = programTypes(p, types);
  const names = [...args];
  p.steps.forEach((s, i) => {
    const e = scalarExpr(s.op, s.attrs, s.args.map((a) => names[a]!), all[s.args[0]!]!.dtype);
    const last = i === p.steps.length - 1;
    const name = `${prefix}${i}`;
    w.writeLine(`const ${name} = ${last ? e : roundTo(e, all[p.inputs + i]!.dtype)};`);
    names.push(name);
  });
  return names[names.length - 1]!;
}
