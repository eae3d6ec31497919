// WGSL recurrent kernels: one invocation per (direction, batch row) running the time loop with
// its state (hidden and cell state, gate pre-activations) in its own part of the kernel's scratch.
// A gru without linearBeforeReset recomputes the n block of the hidden projection from r * h.
import type { Node } from '../../../ir/graph.ts';
import type { TensorType } from '../../../ir/types.ts';
import { GATES, directions } from '../../../ops/recurrent.ts';
import { type WgslEmitter, type WgslScratchNeed, guard, scratchArrays, scratchOf } from '../kernel.ts';
import { load, store } from '../types.ts';

type Kind = 'rnn' | 'lstm' | 'gru';
type Attrs = { hidden: number; direction: string; activation?: string; linearBeforeReset?: boolean };

/** A gru whose n gate applies W_hn to r * h (ONNX's default), not r to W_hn h (PyTorch's). */
const resetsFirst = (node: Node): boolean => node.op === 'gru' && !(node.attrs as Attrs).linearBeforeReset;

/** The scratch arrays of one invocation, and how many invocations run. */
function stateLayout(node: Node, inputs: readonly TensorType[]) {
  const kind = node.op as Kind;
  const a = node.attrs as Attrs;
  const H = a.hidden;
  const GH = GATES[kind] * H;
  const arrays = scratchArrays({ h: H, hn: H, c: kind === 'lstm' ? H : 0, xg: GH, hg: GH, rh: resetsFirst(node) ? H : 0 });
  return { arrays, invocations: directions(a) * inputs[0]!.shape[1]! };
}

const stateWords: WgslScratchNeed<Kind> = (node, inputs) => {
  const { arrays, invocations } = stateLayout(node as Node, inputs);
  return arrays.words * invocations;
};

/** rnn, lstm and gru: the whole time loop per (direction, batch row), state in scratch. */
function recurrent(k: Parameters<WgslEmitter<Kind>>[0]) {
  const node = k.node as Node;
  const kind = node.op as Kind;
  const a = node.attrs as Attrs;
  const [T, B, I] = k.inputs[0]!.shape as [number, number, number];
  const [D, H] = [directions(a), a.hidden];
  const GH = GATES[kind] * H;
  const [x, wih, whh, bih, bhh, h0, c0] = k.x;
  const ld = (base: number, idx: string): string => load('f32', base, idx);
  const { arrays } = stateLayout(node, k.inputs);
  const { h, hn, c, xg, hg, rh } = arrays.bind('st');
  // For a gru that resets first: hg's n block = W_hn (r * h) + b_hn, with r from xg and hg.
  const resetProjection = [
    `for (var u = 0u; u < ${H}u; u++) { ${rh.set('u', `sigmoid_f(${xg.at('u')} + ${hg.at('u')}) * ${h.at('u')}`)} }`,
    `for (var u = 0u; u < ${H}u; u++) {`,
    `  var sn = ${ld(bhh!, `d * ${GH}u + ${2 * H}u + u`)};`,
    `  for (var q = 0u; q < ${H}u; q++) { sn += ${ld(whh!, `(d * ${GH}u + ${2 * H}u + u) * ${H}u + q`)} * ${rh.at('q')}; }`,
    `  ${hg.set(`${2 * H}u + u`, 'sn')}`,
    '}',
  ];
  const act = (g: number): string => `${xg.at(`${g * H}u + u`)} + ${hg.at(`${g * H}u + u`)}`;
  const cell: Record<typeof kind, string[]> = {
    rnn: [`let v = ${act(0)};`, hn.set('u', a.activation === 'relu' ? 'max(v, 0.0)' : 'tanh_f(v)')],
    lstm: [
      `let ig = sigmoid_f(${act(0)});`, `let fg = sigmoid_f(${act(1)});`, `let gg = tanh_f(${act(2)});`, `let og = sigmoid_f(${act(3)});`,
      `let cu = fg * ${c.at('u')} + ig * gg;`, c.set('u', 'cu'), hn.set('u', 'og * tanh_f(cu)'),
    ],
    gru: [
      `let r = sigmoid_f(${act(0)});`, `let z = sigmoid_f(${act(1)});`,
      `let nv = tanh_f(${xg.at(`${2 * H}u + u`)} + ${resetsFirst(node) ? '' : 'r * '}${hg.at(`${2 * H}u + u`)});`, hn.set('u', `(1.0 - z) * nv + z * ${h.at('u')}`),
    ],
  };
  const body = [
    guard(D * B),
    `let d = gidx / ${B}u;`, `let b = gidx % ${B}u;`,
    `let st = ${scratchOf(k)}u + gidx * ${arrays.words}u;`,
    `for (var u = 0u; u < ${H}u; u++) { ${h.set('u', ld(h0!, `(d * ${B}u + b) * ${H}u + u`))}${kind === 'lstm' ? ` ${c.set('u', ld(c0!, `(d * ${B}u + b) * ${H}u + u`))}` : ''} }`,
    `for (var s = 0u; s < ${T}u; s++) {`,
    `  let t = select(s, ${T - 1}u - s, d == 1u || ${a.direction === 'reverse'});`,
    `  for (var g = 0u; g < ${GH}u; g++) {`,
    `    var sx = ${ld(bih!, `d * ${GH}u + g`)};`,
    `    for (var q = 0u; q < ${I}u; q++) { sx += ${ld(wih!, `(d * ${GH}u + g) * ${I}u + q`)} * ${ld(x!, `(t * ${B}u + b) * ${I}u + q`)}; }`,
    `    var sh = ${ld(bhh!, `d * ${GH}u + g`)};`,
    `    for (var q = 0u; q < ${H}u; q++) { sh += ${ld(whh!, `(d * ${GH}u + g) * ${H}u + q`)} * ${h.at('q')}; }`,
    `    ${xg.set('g', 'sx')}`, `    ${hg.set('g', 'sh')}`, '  }',
    ...(resetsFirst(node) ? resetProjection.map((l) => `  ${l}`) : []),
    `  for (var u = 0u; u < ${H}u; u++) {`, ...cell[kind].map((l) => `    ${l}`), '  }',
    `  for (var u = 0u; u < ${H}u; u++) { let hu = ${hn.at('u')}; ${h.set('u', 'hu')} ${store('f32', k.y[0]!, `(t * ${B}u + b) * ${D * H}u + d * ${H}u + u`, 'hu')} }`,
    '}',
    `for (var u = 0u; u < ${H}u; u++) { ${store('f32', k.y[1]!, `(d * ${B}u + b) * ${H}u + u`, h.at('u'))}${kind === 'lstm' ? ` ${store('f32', k.y[2]!, `(d * ${B}u + b) * ${H}u + u`, c.at('u'))}` : ''} }`,
  ];
  return { invocations: D * B, body: body.join('\n') };
}

/** The sequence emitters. */
export const wgslSequence = {
  rnn: recurrent as WgslEmitter<'rnn'>,
  lstm: recurrent as WgslEmitter<'lstm'>,
  gru: recurrent as WgslEmitter<'gru'>,
};

/** Their scratch needs. */
export const wgslSequenceScratch = {
  rnn: stateWords as WgslScratchNeed<'rnn'>,
  lstm: stateWords as WgslScratchNeed<'lstm'>,
  gru: stateWords as WgslScratchNeed<'gru'>,
};
