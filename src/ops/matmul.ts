// Contractions: matmul (numpy/torch.matmul with broadcast batch dims) and gemm (Linear/Dense/ONNX Gemm).
// Both evaluate through one kernel on operands packed as doubles: A as [M,K] rows, B as [N,K] rows,
// so every output element is one in-order dot product accumulated in a JS double. i32/i64 results
// wrap like their typed arrays; i64 is exact while values and partial sums stay below 2^53.
import { type Shape, formatType, numel, sameType, tensorType } from '../ir/types.ts';
import { evaluateProgram, programTypes } from './program.ts';
import { type Tensor, fromNumberArray, getNumber } from '../ir/tensor.ts';
import type { OpAttrs } from './attrs.ts';
import type { OpDef, OpDefs } from './def.ts';
import { expectAllF32 } from './dtypes.ts';
import { broadcastIndexMap, broadcastShapes, fail, sameDType } from './util.ts';
import { ShapeError, UnsupportedOpError } from '../errors.ts';
import { gradWith } from './gradient.ts';
import type { GradRule } from './def.ts';
import type { ValueId } from '../ir/graph.ts';

/** Sizes of a (batched) matmul after 1-D promotion and transposition. */
interface MatmulPlan {
  readonly aBatch: Shape;
  readonly bBatch: Shape;
  readonly batch: Shape;
  readonly m: number;
  readonly k: number;
  readonly n: number;
  readonly out: Shape;
}

/** Rows x cols of the last two dims of an operand of rank >= 2, swapped when `trans`. */
function lastTwo(s: Shape, trans: boolean): [number, number] {
  const r = s[s.length - 2]!;
  const c = s[s.length - 1]!;
  return trans ? [c, r] : [r, c];
}

/** Broadcasts the batch dims, failing with a message that says they are the batch dims. */
function broadcastBatch(a: Shape, b: Shape): number[] {
  try {
    return broadcastShapes(a, b);
  } catch (e) {
    if (e instanceof ShapeError) fail(`batch dimensions do not broadcast: ${e.message}`);
    throw e;
  }
}

/** The matmul shape rule: 1-D promotion (and removal), trans flags, batch broadcasting. */
function planMatmul(a: Shape, b: Shape, attrs: OpAttrs['matmul']): MatmulPlan {
  if (a.length === 0 || b.length === 0) fail('matmul operands must have rank >= 1');
  if (attrs.transA && a.length < 2) fail('transA needs A of rank >= 2, got rank 1');
  if (attrs.transB && b.length < 2) fail('transB needs B of rank >= 2, got rank 1');
  const [m, ka] = a.length === 1 ? [1, a[0]!] : lastTwo(a, attrs.transA);
  const [kb, n] = b.length === 1 ? [b[0]!, 1] : lastTwo(b, attrs.transB);
  if (ka !== kb) fail(`inner dimensions differ (${ka} vs ${kb})`);
  const aBatch = a.slice(0, -2);
  const bBatch = b.slice(0, -2);
  const batch = broadcastBatch(aBatch, bBatch);
  const out = [...batch, ...(a.length > 1 ? [m] : []), ...(b.length > 1 ? [n] : [])];
  return { aBatch, bBatch, batch, m, k: ka, n, out };
}

/**
 * Copies `count` stacked matrices of `t` into doubles laid out as [count, rows, cols].
 * Each stored matrix is [rows, cols], or [cols, rows] when `transposed`.
 */
function pack(t: Tensor, count: number, rows: number, cols: number, transposed: boolean): Float64Array {
  const out = new Float64Array(count * rows * cols);
  const size = rows * cols;
  for (let b = 0; b < count; b++) {
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const src = b * size + (transposed ? c * rows + r : r * cols + c);
        out[b * size + r * cols + c] = getNumber(t, src);
      }
    }
  }
  return out;
}

/** out[o + i*n + j] = sum_k a[ao + i*k + kk] * bt[bo + j*k + kk], summed in order of kk. */
function contract(
  a: Float64Array, ao: number, bt: Float64Array, bo: number,
  out: Float64Array, o: number, m: number, k: number, n: number,
): void {
  for (let i = 0; i < m; i++) {
    const ai = ao + i * k;
    for (let j = 0; j < n; j++) {
      const bj = bo + j * k;
      let s = 0;
      for (let kk = 0; kk < k; kk++) s += a[ai + kk]! * bt[bj + kk]!;
      out[o + i * n + j] = s;
    }
  }
}

const matmul: OpDef<'matmul'> = {
  kind: 'matmul',
  groups: ['contraction'],
  arity: { min: 2, max: 2 },
  infer([a, b], attrs) {
    const dtype = sameDType([a!, b!]);
    if (dtype === 'bool') fail('matmul needs numeric dtypes (f32, i32, i64), got bool');
    return [tensorType(dtype, planMatmul(a!.shape, b!.shape, attrs).out)];
  },
  evaluate([a, b], attrs, [outType]) {
    const p = planMatmul(a!.shape, b!.shape, attrs);
    const { m, k, n } = p;
    const pa = pack(a!, numel(p.aBatch), m, k, attrs.transA);
    // B is packed as op(B)^T, i.e. [N,K] rows; a 1-D B reads as a stored [K,1] column.
    const pbt = pack(b!, numel(p.bBatch), n, k, !attrs.transB);
    const aMap = broadcastIndexMap(p.batch, p.aBatch);
    const bMap = broadcastIndexMap(p.batch, p.bBatch);
    const out = new Float64Array(numel(p.batch) * m * n);
    for (let bi = 0; bi < aMap.length; bi++) {
      contract(pa, aMap[bi]! * m * k, pbt, bMap[bi]! * n * k, out, bi * m * n, m, k, n);
    }
    return [fromNumberArray(outType!, out)];
  },
  grad: gradWith<'matmul'>((d, g, c) => {
    const [a, b] = c.inputs as [ValueId, ValueId];
    const { transA, transB } = c.attrs;
    const [sa, sb] = [d.shape(a), d.shape(b)];
    // 1-D operands are promoted to matrices (and the gradient given their dims back).
    const a2 = sa.length === 1 ? d.reshape(a, [1, sa[0]!]) : a;
    const b2 = sb.length === 1 ? d.reshape(b, [sb[0]!, 1]) : b;
    const p = planMatmul(d.shape(a2), d.shape(b2), c.attrs);
    const g2 = d.reshape(g, [...p.batch, p.m, p.n]);
    const mm = (x: ValueId, y: ValueId, tA: boolean, tB: boolean): ValueId => d.op('matmul', { transA: tA, transB: tB }, [x, y]);
    // C = op(A) op(B): dop(A) = G op(B)^T, dop(B) = op(A)^T G, transposed back when the operand was.
    const da = transA ? mm(b2, g2, transB, true) : mm(g2, b2, false, !transB);
    const db = transB ? mm(g2, a2, true, transA) : mm(a2, g2, !transA, false);
    return [
      c.needs[0] ? d.reshape(d.unbroadcast(da, d.shape(a2)), sa) : undefined,
      c.needs[1] ? d.reshape(d.unbroadcast(db, d.shape(b2)), sb) : undefined,
    ];
  }),
};

/** Sizes of a gemm: op(A) is [M,K] (M = all leading dims of A when not transA), op(B) is [K,N]. */
function planGemm(a: Shape, b: Shape, attrs: OpAttrs['gemm']): { m: number; k: number; n: number; out: number[] } {
  if (b.length !== 2) fail(`gemm needs B of rank 2, got rank ${b.length}`);
  if (attrs.transA && a.length !== 2) fail(`gemm with transA needs A of rank 2, got rank ${a.length}`);
  if (a.length === 0) fail('gemm needs A of rank >= 1, got a scalar');
  const lead = a.slice(0, -1);
  const [m, ka] = attrs.transA ? [a[1]!, a[0]!] : [numel(lead), a[a.length - 1]!];
  const [kb, n] = attrs.transB ? [b[1]!, b[0]!] : [b[0]!, b[1]!];
  if (ka !== kb) fail(`inner dimensions differ (${ka} vs ${kb})`);
  return { m, k: ka, n, out: attrs.transA ? [m, n] : [...lead, n] };
}

/** Fails unless `c` broadcasts to `out` one way (numpy rules, `out` unchanged). */
function checkBias(c: Shape, out: Shape): void {
  const ok = c.length <= out.length && c.every((d, i) => d === 1 || d === out[out.length - c.length + i]);
  if (!ok) fail(`C [${c.join(',')}] does not broadcast to the result [${out.join(',')}]`);
}

const gemm: OpDef<'gemm'> = {
  kind: 'gemm',
  groups: ['contraction'],
  arity: { min: 2, max: 3 },
  infer(inputs, attrs) {
    expectAllF32('gemm', inputs);
    const { out } = planGemm(inputs[0]!.shape, inputs[1]!.shape, attrs);
    if (inputs[2]) checkBias(inputs[2].shape, out);
    return [tensorType('f32', out)];
  },
  // As PyTorch's addmm: with beta = 0, C is ignored (its NaN/Inf do not propagate).
  evaluate([a, b, c], attrs, [outType]) {
    const { m, k, n, out } = planGemm(a!.shape, b!.shape, attrs);
    const pa = pack(a!, 1, m, k, attrs.transA);
    const pbt = pack(b!, 1, n, k, !attrs.transB);
    const acc = new Float64Array(m * n);
    contract(pa, 0, pbt, 0, acc, 0, m, k, n);
    const cData = attrs.beta !== 0 ? (c?.data as Float32Array | undefined) : undefined;
    const cMap = cData ? broadcastIndexMap(out, c!.shape) : undefined;
    for (let i = 0; i < acc.length; i++) {
      acc[i] = attrs.alpha * acc[i]! + (cMap ? attrs.beta * cData![cMap[i]!]! : 0);
    }
    return [fromNumberArray(outType!, acc)];
  },
  grad: gradWith<'gemm'>((d, g, c) => {
    const [a, b, bias] = c.inputs as [ValueId, ValueId, ValueId | undefined];
    const { transA, transB, alpha, beta } = c.attrs;
    const { m, k, n } = planGemm(d.shape(a), d.shape(b), c.attrs);
    const g2 = d.reshape(g, [m, n]);
    const a2 = transA ? a : d.reshape(a, [m, k]);
    const mm = (x: ValueId, y: ValueId, tA: boolean, tB: boolean): ValueId => d.scale(d.op('matmul', { transA: tA, transB: tB }, [x, y]), alpha);
    const da = transA ? mm(b, g2, transB, true) : mm(g2, b, false, !transB);
    const db = transB ? mm(g2, a2, true, transA) : mm(a2, g2, !transA, false);
    return [
      c.needs[0] ? d.reshape(da, d.shape(a)) : undefined,
      c.needs[1] ? db : undefined,
      bias !== undefined && c.needs[2] ? d.unbroadcast(d.scale(g, beta), d.shape(bias)) : undefined,
    ];
  }),
};

/** How many trailing inputs of a matmul or gemm feed its epilogue (program inputs besides the result). */
export function epilogueInputCount(attrs: { readonly epilogue?: { readonly inputs: number } }): number {
  return attrs.epilogue ? attrs.epilogue.inputs - 1 : 0;
}

/**
 * Wraps a contraction with epilogue support: the trailing `epilogue.inputs - 1` inputs feed the
 * epilogue program, which must keep the result's shape and dtype.
 */
function withEpilogue<K extends 'matmul' | 'gemm'>(def: OpDef<K>): OpDef<K> {
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

/** The contraction ops: matmul and gemm. */
export const matmulOps: OpDefs<'matmul' | 'gemm'> = { matmul: withEpilogue(matmul), gemm: withEpilogue(gemm) };
