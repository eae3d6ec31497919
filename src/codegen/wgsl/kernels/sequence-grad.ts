// The WGSL backward recurrent kernels: one invocation runs the whole backward time loop (every
// direction and batch row in turn, since they all add into the same weight gradients),
// accumulating in the outputs themselves after zeroing them. rnnGrad reads the hidden states from
// the forward output; lstmGrad and gruGrad first rerun the forward loop, keeping gates and states
// in private arrays (T * 4H + 2 (T + 1) H floats: fine for the short sequences of the examples).
import { GATES, directions } from '../../../ops/recurrent.ts';
import { type WgslEmitter, guard } from '../kernel.ts';
import { load, store } from '../types.ts';

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
  const body = [
    guard(1),
    ...([[dx, T * B * I], [dwih, D * H * I], [dwhh, D * H * H], [db, D * H]] as [number, number][]).map(zero),
    `var dh: array<f32, ${H}>;`, `var dp: array<f32, ${H}>;`,
    `for (var d = 0u; d < ${D}u; d++) {`,
    `  let rev = d == 1u || ${a.direction === 'reverse'};`,
    `  for (var b = 0u; b < ${B}u; b++) {`,
    `    for (var j = 0u; j < ${H}u; j++) { dh[j] = ${ld(dhn!, `(d * ${B}u + b) * ${H}u + j`)}; }`,
    `    for (var s = ${T}i - 1i; s >= 0i; s--) {`,
    `      let t = select(u32(s), ${T - 1}u - u32(s), rev);`,
    `      let ht = (t * ${B}u + b) * ${D * H}u + d * ${H}u;`,
    `      let tp = select(select(t - 1u, t + 1u, rev), t, s == 0i);`, // step 0 reads h0 instead (kept in bounds)
    `      let hp = (tp * ${B}u + b) * ${D * H}u + d * ${H}u;`,
    `      for (var j = 0u; j < ${H}u; j++) {`,
    `        let g = dh[j] + ${ld(dy!, 'ht + j')};`,
    `        let h = ${ld(y!, 'ht + j')};`,
    `        let p = ${pre};`,
    '        dp[j] = p;',
    `        ${add(db!, `d * ${H}u + j`, 'p')}`,
    `        for (var i = 0u; i < ${I}u; i++) { ${add(dwih!, `(d * ${H}u + j) * ${I}u + i`, `p * ${ld(x!, `(t * ${B}u + b) * ${I}u + i`)}`)} }`,
    `        for (var q = 0u; q < ${H}u; q++) {`,
    `          let prev = select(${ld(y!, 'hp + q')}, ${ld(h0!, `(d * ${B}u + b) * ${H}u + q`)}, s == 0i);`,
    `          ${add(dwhh!, `(d * ${H}u + j) * ${H}u + q`, 'p * prev')}`,
    '        }',
    '      }',
    `      for (var i = 0u; i < ${I}u; i++) {`,
    '        var sum = 0.0;',
    `        for (var j = 0u; j < ${H}u; j++) { sum += ${ld(wih!, `(d * ${H}u + j) * ${I}u + i`)} * dp[j]; }`,
    `        ${add(dx!, `(t * ${B}u + b) * ${I}u + i`, 'sum')}`,
    '      }',
    `      for (var q = 0u; q < ${H}u; q++) {`,
    '        var sum = 0.0;',
    `        for (var j = 0u; j < ${H}u; j++) { sum += ${ld(whh!, `(d * ${H}u + j) * ${H}u + q`)} * dp[j]; }`,
    '        dh[q] = sum;',
    '      }',
    '    }',
    `    for (var j = 0u; j < ${H}u; j++) { ${store('f32', dh0!, `(d * ${B}u + b) * ${H}u + j`, 'dh[j]')} }`,
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
  const g = (q: number): string => `tg[s * ${4 * H}u + ${q * H}u + j]`;
  const pre = (q: number): string => `xw[${q * H}u + j] + hw[${q * H}u + j]`;
  const row = `(d * ${B}u + b) * ${H}u + j`;
  const cell = lstm
    ? [`let i = sigmoid_f(${pre(0)}); let f = sigmoid_f(${pre(1)}); let gg = tanh_f(${pre(2)}); let o = sigmoid_f(${pre(3)});`,
      `${g(0)} = i; ${g(1)} = f; ${g(2)} = gg; ${g(3)} = o;`,
      `let c = f * tc[s * ${H}u + j] + i * gg;`, `tc[(s + 1u) * ${H}u + j] = c;`, `th[(s + 1u) * ${H}u + j] = o * tanh_f(c);`]
    : [`let r = sigmoid_f(${pre(0)}); let z = sigmoid_f(${pre(1)});`, `let n = tanh_f(xw[${2 * H}u + j] + r * hw[${2 * H}u + j]);`,
      `${g(0)} = r; ${g(1)} = z; ${g(2)} = n; ${g(3)} = hw[${2 * H}u + j];`, `th[(s + 1u) * ${H}u + j] = (1.0 - z) * n + z * th[s * ${H}u + j];`];
  const back = lstm
    ? [`let i = ${g(0)}; let f = ${g(1)}; let gg = ${g(2)}; let o = ${g(3)};`, `let tcj = tanh_f(tc[(s + 1u) * ${H}u + j]);`,
      'let dcj = dc[j] + dh[j] * o * (1.0 - tcj * tcj);',
      'dxp[j] = dcj * gg * i * (1.0 - i);', `dxp[${H}u + j] = dcj * tc[s * ${H}u + j] * f * (1.0 - f);`,
      `dxp[${2 * H}u + j] = dcj * i * (1.0 - gg * gg);`, `dxp[${3 * H}u + j] = dh[j] * tcj * o * (1.0 - o);`,
      ...[0, 1, 2, 3].map((q) => `dhp[${q * H}u + j] = dxp[${q * H}u + j];`), 'dc[j] = dcj * f;', 'direct[j] = 0.0;']
    : [`let r = ${g(0)}; let z = ${g(1)}; let n = ${g(2)}; let hn = ${g(3)};`, 'let dn = dh[j] * (1.0 - z) * (1.0 - n * n);',
      `let dz = dh[j] * (th[s * ${H}u + j] - n) * z * (1.0 - z);`, 'let dr = dn * hn * r * (1.0 - r);',
      `dxp[j] = dr; dxp[${H}u + j] = dz; dxp[${2 * H}u + j] = dn;`, `dhp[j] = dr; dhp[${H}u + j] = dz; dhp[${2 * H}u + j] = dn * r;`, 'direct[j] = dh[j] * z;'];
  const body = [
    guard(1),
    ...([[dx, T * B * I], [dwih, D * GH * I], [dwhh, D * GH * H], [dbih, D * GH], [dbhh, D * GH]] as [number, number][]).map(zero),
    `var tg: array<f32, ${T * 4 * H}>;`, `var th: array<f32, ${(T + 1) * H}>;`, `var tc: array<f32, ${(T + 1) * H}>;`,
    `var xw: array<f32, ${GH}>;`, `var hw: array<f32, ${GH}>;`, `var dxp: array<f32, ${GH}>;`, `var dhp: array<f32, ${GH}>;`,
    `var dh: array<f32, ${H}>;`, `var dc: array<f32, ${H}>;`, `var direct: array<f32, ${H}>;`,
    `for (var d = 0u; d < ${D}u; d++) {`,
    `let rev = d == 1u || ${a.direction === 'reverse'};`,
    `for (var b = 0u; b < ${B}u; b++) {`,
    `for (var j = 0u; j < ${H}u; j++) { th[j] = ${ld(h0!, row)}; tc[j] = ${lstm ? ld(c0!, row) : '0.0'}; }`,
    `for (var s = 0u; s < ${T}u; s++) {`,
    `let t = select(s, ${T - 1}u - s, rev);`,
    `for (var r = 0u; r < ${GH}u; r++) {`,
    `var sx = ${ld(bih!, `d * ${GH}u + r`)};`,
    `for (var q = 0u; q < ${I}u; q++) { sx += ${ld(wih!, `(d * ${GH}u + r) * ${I}u + q`)} * ${ld(x!, `(t * ${B}u + b) * ${I}u + q`)}; }`,
    `var sh = ${ld(bhh!, `d * ${GH}u + r`)};`,
    `for (var q = 0u; q < ${H}u; q++) { sh += ${ld(whh!, `(d * ${GH}u + r) * ${H}u + q`)} * th[s * ${H}u + q]; }`,
    'xw[r] = sx; hw[r] = sh;', '}',
    `for (var j = 0u; j < ${H}u; j++) {`, ...cell, '}',
    '}',
    `for (var j = 0u; j < ${H}u; j++) { dh[j] = ${ld(dhn!, row)}; dc[j] = ${lstm ? ld(dcn!, row) : '0.0'}; }`,
    `for (var si = ${T}i - 1i; si >= 0i; si--) {`,
    'let s = u32(si);',
    `let t = select(s, ${T - 1}u - s, rev);`,
    `for (var j = 0u; j < ${H}u; j++) { dh[j] += ${ld(dy!, `(t * ${B}u + b) * ${D * H}u + d * ${H}u + j`)}; }`,
    `for (var j = 0u; j < ${H}u; j++) {`, ...back, '}',
    `for (var r = 0u; r < ${GH}u; r++) {`,
    add(dbih!, `d * ${GH}u + r`, 'dxp[r]'), add(dbhh!, `d * ${GH}u + r`, 'dhp[r]'),
    `for (var q = 0u; q < ${I}u; q++) { ${add(dwih!, `(d * ${GH}u + r) * ${I}u + q`, `dxp[r] * ${ld(x!, `(t * ${B}u + b) * ${I}u + q`)}`)} }`,
    `for (var q = 0u; q < ${H}u; q++) { ${add(dwhh!, `(d * ${GH}u + r) * ${H}u + q`, `dhp[r] * th[s * ${H}u + q]`)} }`,
    '}',
    `for (var q = 0u; q < ${I}u; q++) {`, 'var sum = 0.0;',
    `for (var r = 0u; r < ${GH}u; r++) { sum += ${ld(wih!, `(d * ${GH}u + r) * ${I}u + q`)} * dxp[r]; }`,
    add(dx!, `(t * ${B}u + b) * ${I}u + q`, 'sum'), '}',
    `for (var q = 0u; q < ${H}u; q++) {`, 'var sum = direct[q];',
    `for (var r = 0u; r < ${GH}u; r++) { sum += ${ld(whh!, `(d * ${GH}u + r) * ${H}u + q`)} * dhp[r]; }`,
    'dh[q] = sum;', '}',
    '}',
    `for (var j = 0u; j < ${H}u; j++) { ${store('f32', dh0!, row, 'dh[j]')}${lstm ? ` ${store('f32', dc0!, row, 'dc[j]')}` : ''} }`,
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
