// WGSL kernels that walk each line along one axis on its own (argMax/argMin, cumSum/cumProd,
// topK): one invocation per line, looping over the axis in order, as the reference does.
import type { TensorType } from '../../../ir/types.ts';
import { normAxis, splitAt } from '../../../ops/util.ts';
import { type WgslEmitter, type WgslKernel, guard } from '../kernel.ts';
import { load, store } from '../types.ts';

/** The line geometry of `x` along `axis`, and the statements giving line `gidx` its first element `base`. */
function lines(x: TensorType, axis: number): { rows: number; len: number; inner: number; head: string } {
  const { outer, len, inner } = splitAt(x.shape, normAxis(axis, x.shape.length));
  const rows = outer * inner;
  return { rows, len, inner, head: [guard(rows), `let base = (gidx / ${inner}u) * ${len * inner}u + gidx % ${inner}u;`].join('\n') };
}

/** A WGSL bool expression: f32 `v` is a NaN (from its bits; `v != v` may be folded away). */
const nan = (v: string): string => `((bitcast<u32>(${v}) & 0x7fffffffu) > 0x7f800000u)`;

function arg(min: boolean): WgslEmitter<'argMax' | 'argMin'> {
  return (k): WgslKernel => {
    const x = k.inputs[0]!;
    const { rows, len, inner, head } = lines(x, k.node.attrs.axis);
    if (rows === 0) return { invocations: 0, body: '' };
    const last = k.node.attrs.selectLast;
    const cmp = `v ${min ? '<' : '>'}${last ? '=' : ''} best`;
    // A NaN beats numbers (and, with selectLast, an earlier NaN); nothing else beats a NaN.
    const wins = x.dtype === 'f32' ? `select(select(${cmp}, true, ${nan('v')}), ${last ? nan('v') : 'false'}, ${nan('best')})` : cmp;
    const body = [
      head,
      `var best = ${load(x.dtype, k.x[0]!, 'base')};`,
      'var at = 0u;',
      `for (var j = 1u; j < ${len}u; j++) {`,
      `  let v = ${load(x.dtype, k.x[0]!, `base + j * ${inner}u`)};`,
      `  if (${wins}) { best = v; at = j; }`,
      '}',
      store('i64', k.y[0]!, 'gidx', 'i32(at)'),
    ];
    return { invocations: rows, body: body.join('\n') };
  };
}

/** cumSum/cumProd: one invocation per line, the accumulator in the element type (i32 wraps). */
function cumulative(kind: 'cumSum' | 'cumProd'): WgslEmitter<'cumSum' | 'cumProd'> {
  return (k): WgslKernel => {
    const x = k.inputs[0]!;
    const { rows, len, inner, head } = lines(x, k.node.attrs.axis);
    if (rows === 0 || len === 0) return { invocations: 0, body: '' };
    const { exclusive, reverse } = k.node.attrs;
    const float = x.dtype === 'f32';
    const init = kind === 'cumSum' ? (float ? '0.0' : '0i') : float ? '1.0' : '1i';
    const step = `acc = acc ${kind === 'cumSum' ? '+' : '*'} ${load(x.dtype, k.x[0]!, 'at')};`;
    const body = [
      head,
      `var acc = ${init};`,
      `for (var s = 0u; s < ${len}u; s++) {`,
      `  let at = base + ${reverse ? `(${len - 1}u - s)` : 's'} * ${inner}u;`,
      ...(exclusive ? [] : [`  ${step}`]),
      `  ${store(x.dtype, k.y[0]!, 'at', 'acc')}`,
      ...(exclusive ? [`  ${step}`] : []),
      '}',
    ];
    return { invocations: rows, body: body.join('\n') };
  };
}

/**
 * topK: one invocation per line selects its k elements one after another, each the first in
 * topK's order (ties by lower index, NaN greatest) among those after the previous one: O(k len)
 * and no per-line memory.
 */
const topK: WgslEmitter<'topK'> = (k): WgslKernel => {
  const x = k.inputs[0]!;
  const { axis, k: count, largest } = k.node.attrs;
  const { rows, len, inner, head } = lines(x, axis);
  if (rows === 0 || count === 0) return { invocations: 0, body: '' };
  const t = x.dtype === 'f32' ? 'f32' : 'i32';
  const decls = [
    `fn topk_before(a: ${t}, i: u32, b: ${t}, j: u32) -> bool {`,
    ...(t === 'f32' ? [`  let na = ${nan('a')};`, `  let nb = ${nan('b')};`, `  if (na || nb) { return select(${largest ? 'na' : 'nb'}, i < j, na && nb); }`] : []),
    `  if (a == b) { return i < j; }`,
    `  return a ${largest ? '>' : '<'} b;`,
    '}',
  ].join('\n');
  const body = [
    head,
    `let out = (gidx / ${inner}u) * ${count * inner}u + gidx % ${inner}u;`,
    `var pv = ${load(x.dtype, k.x[0]!, 'base')};`,
    'var pi = 0u;',
    `for (var r = 0u; r < ${count}u; r++) {`,
    '  var bv = pv;',
    '  var bi = 0u;',
    '  var found = false;',
    `  for (var j = 0u; j < ${len}u; j++) {`,
    `    let v = ${load(x.dtype, k.x[0]!, `base + j * ${inner}u`)};`,
    '    if (r > 0u && !topk_before(pv, pi, v, j)) { continue; }',
    '    if (!found || topk_before(v, j, bv, bi)) { bv = v; bi = j; found = true; }',
    '  }',
    `  ${store(x.dtype, k.y[0]!, `out + r * ${inner}u`, 'bv')}`,
    `  ${store('i64', k.y[1]!, `out + r * ${inner}u`, 'i32(bi)')}`,
    '  pv = bv;',
    '  pi = bi;',
    '}',
  ];
  return { invocations: rows, body: body.join('\n'), decls };
};

/** The line emitters. */
export const wgslLines = {
  topK,
  cumSum: cumulative('cumSum') as WgslEmitter<'cumSum'>,
  cumProd: cumulative('cumProd') as WgslEmitter<'cumProd'>,
  argMax: arg(false) as WgslEmitter<'argMax'>,
  argMin: arg(true) as WgslEmitter<'argMin'>,
};
