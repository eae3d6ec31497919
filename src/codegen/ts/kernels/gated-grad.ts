// The lstmGrad and gruGrad kernels: per direction and batch row, the layer's time loop runs
// forwards recording its gates and states in scratch, then backwards accumulating the gradients
// in f64 scratch, which are stored once at the end. Every size and the loop order are literals.
import type { CodeBlockWriter } from 'ts-morph';
import type { TensorType } from '../../../ir/types.ts';
import type { NodeOf } from '../../../ir/graph.ts';
import { type RecurrentSizes, recurrentSizes } from '../../../ops/recurrent.ts';
import { type KernelInput, inArg, outArg } from '../kernel.ts';

type Kind = 'lstmGrad' | 'gruGrad';

interface Sizes extends RecurrentSizes {
  readonly lstm: boolean;
}

function sizesOf(n: NodeOf<Kind>, inputs: readonly TensorType[]): Sizes {
  const lstm = n.op === 'lstmGrad';
  return { lstm, ...recurrentSizes(lstm ? 'lstm' : 'gru', n.attrs, inputs[0]!) };
}

/** Scratch arrays in order, with their lengths. */
function arrays(s: Sizes): [string, number][] {
  const { T, B, I, D, H, GH } = s;
  return [
    ['dx', T * B * I], ['dwih', D * GH * I], ['dwhh', D * GH * H], ['dbih', D * GH], ['dbhh', D * GH],
    ['tg', T * 4 * H], ['th', (T + 1) * H], ['tc', (T + 1) * H], ['xw', GH], ['hw', GH],
    ['dh', H], ['dc', H], ['dxp', GH], ['dhp', GH], ['direct', H],
  ];
}

/** f64 scratch elements of an lstmGrad or gruGrad kernel. */
export function gatedGradScratch(n: NodeOf<Kind>, inputs: readonly TensorType[]): number {
  return arrays(sizesOf(n, inputs)).reduce((sum, [, len]) => sum + len, 0);
}

/** The forward loop of direction d for row b, recording gates (tg), hidden (th) and cell (tc) states. */
function emitRecord(w: CodeBlockWriter, s: Sizes, d: number, reverse: boolean): void {
  const { T, B, I, H, GH } = s;
  const [x, wih, whh, bih, bhh, h0, c0] = [0, 1, 2, 3, 4, 5, 6].map(inArg);
  w.writeLine(`for (let j = 0; j < ${H}; j++) { th[j] = ${h0}[${d * B * H} + b * ${H} + j];${s.lstm ? ` tc[j] = ${c0}[${d * B * H} + b * ${H} + j];` : ''} }`);
  w.write(`for (let s = 0; s < ${T}; s++) `).block(() => {
    w.writeLine(reverse ? `const t = ${T - 1} - s;` : 'const t = s;');
    w.write(`for (let r = 0; r < ${GH}; r++) `).block(() => {
      w.writeLine(`let sx = ${bih}[${d * GH} + r];`);
      w.writeLine(`for (let k = 0; k < ${I}; k++) sx += ${wih}[(${d * GH} + r) * ${I} + k] * ${x}[(t * ${B} + b) * ${I} + k];`);
      w.writeLine(`let sh = ${bhh}[${d * GH} + r];`);
      w.writeLine(`for (let k = 0; k < ${H}; k++) sh += ${whh}[(${d * GH} + r) * ${H} + k] * th[s * ${H} + k];`);
      w.writeLine('xw[r] = sx;');
      w.writeLine('hw[r] = sh;');
    });
    w.write(`for (let j = 0; j < ${H}; j++) `).block(() => {
      const g = (k: number): string => `tg[s * ${4 * H} + ${k * H} + j]`;
      const pre = (k: number): string => `xw[${k * H} + j] + hw[${k * H} + j]`;
      if (s.lstm) {
        w.writeLine(`const i = sigmoid(${pre(0)}), f = sigmoid(${pre(1)}), g = Math.tanh(${pre(2)}), o = sigmoid(${pre(3)});`);
        w.writeLine(`${g(0)} = i; ${g(1)} = f; ${g(2)} = g; ${g(3)} = o;`);
        w.writeLine(`const c = f * tc[s * ${H} + j] + i * g;`);
        w.writeLine(`tc[(s + 1) * ${H} + j] = c;`);
        w.writeLine(`th[(s + 1) * ${H} + j] = o * Math.tanh(c);`);
      } else {
        w.writeLine(`const r = sigmoid(${pre(0)}), z = sigmoid(${pre(1)});`);
        w.writeLine(`const n = Math.tanh(xw[${2 * H} + j] + r * hw[${2 * H} + j]);`);
        w.writeLine(`${g(0)} = r; ${g(1)} = z; ${g(2)} = n; ${g(3)} = hw[${2 * H} + j];`);
        w.writeLine(`th[(s + 1) * ${H} + j] = (1 - z) * n + z * th[s * ${H} + j];`);
      }
    });
  });
}

/** One backward cell: pre-activation gradients (dxp, dhp), dh's direct part, and dc. */
function emitCellGrad(w: CodeBlockWriter, s: Sizes): void {
  const { H } = s;
  const g = (k: number): string => `tg[s * ${4 * H} + ${k * H} + j]`;
  w.write(`for (let j = 0; j < ${H}; j++) `).block(() => {
    if (s.lstm) {
      w.writeLine(`const i = ${g(0)}, f = ${g(1)}, g = ${g(2)}, o = ${g(3)};`);
      w.writeLine(`const tcj = Math.tanh(tc[(s + 1) * ${H} + j]);`);
      w.writeLine('const dcj = dc[j] + dh[j] * o * (1 - tcj * tcj);');
      w.writeLine(`dxp[j] = dhp[j] = dcj * g * i * (1 - i);`);
      w.writeLine(`dxp[${H} + j] = dhp[${H} + j] = dcj * tc[s * ${H} + j] * f * (1 - f);`);
      w.writeLine(`dxp[${2 * H} + j] = dhp[${2 * H} + j] = dcj * i * (1 - g * g);`);
      w.writeLine(`dxp[${3 * H} + j] = dhp[${3 * H} + j] = dh[j] * tcj * o * (1 - o);`);
      w.writeLine('dc[j] = dcj * f;');
      w.writeLine('direct[j] = 0;');
    } else {
      w.writeLine(`const r = ${g(0)}, z = ${g(1)}, n = ${g(2)}, hn = ${g(3)};`);
      w.writeLine('const dn = dh[j] * (1 - z) * (1 - n * n);');
      w.writeLine(`const dz = dh[j] * (th[s * ${H} + j] - n) * z * (1 - z);`);
      w.writeLine('const dr = dn * hn * r * (1 - r);');
      w.writeLine(`dxp[j] = dr; dxp[${H} + j] = dz; dxp[${2 * H} + j] = dn;`);
      w.writeLine(`dhp[j] = dr; dhp[${H} + j] = dz; dhp[${2 * H} + j] = dn * r;`);
      w.writeLine('direct[j] = dh[j] * z;');
    }
  });
}

/** The backward loop of direction d for row b. */
function emitBackward(w: CodeBlockWriter, s: Sizes, d: number, reverse: boolean): void {
  const { T, B, I, D, H, GH } = s;
  const [x, wih, whh] = [0, 1, 2].map(inArg);
  const [dy, dhn, dcn] = (s.lstm ? [7, 8, 9] : [6, 7]).map(inArg);
  w.writeLine(`for (let j = 0; j < ${H}; j++) { dh[j] = ${dhn}[${d * B * H} + b * ${H} + j]; dc[j] = ${s.lstm ? `${dcn}[${d * B * H} + b * ${H} + j]` : '0'}; }`);
  w.write(`for (let s = ${T - 1}; s >= 0; s--) `).block(() => {
    w.writeLine(reverse ? `const t = ${T - 1} - s;` : 'const t = s;');
    w.writeLine(`for (let j = 0; j < ${H}; j++) dh[j] += ${dy}[(t * ${B} + b) * ${D * H} + ${d * H} + j];`);
    emitCellGrad(w, s);
    w.write(`for (let r = 0; r < ${GH}; r++) `).block(() => {
      w.writeLine(`dbih[${d * GH} + r] += dxp[r];`);
      w.writeLine(`dbhh[${d * GH} + r] += dhp[r];`);
      w.writeLine(`for (let i = 0; i < ${I}; i++) dwih[(${d * GH} + r) * ${I} + i] += dxp[r] * ${x}[(t * ${B} + b) * ${I} + i];`);
      w.writeLine(`for (let k = 0; k < ${H}; k++) dwhh[(${d * GH} + r) * ${H} + k] += dhp[r] * th[s * ${H} + k];`);
    });
    w.write(`for (let i = 0; i < ${I}; i++) `).block(() => {
      w.writeLine('let sum = 0;');
      w.writeLine(`for (let r = 0; r < ${GH}; r++) sum += ${wih}[(${d * GH} + r) * ${I} + i] * dxp[r];`);
      w.writeLine(`dx[(t * ${B} + b) * ${I} + i] += sum;`);
    });
    w.write(`for (let k = 0; k < ${H}; k++) `).block(() => {
      w.writeLine('let sum = direct[k];');
      w.writeLine(`for (let r = 0; r < ${GH}; r++) sum += ${whh}[(${d * GH} + r) * ${H} + k] * dhp[r];`);
      w.writeLine('dh[k] = sum;');
    });
  });
  w.writeLine(`for (let j = 0; j < ${H}; j++) ${outArg(5)}[${d * B * H} + b * ${H} + j] = dh[j];`);
  if (s.lstm) w.writeLine(`for (let j = 0; j < ${H}; j++) ${outArg(6)}[${d * B * H} + b * ${H} + j] = dc[j];`);
}

/** Emits the kernel of an lstmGrad or gruGrad node. */
export function emitGatedGrad(w: CodeBlockWriter, k: KernelInput<Kind>): void {
  const s = sizesOf(k.node, k.inputs);
  const list = arrays(s);
  const total = list.reduce((sum, [, len]) => sum + len, 0);
  if (k.scratch !== 'sc') w.writeLine(`const sc = new Float64Array(${total});`);
  let at = 0;
  for (const [name, len] of list) {
    w.writeLine(`const ${name} = sc.subarray(${at}, ${at + len});`);
    at += len;
  }
  w.writeLine(`sc.fill(0, 0, ${list.slice(0, 5).reduce((sum, [, len]) => sum + len, 0)});`);
  for (let d = 0; d < s.D; d++) {
    const reverse = k.node.attrs.direction === 'reverse' || d === 1;
    w.write(`for (let b = 0; b < ${s.B}; b++) `).block(() => {
      emitRecord(w, s, d, reverse);
      emitBackward(w, s, d, reverse);
    });
  }
  ['dx', 'dwih', 'dwhh', 'dbih', 'dbhh'].forEach((name, i) => w.writeLine(`${outArg(i)}.set(${name});`));
}
