// WGSL scatter kernels. Updates are applied in the reference's order with no atomics: every
// invocation owns a disjoint set of output elements, copies the data into them, then walks the
// updates that can land there in order. scatterElements: one invocation per line of the data
// along the axis (updates only move along it). scatterND: one per element of a slice (every
// index tuple writes one element of each column). An index out of range sets the node's bounds
// flag (1 + the axis, then the index) and is skipped; the host raises the IndexError.
import { type DType, numel, stridesOf } from '../../../ir/types.ts';
import type { ScatterReduction } from '../../../ops/scatter.ts';
import { normAxis } from '../../../ops/util.ts';
import { type WgslEmitter, type WgslInput, guard } from '../kernel.ts';
import { load, store } from '../types.ts';

/** The WGSL expression combining element `old` with update `u`. */
function combine(reduction: ScatterReduction, old: string, u: string): string {
  return { none: u, add: `${old} + ${u}`, mul: `${old} * ${u}`, max: `max(${old}, ${u})`, min: `min(${old}, ${u})` }[reduction];
}

/** Statements reading index `pos` into `let name: u32`, or flagging entry `entry` and skipping the update. */
function readIndex(k: WgslInput<'scatterElements' | 'scatterND'>, name: string, pos: string, size: number, entry: number): string[] {
  const flag = k.flag === undefined ? '' : ` mem[${k.flag}u] = ${entry + 1}u; mem[${k.flag + 1}u] = bitcast<u32>(raw${name});`;
  return [
    `let raw${name} = ${load(k.inputs[1]!.dtype, k.x[1]!, pos)};`,
    `let w${name} = select(raw${name}, raw${name} + ${size}i, raw${name} < 0i);`,
    `if (w${name} < 0i || w${name} >= ${size}i) {${flag} continue; }`,
    `let ${name} = u32(w${name});`,
  ];
}

/** `y[at] = combine(y[at], updates[u])`. */
function apply(k: WgslInput<'scatterElements' | 'scatterND'>, dtype: DType, at: string, u: string): string {
  return store(dtype, k.y[0]!, at, combine(k.node.attrs.reduction, load(dtype, k.y[0]!, at), load(dtype, k.x[2]!, u)));
}

const scatterElements: WgslEmitter<'scatterElements'> = (k) => {
  const [data, upd] = [k.inputs[0]!, k.inputs[2]!];
  const D = data.shape;
  const U = upd.shape;
  const ax = normAxis(k.node.attrs.axis, D.length);
  const rows = D[ax] === 0 ? 0 : numel(D) / D[ax]!;
  if (rows === 0) return { invocations: 0, body: '' };
  const [ds, us] = [stridesOf(D), stridesOf(U)];
  // The line's coordinates off the axis, decoded from gidx over D without the axis.
  const off = D.map((_, d) => d).filter((d) => d !== ax);
  const dense = stridesOf(off.map((d) => D[d]!));
  const coords = off.map((d, i) => `let c${d} = (gidx / ${dense[i]}u) % ${D[d]}u;`);
  const sum = (st: readonly number[]): string => off.map((d) => `c${d} * ${st[d]}u`).join(' + ') || '0u';
  const inside = off.filter((d) => U[d]! < D[d]!).map((d) => `c${d} < ${U[d]}u`).join(' && ') || 'true';
  const body = [
    guard(rows), ...coords,
    `let base = ${sum(ds)};`,
    `for (var a = 0u; a < ${D[ax]}u; a++) { ${store(data.dtype, k.y[0]!, `base + a * ${ds[ax]}u`, load(data.dtype, k.x[0]!, `base + a * ${ds[ax]}u`))} }`,
    `if (!(${inside})) { return; }`,
    `let ub = ${sum(us)};`,
    `for (var j = 0u; j < ${U[ax]}u; j++) {`,
    ...readIndex(k, 'r', `ub + j * ${us[ax]}u`, D[ax]!, 0).map((l) => `  ${l}`),
    `  ${apply(k, data.dtype, `base + r * ${ds[ax]}u`, `ub + j * ${us[ax]}u`)}`,
    '}',
  ];
  return { invocations: rows, body: body.join('\n') };
};

const scatterND: WgslEmitter<'scatterND'> = (k) => {
  const [data, indices] = [k.inputs[0]!, k.inputs[1]!];
  const kk = indices.shape.at(-1)!;
  const slice = numel(data.shape.slice(kk));
  const cells = numel(data.shape.slice(0, kk));
  const tuples = numel(indices.shape.slice(0, -1));
  if (slice === 0 || cells === 0) return { invocations: 0, body: '' };
  const ds = stridesOf(data.shape);
  const reads = Array.from({ length: kk }, (_, j) => readIndex(k, `r${j}`, `q * ${kk}u + ${j}u`, data.shape[j]!, j)).flat();
  const at = Array.from({ length: kk }, (_, j) => `r${j} * ${ds[j]}u`).join(' + ') || '0u';
  const body = [
    guard(slice),
    `for (var t = 0u; t < ${cells}u; t++) { ${store(data.dtype, k.y[0]!, `t * ${slice}u + gidx`, load(data.dtype, k.x[0]!, `t * ${slice}u + gidx`))} }`,
    ...(tuples === 0 ? [] : [
      `for (var q = 0u; q < ${tuples}u; q++) {`,
      ...reads.map((l) => `  ${l}`),
      `  ${apply(k, data.dtype, `${at} + gidx`, `q * ${slice}u + gidx`)}`,
      '}',
    ]),
  ];
  return { invocations: slice, body: body.join('\n') };
};

/** The scatter emitters. */
export const wgslScatter = { scatterElements, scatterND };
