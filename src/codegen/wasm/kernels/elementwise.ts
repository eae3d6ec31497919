// Elementwise wasm kernels: single f32 elementwise ops and fused f32 programs, four lanes at a
// time with a scalar tail. The output is viewed as rows of `inner` elements: the longest run of
// trailing dims on which every operand is either contiguous (read as vectors) or constant (one
// value per row, splatted). A unit is a chunk of up to CHUNK elements of one row. Anything else
// (integer or bool operands, comparisons, strided operands, rows shorter than a vector) stays on
// the TS kernel.
import { type Shape, type TensorType, numel } from '../../../ir/types.ts';
import type { OpAttrs, OpKind } from '../../../ops/attrs.ts';
import { type ElementwiseProgram, programTypes } from '../../../ops/program.ts';
import { broadcastStrides } from '../../../ops/util.ts';
import { denseStrides } from '../../loops.ts';
import type { FunctionBuilder, PlainOp } from '../encoder.ts';
import type { UnitRange, WasmKernelFamily, WasmKernelInput, WasmNodeInfo } from '../kernel.ts';
import { VecMath } from './vmath.ts';

/** Elements per unit (64 vectors): large enough that a unit's index arithmetic is noise. */
const CHUNK = 256;

/** A step's vector code: its operands (v128 locals) in, its result pushed. */
type StepCode = (f: FunctionBuilder, vm: VecMath, args: readonly number[], attrs: OpAttrs[OpKind]) => void;

const unaryMath = (fn: 'exp' | 'log' | 'tanh' | 'sigmoid' | 'erf'): StepCode => (f, vm, [x]) => {
  f.get(x!);
  vm[fn]();
};
const lanes = (...ops: PlainOp[]): StepCode => (f, _vm, args) => {
  for (const a of args) f.get(a);
  f.op(...ops);
};

/** The f32 elementwise ops with a vector form (NaN and signed zeros as the reference: f32x4.max/min propagate NaN like Math.max/min). */
const STEPS: Partial<Record<OpKind, StepCode>> = {
  identity: lanes(),
  cast: lanes(),
  neg: lanes('f32x4.neg'),
  abs: lanes('f32x4.abs'),
  sqrt: lanes('f32x4.sqrt'),
  relu: (f, _vm, [x]) => f.get(x!).f32x4(0).op('f32x4.max'),
  reciprocal: (f, _vm, [x]) => f.f32x4(1).get(x!).op('f32x4.div'),
  exp: unaryMath('exp'),
  log: unaryMath('log'),
  tanh: unaryMath('tanh'),
  sigmoid: unaryMath('sigmoid'),
  erf: unaryMath('erf'),
  gelu: (f, vm, [x], attrs) => {
    f.get(x!);
    vm.gelu((attrs as OpAttrs['gelu']).approximate);
  },
  add: lanes('f32x4.add'),
  sub: lanes('f32x4.sub'),
  mul: lanes('f32x4.mul'),
  div: lanes('f32x4.div'),
  max: lanes('f32x4.max'),
  min: lanes('f32x4.min'),
};

/** Whether every step of `p` has a vector form (the caller checks that all its values are f32). */
export function vectorisable(p: ElementwiseProgram): boolean {
  return p.steps.every((s) => STEPS[s.op] !== undefined);
}

/**
 * Emits program `p` on v128 input locals `inputs` (its values 0..), writing step i to local
 * `steps[i]`; returns the local holding the result. Matmul epilogues use it on register blocks.
 */
export function emitVectorProgram(f: FunctionBuilder, vm: VecMath, p: ElementwiseProgram, inputs: readonly number[], steps: readonly number[]): number {
  const names = [...inputs];
  p.steps.forEach((s, i) => {
    STEPS[s.op]!(f, vm, s.args.map((a) => names[a]!), s.attrs);
    f.set(steps[i]!);
    names.push(steps[i]!);
  });
  return names[names.length - 1]!;
}

/** The op kinds this family may take: those with a vector step, and fused programs of them. */
export const ELEMENTWISE_KINDS: readonly OpKind[] = [...(Object.keys(STEPS) as OpKind[]), 'fused'];

/** The node's computation as a program (a single op is a one-step program). */
function programOf(n: WasmNodeInfo<OpKind>): ElementwiseProgram {
  const node = n.node;
  if (node.op === 'fused') return (node.attrs as OpAttrs['fused']).program;
  return { inputs: n.inputs.length, steps: [{ op: node.op, attrs: node.attrs, args: n.inputs.map((_, i) => i) }] };
}

/** How one operand is read along a row: as vectors (contiguous) or as one splatted value. */
export interface RowLayout {
  /** Elements per row. */
  readonly inner: number;
  /** Shape of the dims in front of the row. */
  readonly outer: readonly number[];
  /** Per operand: element strides over `outer` and whether the row is contiguous ('vec') or constant ('splat'). */
  readonly operands: readonly { readonly strides: readonly number[]; readonly kind: 'vec' | 'splat' }[];
}

/** The row view of an output of `out` over operands of `shapes` (numpy broadcasting): the longest valid trailing run. */
export function rowLayout(out: Shape, shapes: readonly Shape[]): RowLayout {
  const dense = denseStrides(out);
  const strides = shapes.map((s) => broadcastStrides(out, s));
  const fits = (k: number, st: readonly number[], kind: 'vec' | 'splat'): boolean =>
    out.every((n, d) => d < out.length - k || n === 1 || st[d] === (kind === 'vec' ? dense[d] : 0));
  let k = 0;
  while (k < out.length && strides.every((st) => fits(k + 1, st, 'vec') || fits(k + 1, st, 'splat'))) k++;
  const cut = out.length - k;
  return {
    inner: numel(out.slice(cut)),
    outer: out.slice(0, cut),
    operands: strides.map((st) => ({ strides: st.slice(0, cut), kind: fits(k, st, 'vec') ? 'vec' : 'splat' })),
  };
}

const allF32 = (ts: readonly TensorType[]): boolean => ts.every((t) => t.dtype === 'f32');

/** Chunks per row. */
const chunksPerRow = (inner: number): number => Math.max(1, Math.ceil(inner / CHUNK));

function layoutOf(n: WasmNodeInfo<OpKind>): RowLayout {
  return rowLayout(n.outputs[0]!.shape, n.inputs.map((t) => t.shape));
}

export const elementwiseFamily: WasmKernelFamily = {
  name: 'elementwise: f32 ops and fused programs, 4 lanes per step along contiguous or splatted rows',
  accepts(n) {
    if (n.outputs.length !== 1 || !allF32(n.inputs) || !allF32(n.outputs)) return false;
    const p = programOf(n);
    if (!vectorisable(p)) return false;
    if (!allF32(programTypes(p, n.inputs))) return false;
    return numel(n.outputs[0]!.shape) > 0 && layoutOf(n).inner >= 4;
  },
  units(n) {
    const l = layoutOf(n);
    return Math.max(1, numel(l.outer) * chunksPerRow(l.inner));
  },
  emit(f, k, range) {
    emitElementwise(f, k, range);
  },
};

function emitElementwise(f: FunctionBuilder, k: WasmKernelInput<OpKind>, { lo, hi }: UnitRange): void {
  const l = layoutOf(k);
  const p = programOf(k);
  const vm = new VecMath(f, k.simd);
  const cpr = chunksPerRow(l.inner);
  const [u, row, c, j, rem] = [f.local('i32'), f.local('i32'), f.local('i32'), f.local('i32'), f.local('i32')];
  const base = l.operands.map(() => f.local('i32'));
  const ob = f.local('i32');
  const vals = l.operands.map(() => f.local('v128'));
  const steps = p.steps.map(() => f.local('v128'));
  const compute = (): void => void f.get(emitVectorProgram(f, vm, p, vals, steps));
  /** One chunk of `len` elements: vectors, then up to three single elements. */
  const chunk = (len: number): void => {
    const full = len - (len % 4);
    f.for(j, 0, full * 4, 16, () => {
      f.get(ob).get(j).op('i32.add');
      l.operands.forEach((o, i) => {
        if (o.kind === 'vec') f.get(base[i]!).get(j).op('i32.add').mem('v128.load', k.x[i]!).set(vals[i]!);
      });
      compute();
      f.mem('v128.store', k.y[0]!);
    });
    for (let t = full; t < len; t++) {
      f.get(ob);
      l.operands.forEach((o, i) => {
        if (o.kind === 'vec') f.get(base[i]!).mem('v128.load32_zero', k.x[i]! + 4 * t).set(vals[i]!);
      });
      compute();
      f.lane('f32x4.extract_lane', 0).mem('f32.store', k.y[0]! + 4 * t);
    }
  };
  f.get(lo).set(u);
  f.block(() => f.loop(() => {
    f.get(u).get(hi).op('i32.ge_s').brIf(1);
    if (cpr > 1) f.get(u).get(u).i32(cpr).op('i32.div_u').tee(row).i32(cpr).op('i32.mul', 'i32.sub').set(c);
    else f.get(u).set(row);
    // Each operand's byte offset of this row (unravelled over the outer dims), plus the chunk's start.
    l.operands.forEach((_, i) => f.i32(0).set(base[i]!));
    f.get(row).set(rem);
    for (let d = l.outer.length - 1; d >= 0; d--) {
      const n = l.outer[d]!;
      l.operands.forEach((o, i) => {
        const s = o.strides[d]!;
        if (s === 0) return;
        f.get(base[i]!).get(rem);
        if (d > 0) f.i32(n).op('i32.rem_u');
        f.i32(4 * s).op('i32.mul', 'i32.add').set(base[i]!);
      });
      if (d > 0) f.get(rem).i32(n).op('i32.div_u').set(rem);
    }
    f.get(row).i32(4 * l.inner).op('i32.mul').set(ob);
    if (cpr > 1) {
      f.get(c).i32(4 * CHUNK).op('i32.mul').tee(rem).get(ob).op('i32.add').set(ob);
      l.operands.forEach((o, i) => {
        if (o.kind === 'vec') f.get(base[i]!).get(rem).op('i32.add').set(base[i]!);
      });
    }
    l.operands.forEach((o, i) => {
      if (o.kind === 'splat') f.get(base[i]!).mem('v128.load32_splat', k.x[i]!).set(vals[i]!);
    });
    const last = l.inner - (cpr - 1) * CHUNK;
    if (cpr === 1) chunk(l.inner);
    else if (last === CHUNK) chunk(CHUNK);
    else f.get(c).i32(cpr - 1).op('i32.eq').if(() => chunk(last), () => chunk(CHUNK));
    f.get(u).i32(1).op('i32.add').set(u).br(0);
  }));
}
