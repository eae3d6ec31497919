// Elementwise programs (fused kernels, matmul epilogues) as f32x4 code over v128 locals: each
// step reads earlier program values and writes its own local. Only f32 steps in VECTOR_STEPS are
// vectorised; `vectorisable` says whether a program can be emitted at all (else the node keeps
// its TS kernel).
import type { ElementwiseProgram, ProgramStep } from '../../ops/program.ts';
import type { OpKind } from '../../ops/attrs.ts';
import type { FunctionBuilder, PlainOp } from './encoder.ts';
import { type VecTemps, emitErf, emitExp, emitGelu, emitSigmoid, emitTanh } from './vmath.ts';

const BINARY: Partial<Record<OpKind, PlainOp>> = {
  add: 'f32x4.add', sub: 'f32x4.sub', mul: 'f32x4.mul', div: 'f32x4.div', max: 'f32x4.max', min: 'f32x4.min',
};
const UNARY: Partial<Record<OpKind, PlainOp>> = { neg: 'f32x4.neg', abs: 'f32x4.abs', sqrt: 'f32x4.sqrt' };
const CALLED = new Set<OpKind>(['identity', 'relu', 'reciprocal', 'exp', 'tanh', 'sigmoid', 'erf', 'gelu']);

/** Whether every step of `p` has an f32x4 form (the caller checks that all values are f32). */
export function vectorisable(p: ElementwiseProgram): boolean {
  return p.steps.every((s) => s.op in BINARY || s.op in UNARY || CALLED.has(s.op));
}

/** Leaves step `s` applied to its argument locals on the stack. */
function emitStep(f: FunctionBuilder, t: VecTemps, s: ProgramStep, args: readonly number[]): void {
  const [x, y] = args;
  const bin = BINARY[s.op];
  const un = UNARY[s.op];
  if (bin) f.get(x!).get(y!).op(bin);
  else if (un) f.get(x!).op(un);
  else if (s.op === 'identity') f.get(x!);
  else if (s.op === 'relu') f.get(x!).f32x4(0).op('f32x4.max');
  else if (s.op === 'reciprocal') f.f32x4(1).get(x!).op('f32x4.div');
  else if (s.op === 'exp') emitExp(f, t, x!);
  else if (s.op === 'tanh') emitTanh(f, t, x!);
  else if (s.op === 'sigmoid') emitSigmoid(f, t, x!);
  else if (s.op === 'erf') emitErf(f, t, x!);
  else if (s.op === 'gelu') emitGelu(f, t, x!, (s.attrs as { approximate: 'none' | 'tanh' }).approximate);
  else throw new Error(`no f32x4 form for program step ${s.op}`);
}

/**
 * Emits program `p` on input locals `inputs` (value 0.. of the program), writing step i to
 * `steps[i]` (p.steps.length v128 locals); returns the local holding the result.
 */
export function emitVectorProgram(f: FunctionBuilder, t: VecTemps, p: ElementwiseProgram, inputs: readonly number[], steps: readonly number[]): number {
  const values = [...inputs];
  p.steps.forEach((s, i) => {
    emitStep(f, t, s, s.args.map((a) => values[a]!));
    f.set(steps[i]!);
    values.push(steps[i]!);
  });
  return values[values.length - 1]!;
}
