// WGSL recurrent kernels: one invocation per (direction, batch row) running the time loop with
// its state in private arrays. A gru without linearBeforeReset recomputes the n block of the
// hidden projection from r * h before its cell.
import type { Node } from '../../../ir/graph.ts';
import { GATES, directions } from '../../../ops/recurrent.ts';
import { type WgslEmitter, guard } from '../kernel.ts';
import { load, store } from '../types.ts';

/** For a gru without linearBeforeReset: hg's n block = W_hn (r * h) + b_hn, r from xg and hg. */
function resetProjection(H: number, GH: number, whh: number, bhh: number): string[] {
  const ld = (base: number, idx: string): string => load('f32', base, idx);
  return [
    `var rh: array<f32, ${H}>;`,
    `for (var u = 0u; u < ${H}u; u++) { rh[u] = sigmoid_f(xg[u] + hg[u]) * h[u]; }`,
    `for (var u = 0u; u < ${H}u; u++) {`,
    `  var sn = ${ld(bhh, `d * ${GH}u + ${2 * H}u + u`)};`,
    `  for (var q = 0u; q < ${H}u; q++) { sn += ${ld(whh, `(d * ${GH}u + ${2 * H}u + u) * ${H}u + q`)} * rh[q]; }`,
    `  hg[${2 * H}u + u] = sn;`,
    '}',
  ];
}

/** rnn, lstm and gru: the whole time loop per (direction, batch row), gates in private arrays. */
function recurrent(k: Parameters<WgslEmitter<'rnn' | 'lstm' | 'gru'>>[0]) {
  const node = k.node as Node;
  const kind = node.op as 'rnn' | 'lstm' | 'gru';
  const a = node.attrs as { hidden: number; direction: string; activation?: string; linearBeforeReset?: boolean };
  const resetFirst = kind === 'gru' && !a.linearBeforeReset;
  const [T, B, I] = k.inputs[0]!.shape as [number, number, number];
  const [D, H] = [directions(a), a.hidden];
  const GH = GATES[kind] * H;
  const [x, wih, whh, bih, bhh, h0, c0] = k.x;
  const ld = (base: number, idx: string): string => load('f32', base, idx);
  const act = (g: number): string => `xg[${g * H}u + u] + hg[${g * H}u + u]`;
  const cell: Record<typeof kind, string[]> = {
    rnn: [`let v = ${act(0)};`, `hn[u] = ${a.activation === 'relu' ? 'max(v, 0.0)' : 'tanh_f(v)'};`],
    lstm: [
      `let ig = sigmoid_f(${act(0)});`, `let fg = sigmoid_f(${act(1)});`, `let gg = tanh_f(${act(2)});`, `let og = sigmoid_f(${act(3)});`,
      'c[u] = fg * c[u] + ig * gg;', 'hn[u] = og * tanh_f(c[u]);',
    ],
    gru: [
      `let r = sigmoid_f(${act(0)});`, `let z = sigmoid_f(${act(1)});`,
      `let nv = tanh_f(xg[${2 * H}u + u] + ${resetFirst ? '' : 'r * '}hg[${2 * H}u + u]);`, 'hn[u] = (1.0 - z) * nv + z * h[u];',
    ],
  };
  const body = [
    guard(D * B),
    `let d = gidx / ${B}u;`, `let b = gidx % ${B}u;`,
    `var h: array<f32, ${H}>;`, `var hn: array<f32, ${H}>;`, `var c: array<f32, ${H}>;`,
    `var xg: array<f32, ${GH}>;`, `var hg: array<f32, ${GH}>;`,
    `for (var u = 0u; u < ${H}u; u++) { h[u] = ${ld(h0!, `(d * ${B}u + b) * ${H}u + u`)};${kind === 'lstm' ? ` c[u] = ${ld(c0!, `(d * ${B}u + b) * ${H}u + u`)};` : ''} }`,
    `for (var s = 0u; s < ${T}u; s++) {`,
    `  let t = select(s, ${T - 1}u - s, d == 1u || ${a.direction === 'reverse'});`,
    `  for (var g = 0u; g < ${GH}u; g++) {`,
    `    var sx = ${ld(bih!, `d * ${GH}u + g`)};`,
    `    for (var q = 0u; q < ${I}u; q++) { sx += ${ld(wih!, `(d * ${GH}u + g) * ${I}u + q`)} * ${ld(x!, `(t * ${B}u + b) * ${I}u + q`)}; }`,
    `    var sh = ${ld(bhh!, `d * ${GH}u + g`)};`,
    `    for (var q = 0u; q < ${H}u; q++) { sh += ${ld(whh!, `(d * ${GH}u + g) * ${H}u + q`)} * h[q]; }`,
    '    xg[g] = sx;', '    hg[g] = sh;', '  }',
    ...(resetFirst ? resetProjection(H, GH, whh!, bhh!).map((l) => `  ${l}`) : []),
    `  for (var u = 0u; u < ${H}u; u++) {`, ...cell[kind].map((l) => `    ${l}`), '  }',
    `  for (var u = 0u; u < ${H}u; u++) { h[u] = hn[u]; ${store('f32', k.y[0]!, `(t * ${B}u + b) * ${D * H}u + d * ${H}u + u`, 'h[u]')} }`,
    '}',
    `for (var u = 0u; u < ${H}u; u++) { ${store('f32', k.y[1]!, `(d * ${B}u + b) * ${H}u + u`, 'h[u]')}${kind === 'lstm' ? ` ${store('f32', k.y[2]!, `(d * ${B}u + b) * ${H}u + u`, 'c[u]')}` : ''} }`,
  ];
  return { invocations: D * B, body: body.join('\n') };
}

/** The sequence emitters. */
export const wgslSequence = {
  rnn: recurrent as WgslEmitter<'rnn'>,
  lstm: recurrent as WgslEmitter<'lstm'>,
  gru: recurrent as WgslEmitter<'gru'>,
};
