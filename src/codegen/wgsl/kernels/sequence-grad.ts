// The WGSL backward recurrent kernels: one invocation runs the whole backward time loop (every
// direction and batch row in turn, since they all add into the same weight gradients),
// accumulating in the outputs themselves after zeroing them. rnnGrad reads the hidden states from
// the forward output; lstmGrad and gruGrad first rerun the forward loop, recording gates and
// states (T * 4H + 2 (T + 1) H floats) in the kernel's scratch, as every model-sized array here.
import type { Node } from '../../../ir/graph.ts';
import type { TensorType } from '../../../ir/types.ts';
import { GATES, directions } from '../../../ops/recurrent.ts';
import { type WgslEmitter, type WgslScratchNeed, guard, scratchArrays, scratchOf } from '../kernel.ts';
import { load, store } from '../types.ts';

/** The scratch arrays of rnnGrad: the hidden state's gradient and the pre-activation's. */
function rnnArrays(node: Node) {
  const H = (node.attrs as { hidden: number }).hidden;
  return scratchArrays({ dh: H, dp: H });
}

/** The scratch arrays of lstmGrad and gruGrad: the recorded forward pass and the backward state. */
function gatedArrays(node: Node, inputs: readonly TensorType[]) {
  const lstm = node.op === 'lstmGrad';
  const H = (node.attrs as { hidden: number }).hidden;
  const [T, GH] = [inputs[0]!.shape[0]!, GATES[lstm ? 'lstm' : 'gru'] * H];
  return scratchArrays({
    tg: T * 4 * H, th: (T + 1) * H, tc: lstm ? (T + 1) * H : 0,
    xw: GH, hw: GH, dxp: GH, dhp: GH, dh: H, dc: lstm ? H : 0, direct: H,
  });
}

const rnnGrad: WgslEmitter<'rnnGrad'> = (k) => {
  const a = k.node.attrs;
  const [T, B, I] = k.inputs[0]!.shape as [number, number, number];
  const [D, H] = [directions(a), a.hidden];
  const [x, wih, whh, , , h0, y, dy, dhn] = k.x as number[];
  const [dx, dwih, dwhh, db, dh0] = k.y as number[];
  const ld = (base: number, idx: string): string => load('f32', base!, idx);
  const add = (base: number, idx: string, v: string): string => store('f32', base, idx, `${ld(base, idx)} + ${v}`);
  const zero = ([base, n]: [number, number]): string => `for (var e = 0u; e < ${n}u; e++) { ${store('f32', base, 'e', '0.0')} }`;
  const pre = a.activation === 'relu' ? 'select(0.0, g, h > 0.0)' : 'g * (1.0 - h * h)';
  const { dh, dp } = rnnArrays(k.node).bind(`${scratchOf(k)}u`);
  const body = [
    guard(1),
    ...([[dx, T * B * I], [dwih, D * H * I], [dwhh, D * H * H], [db, D * H]] as [number, number][]).map(zero),
    `for (var d = 0u; d < ${D}u; d++) {`,
    `  let rev = d == 1u || ${a.direction === 'reverse'};`,
    `  for (var b = 0u; b < ${B}u; b++) {`,
    `    for (var j = 0u; j < ${H}u; j++) { ${dh.set('j', ld(dhn!, `(d * ${B}u + b) * ${H}u + j`))} }`,
    `    for (var s = ${T}i - 1i; s >= 0i; s--) {`,
    `      let t = select(u32(s), ${T - 1}u - u32(s), rev);`,
    `      let ht = (t * ${B}u + b) * ${D * H}u + d * ${H}u;`,
    `      let tp = select(select(t - 1u, t + 1u, rev), t, s == 0i);`, // step 0 reads h0 instead (kept in bounds)
    `      let hp = (tp * ${B}u + b) * ${D * H}u + d * ${H}u;`,
    `      for (var j = 0u; j < ${H}u; j++) {`,
    `        let g = ${dh.at('j')} + ${ld(dy!, 'ht + j')};`,
    `        let h = ${ld(y!, 'ht + j')};`,
    `        let p = ${pre};`,
    `        ${dp.set('j', 'p')}`,
    `        ${add(db!, `d * ${H}u + j`, 'p')}`,
    `        for (var i = 0u; i < ${I}u; i++) { ${add(dwih!, `(d * ${H}u + j) * ${I}u + i`, `p * ${ld(x!, `(t * ${B}u + b) * ${I}u + i`)}`)} }`,
    `        for (var q = 0u; q < ${H}u; q++) {`,
    `          let prev = select(${ld(y!, 'hp + q')}, ${ld(h0!, `(d * ${B}u + b) * ${H}u + q`)}, s == 0i);`,
    `          ${add(dwhh!, `(d * ${H}u + j) * ${H}u + q`, 'p * prev')}`,
    '        }',
    '      }',
    `      for (var i = 0u; i < ${I}u; i++) {`,
    '        var sum = 0.0;',
    `        for (var j = 0u; j < ${H}u; j++) { sum += ${ld(wih!, `(d * ${H}u + j) * ${I}u + i`)} * ${dp.at('j')}; }`,
    `        ${add(dx!, `(t * ${B}u + b) * ${I}u + i`, 'sum')}`,
    '      }',
    `      for (var q = 0u; q < ${H}u; q++) {`,
    '        var sum = 0.0;',
    `        for (var j = 0u; j < ${H}u; j++) { sum += ${ld(whh!, `(d * ${H}u + j) * ${H}u + q`)} * ${dp.at('j')}; }`,
    `        ${dh.set('q', 'sum')}`,
    '      }',
    '    }',
    `    for (var j = 0u; j < ${H}u; j++) { ${store('f32', dh0!, `(d * ${B}u + b) * ${H}u + j`, dh.at('j'))} }`,
    '  }',
    '}',
  ];
  return { invocations: 1, body: body.join('\n') };
};

/** lstmGrad and gruGrad: record the forward loop per (direction, row), then walk it backwards. */
function gatedGrad(k: Parameters<WgslEmitter<'lstmGrad' | 'gruGrad'>>[0]) {
  const lstm = k.node.op === 'lstmGrad';
  const a = k.node.attrs;
  const [T, B, I] = k.inputs[0]!.shape as [number, number, number];
  const [D, H] = [directions(a), a.hidden];
  const GH = GATES[lstm ? 'lstm' : 'gru'] * H;
  const [x, wih, whh, bih, bhh, h0] = k.x as number[];
  const [c0, dy, dhn, dcn] = (lstm ? k.x.slice(6) : [0, ...k.x.slice(6)]) as number[];
  const [dx, dwih, dwhh, dbih, dbhh, dh0, dc0] = k.y as number[];
  const ld = (base: number, idx: string): string => load('f32', base, idx);
  const add = (base: number, idx: string, v: string): string => store('f32', base, idx, `${ld(base, idx)} + ${v}`);
  const zero = ([base, n]: [number, number]): string => `for (var e = 0u; e < ${n}u; e++) { ${store('f32', base, 'e', '0.0')} }`;
  const { tg, th, tc, xw, hw, dxp, dhp, dh, dc, direct } = gatedArrays(k.node, k.inputs).bind(`${scratchOf(k)}u`);
  const gi = (q: number): string => `s * ${4 * H}u + ${q * H}u + j`;
  const g = (q: number): string => tg.at(gi(q));
  const pre = (q: number): string => `${xw.at(`${q * H}u + j`)} + ${hw.at(`${q * H}u + j`)}`;
  const at = (step: string): string => `${step} * ${H}u + j`;
  const row = `(d * ${B}u + b) * ${H}u + j`;
  const cell = lstm
    ? [`let i = sigmoid_f(${pre(0)}); let f = sigmoid_f(${pre(1)}); let gg = tanh_f(${pre(2)}); let o = sigmoid_f(${pre(3)});`,
      `${tg.set(gi(0), 'i')} ${tg.set(gi(1), 'f')} ${tg.set(gi(2), 'gg')} ${tg.set(gi(3), 'o')}`,
      `let c = f * ${tc.at(at('s'))} + i * gg;`, tc.set(at('(s + 1u)'), 'c'), th.set(at('(s + 1u)'), 'o * tanh_f(c)')]
    : [`let r = sigmoid_f(${pre(0)}); let z = sigmoid_f(${pre(1)});`, `let hn = ${hw.at(`${2 * H}u + j`)};`, `let n = tanh_f(${xw.at(`${2 * H}u + j`)} + r * hn);`,
      `${tg.set(gi(0), 'r')} ${tg.set(gi(1), 'z')} ${tg.set(gi(2), 'n')} ${tg.set(gi(3), 'hn')}`, th.set(at('(s + 1u)'), `(1.0 - z) * n + z * ${th.at(at('s'))}`)];
  const back = lstm
    ? [`let i = ${g(0)}; let f = ${g(1)}; let gg = ${g(2)}; let o = ${g(3)};`, `let tcj = tanh_f(${tc.at(at('(s + 1u)'))});`,
      `let dhj = ${dh.at('j')};`, `let dcj = ${dc.at('j')} + dhj * o * (1.0 - tcj * tcj);`,
      `let dq0 = dcj * gg * i * (1.0 - i); let dq1 = dcj * ${tc.at(at('s'))} * f * (1.0 - f);`,
      'let dq2 = dcj * i * (1.0 - gg * gg); let dq3 = dhj * tcj * o * (1.0 - o);',
      ...[0, 1, 2, 3].map((q) => `${dxp.set(`${q * H}u + j`, `dq${q}`)} ${dhp.set(`${q * H}u + j`, `dq${q}`)}`), dc.set('j', 'dcj * f'), direct.set('j', '0.0')]
    : [`let r = ${g(0)}; let z = ${g(1)}; let n = ${g(2)}; let hn = ${g(3)};`, `let dhj = ${dh.at('j')};`, 'let dn = dhj * (1.0 - z) * (1.0 - n * n);',
      `let dz = dhj * (${th.at(at('s'))} - n) * z * (1.0 - z);`, 'let dr = dn * hn * r * (1.0 - r);',
      `${dxp.set('j', 'dr')} ${dxp.set(`${H}u + j`, 'dz')} ${dxp.set(`${2 * H}u + j`, 'dn')}`,
      `${dhp.set('j', 'dr')} ${dhp.set(`${H}u + j`, 'dz')} ${dhp.set(`${2 * H}u + j`, 'dn * r')}`, direct.set('j', 'dhj * z')];
  const body = [
    guard(1),
    ...([[dx, T * B * I], [dwih, D * GH * I], [dwhh, D * GH * H], [dbih, D * GH], [dbhh, D * GH]] as [number, number][]).map(zero),
    `for (var d = 0u; d < ${D}u; d++) {`,
    `let rev = d == 1u || ${a.direction === 'reverse'};`,
    `for (var b = 0u; b < ${B}u; b++) {`,
    `for (var j = 0u; j < ${H}u; j++) { ${th.set('j', ld(h0!, row))}${lstm ? ` ${tc.set('j', ld(c0!, row))}` : ''} }`,
    `for (var s = 0u; s < ${T}u; s++) {`,
    `let t = select(s, ${T - 1}u - s, rev);`,
    `for (var r = 0u; r < ${GH}u; r++) {`,
    `var sx = ${ld(bih!, `d * ${GH}u + r`)};`,
    `for (var q = 0u; q < ${I}u; q++) { sx += ${ld(wih!, `(d * ${GH}u + r) * ${I}u + q`)} * ${ld(x!, `(t * ${B}u + b) * ${I}u + q`)}; }`,
    `var sh = ${ld(bhh!, `d * ${GH}u + r`)};`,
    `for (var q = 0u; q < ${H}u; q++) { sh += ${ld(whh!, `(d * ${GH}u + r) * ${H}u + q`)} * ${th.at(`s * ${H}u + q`)}; }`,
    `${xw.set('r', 'sx')} ${hw.set('r', 'sh')}`, '}',
    `for (var j = 0u; j < ${H}u; j++) {`, ...cell, '}',
    '}',
    `for (var j = 0u; j < ${H}u; j++) { ${dh.set('j', ld(dhn!, row))}${lstm ? ` ${dc.set('j', ld(dcn!, row))}` : ''} }`,
    `for (var si = ${T}i - 1i; si >= 0i; si--) {`,
    'let s = u32(si);',
    `let t = select(s, ${T - 1}u - s, rev);`,
    `for (var j = 0u; j < ${H}u; j++) { ${dh.set('j', `${dh.at('j')} + ${ld(dy!, `(t * ${B}u + b) * ${D * H}u + d * ${H}u + j`)}`)} }`,
    `for (var j = 0u; j < ${H}u; j++) {`, ...back, '}',
    `for (var r = 0u; r < ${GH}u; r++) {`,
    `let dxr = ${dxp.at('r')}; let dhr = ${dhp.at('r')};`,
    add(dbih!, `d * ${GH}u + r`, 'dxr'), add(dbhh!, `d * ${GH}u + r`, 'dhr'),
    `for (var q = 0u; q < ${I}u; q++) { ${add(dwih!, `(d * ${GH}u + r) * ${I}u + q`, `dxr * ${ld(x!, `(t * ${B}u + b) * ${I}u + q`)}`)} }`,
    `for (var q = 0u; q < ${H}u; q++) { ${add(dwhh!, `(d * ${GH}u + r) * ${H}u + q`, `dhr * ${th.at(`s * ${H}u + q`)}`)} }`,
    '}',
    `for (var q = 0u; q < ${I}u; q++) {`, 'var sum = 0.0;',
    `for (var r = 0u; r < ${GH}u; r++) { sum += ${ld(wih!, `(d * ${GH}u + r) * ${I}u + q`)} * ${dxp.at('r')}; }`,
    add(dx!, `(t * ${B}u + b) * ${I}u + q`, 'sum'), '}',
    `for (var q = 0u; q < ${H}u; q++) {`, `var sum = ${direct.at('q')};`,
    `for (var r = 0u; r < ${GH}u; r++) { sum += ${ld(whh!, `(d * ${GH}u + r) * ${H}u + q`)} * ${dhp.at('r')}; }`,
    dh.set('q', 'sum'), '}',
    '}',
    `for (var j = 0u; j < ${H}u; j++) { ${store('f32', dh0!, row, dh.at('j'))}${lstm ? ` ${store('f32', dc0!, row, dc.at('j'))}` : ''} }`,
    '}', '}',
  ];
  return { invocations: 1, body: body.join('\n') };
}

/** The backward sequence emitters. */
export const wgslSequenceGrad = {
  rnnGrad,
  lstmGrad: gatedGrad as WgslEmitter<'lstmGrad'>,
  gruGrad: gatedGrad as WgslEmitter<'gruGrad'>,
};

/** Their scratch needs (each runs one invocation). */
export const wgslSequenceGradScratch = {
  rnnGrad: ((node) => rnnArrays(node).words) as WgslScratchNeed<'rnnGrad'>,
  lstmGrad: ((node, inputs) => gatedArrays(node, inputs).words) as WgslScratchNeed<'lstmGrad'>,
  gruGrad: ((node, inputs) => gatedArrays(node, inputs).words) as WgslScratchNeed<'gruGrad'>,
};
