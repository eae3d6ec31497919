// The WGSL rnnGrad kernel: one invocation runs the whole backward time loop (every direction and
// batch row in turn, since they all add into the same weight gradients), accumulating in the
// outputs themselves after zeroing them; dh and dpre live in private arrays.
import { directions } from '../../../ops/recurrent.ts';
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

/** The backward sequence emitters. */
export const wgslSequenceGrad = { rnnGrad };
