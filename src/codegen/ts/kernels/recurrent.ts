// Recurrent kernels (rnn, lstm, gru): per direction, one blocked contraction projects the whole
// input sequence (x W_ih^T + b_ih for every step at once), then the time loop runs one small
// contraction per step (h W_hh^T + b_hh) and the cell's gate arithmetic. The loop, its order
// (reverse direction from the last step) and every size are literals; state lives in scratch.
// A gru without linearBeforeReset then recomputes the n block of that step's projection from
// r * h (a third contraction), so its cell reads W_hn (r * h) + b_hn instead of r * (W_hn h + b_hn).
import type { CodeBlockWriter } from 'ts-morph';
import type { Node } from '../../../ir/graph.ts';
import type { TensorType } from '../../../ir/types.ts';
import { type RecurrentSizes, recurrentSizes } from '../../../ops/recurrent.ts';
import { type KernelInput, inArg, outArg } from '../kernel.ts';
import { contractionScratch, emitContraction } from './contraction.ts';

type Kind = 'rnn' | 'lstm' | 'gru';

type Sizes = RecurrentSizes;

function sizesOf(n: Node, inputs: readonly TensorType[]): Sizes {
  return recurrentSizes(n.op as Kind, n.attrs as { hidden: number; direction: string }, inputs[0]!);
}

/** Scratch layout: projected inputs XW [T*B, GH], per-step HW [B, GH], state h, c and r * h [B, H], packing space. */
function layout(s: Sizes): { XW: number; HW: number; h: number; c: number; rh: number; pk: number; total: number } {
  const XW = 0;
  const HW = XW + s.T * s.B * s.GH;
  const h = HW + s.B * s.GH;
  const c = h + s.B * s.H;
  const rh = c + s.B * s.H;
  const pk = rh + s.B * s.H;
  const pack = Math.max(contractionScratch(s.T * s.B, s.I), contractionScratch(s.B, s.H));
  return { XW, HW, h, c, rh, pk, total: pk + pack };
}

/** f64 scratch elements of a recurrent kernel. */
export function recurrentScratch(n: Node, inputs: readonly TensorType[]): number {
  return layout(sizesOf(n, inputs)).total;
}

/** The gate arithmetic for one (batch row b, unit j) at step t; writes h (and c) and y. */
function emitCell(w: CodeBlockWriter, kind: Kind, s: Sizes, d: number, relu: boolean, resetFirst: boolean): void {
  const { GH, H, D } = s;
  const xw = (g: number): string => `XW[(t * ${s.B} + b) * ${GH} + ${g * H} + j]`;
  const hw = (g: number): string => `HW[b * ${GH} + ${g * H} + j]`;
  if (kind === 'rnn') {
    w.writeLine(`const v = ${xw(0)} + ${hw(0)};`);
    w.writeLine(`const hn = ${relu ? 'Math.max(v, 0)' : 'Math.tanh(v)'};`);
  } else if (kind === 'lstm') {
    w.writeLine(`const ig = sigmoid(${xw(0)} + ${hw(0)});`);
    w.writeLine(`const fg = sigmoid(${xw(1)} + ${hw(1)});`);
    w.writeLine(`const gg = Math.tanh(${xw(2)} + ${hw(2)});`);
    w.writeLine(`const og = sigmoid(${xw(3)} + ${hw(3)});`);
    w.writeLine(`const cn = fg * cS[b * ${H} + j] + ig * gg;`);
    w.writeLine(`cS[b * ${H} + j] = cn;`);
    w.writeLine('const hn = og * Math.tanh(cn);');
  } else {
    w.writeLine(`const r = sigmoid(${xw(0)} + ${hw(0)});`);
    w.writeLine(`const z = sigmoid(${xw(1)} + ${hw(1)});`);
    w.writeLine(`const nn = Math.tanh(${xw(2)} + ${resetFirst ? hw(2) : `r * ${hw(2)}`});`);
    w.writeLine(`const hn = (1 - z) * nn + z * hS[b * ${H} + j];`);
  }
  w.writeLine(`hS[b * ${H} + j] = hn;`);
  w.writeLine(`${outArg(0)}[(t * ${s.B} + b) * ${D * H} + ${d * H} + j] = hn;`);
}

/** One direction: project all inputs, load the initial state, run the time loop, store the final state. */
function emitDirection(w: CodeBlockWriter, kind: Kind, s: Sizes, d: number, reverse: boolean, relu: boolean, resetFirst: boolean, simple: boolean): void {
  const { T, B, I, H, GH } = s;
  const bias = (arr: string) => (acc: string, _i: string, j: string): string => `${acc} + ${arr}[${d * GH} + ${j}]`;
  emitContraction(w, {
    m: T * B, n: GH, k: I, dtype: 'f32',
    a: { arr: inArg(0), base: '0', rowStride: I, colStride: 1 },
    b: { arr: inArg(1), base: String(d * GH * I), rowStride: 1, colStride: I },
    out: 'XW', outBase: '0', scratch: 'PK', simple, epilogue: bias(inArg(3)), store: (v) => v,
  });
  w.writeLine(`for (let e = 0; e < ${B * H}; e++) hS[e] = ${inArg(5)}[${d * B * H} + e];`);
  if (kind === 'lstm') w.writeLine(`for (let e = 0; e < ${B * H}; e++) cS[e] = ${inArg(6)}[${d * B * H} + e];`);
  w.write(`for (let s = 0; s < ${T}; s++) `).block(() => {
    w.writeLine(reverse ? `const t = ${T - 1} - s;` : 'const t = s;');
    emitContraction(w, {
      m: B, n: GH, k: H, dtype: 'f32',
      a: { arr: 'hS', base: '0', rowStride: H, colStride: 1 },
      b: { arr: inArg(2), base: String(d * GH * H), rowStride: 1, colStride: H },
      out: 'HW', outBase: '0', scratch: 'PK', simple, epilogue: bias(inArg(4)), store: (v) => v,
    });
    if (resetFirst) emitResetProjection(w, s, d, simple);
    w.write(`for (let b = 0; b < ${B}; b++) `).block(() => {
      w.write(`for (let j = 0; j < ${H}; j++) `).block(() => emitCell(w, kind, s, d, relu, resetFirst));
    });
  });
  w.writeLine(`for (let e = 0; e < ${B * H}; e++) ${outArg(1)}[${d * B * H} + e] = hS[e];`);
  if (kind === 'lstm') w.writeLine(`for (let e = 0; e < ${B * H}; e++) ${outArg(2)}[${d * B * H} + e] = cS[e];`);
}

/** A gru without linearBeforeReset: RH = r * h, then HW's n block = RH W_hn^T + b_hn. */
function emitResetProjection(w: CodeBlockWriter, s: Sizes, d: number, simple: boolean): void {
  const { B, H, GH } = s;
  w.writeLine(`for (let b = 0; b < ${B}; b++) for (let j = 0; j < ${H}; j++) RH[b * ${H} + j] = sigmoid(XW[(t * ${B} + b) * ${GH} + j] + HW[b * ${GH} + j]) * hS[b * ${H} + j];`);
  emitContraction(w, {
    m: B, n: H, k: H, dtype: 'f32',
    a: { arr: 'RH', base: '0', rowStride: H, colStride: 1 },
    b: { arr: inArg(2), base: String((d * GH + 2 * H) * H), rowStride: 1, colStride: H },
    out: 'HW', outBase: String(2 * H), outRowStride: GH, scratch: 'PK', simple,
    epilogue: (acc, _i, j) => `${acc} + ${inArg(4)}[${d * GH + 2 * H} + ${j}]`, store: (v) => v,
  });
}

/** Emits the kernel of an rnn, lstm or gru node. */
export function emitRecurrent(w: CodeBlockWriter, k: KernelInput<Kind>): void {
  const s = sizesOf(k.node as Node, k.inputs);
  if (s.T * s.B === 0) {
    w.writeLine(`${outArg(1)}.set(${inArg(5)});`);
    if (k.node.op === 'lstm') w.writeLine(`${outArg(2)}.set(${inArg(6)});`);
    return;
  }
  const lay = layout(s);
  if (k.scratch !== 'sc') w.writeLine(`const sc = new Float64Array(${lay.total});`);
  w.writeLine(`const XW = sc.subarray(${lay.XW}, ${lay.HW});`);
  w.writeLine(`const HW = sc.subarray(${lay.HW}, ${lay.h});`);
  w.writeLine(`const hS = sc.subarray(${lay.h}, ${lay.c});`);
  w.writeLine(`const cS = sc.subarray(${lay.c}, ${lay.rh});`);
  w.writeLine(`const RH = sc.subarray(${lay.rh}, ${lay.pk});`);
  w.writeLine(`const PK = sc.subarray(${lay.pk});`);
  const node = k.node as Node;
  const relu = node.op === 'rnn' && node.attrs.activation === 'relu';
  const resetFirst = node.op === 'gru' && !node.attrs.linearBeforeReset;
  for (let d = 0; d < s.D; d++) {
    const reverse = k.node.attrs.direction === 'reverse' || d === 1;
    w.block(() => emitDirection(w, k.node.op as Kind, s, d, reverse, relu, resetFirst, k.simple ?? false));
  }
}
