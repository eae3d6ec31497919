// Recurrent layers as first-class ops: rnn, lstm and gru over a whole sequence, one layer, one or
// two directions, with PyTorch's gate order and two-bias convention. The time loop lives inside
// the op (and inside its kernel), so a 1000-step sequence is one node, not 1000 cells.
//
// Inputs:  x [T, B, I] (time-major), w_ih [D, G*H, I], w_hh [D, G*H, H], b_ih [D, G*H],
//          b_hh [D, G*H], h0 [D, B, H], and for lstm c0 [D, B, H]; D = 1 or 2 directions,
//          G = 1 (rnn), 4 (lstm: i, f, g, o) or 3 (gru: r, z, n). A gru without linearBeforeReset
//          applies the reset gate before the n block's hidden projection: W_hn (r * h) + b_hn.
// Outputs: y [T, B, D*H] (the direction's hidden state at each step, forward first), h_n [D, B, H],
//          and for lstm c_n [D, B, H].
import { type Tensor, f32 } from '../ir/tensor.ts';
import { type Shape, type TensorType, formatType, sameShape, tensorType } from '../ir/types.ts';
import type { OpAttrs } from './attrs.ts';
import type { GradContext, GradRule, OpDef, OpDefs } from './def.ts';
import { gatedGradRule } from './gated-grad.ts';
import { rnnGradRule } from './recurrent-grad.ts';
import { expectAllF32 } from './dtypes.ts';
import { sigmoid } from './scalar.ts';
import { fail } from './util.ts';

type RecurrentKind = 'rnn' | 'lstm' | 'gru';

/** Gates per cell. */
export const GATES: Readonly<Record<RecurrentKind, number>> = { rnn: 1, lstm: 4, gru: 3 };

/** Directions of a recurrent op's attributes. */
export function directions(a: { readonly direction: string }): number {
  return a.direction === 'bidirectional' ? 2 : 1;
}

/** The sizes kernels of a recurrent op (or its gradient) work with: x is [T, B, I], GH = gates x H. */
export interface RecurrentSizes {
  readonly T: number;
  readonly B: number;
  readonly I: number;
  readonly D: number;
  readonly H: number;
  readonly GH: number;
}

/** The sizes of a `kind` layer with attributes `a` over input x of type `x`. */
export function recurrentSizes(kind: RecurrentKind, a: { readonly hidden: number; readonly direction: string }, x: TensorType): RecurrentSizes {
  const [T, B, I] = x.shape as [number, number, number];
  return { T, B, I, D: directions(a), H: a.hidden, GH: GATES[kind] * a.hidden };
}

/** Checks every operand's shape against x [T, B, I]; returns (T, B, I, D, H). */
export function checkRecurrentShapes(kind: RecurrentKind, inputs: readonly TensorType[], a: OpAttrs[RecurrentKind]): number[] {
  expectAllF32(kind, inputs);
  const [x, wih, whh, bih, bhh, h0, c0] = inputs;
  if (x!.shape.length !== 3) fail(`${kind} expects x of rank 3 [seq, batch, input], got ${formatType(x!)}`);
  if (!['forward', 'reverse', 'bidirectional'].includes(a.direction)) fail(`${kind} direction must be forward, reverse or bidirectional, got ${JSON.stringify(a.direction)}`);
  const [T, B, I] = x!.shape as [number, number, number];
  const [D, H, GH] = [directions(a), a.hidden, GATES[kind] * a.hidden];
  if (!Number.isInteger(H) || H <= 0) fail(`${kind} hidden size must be a positive integer, got ${H}`);
  const want: [string, TensorType | undefined, Shape][] = [
    ['w_ih', wih, [D, GH, I]], ['w_hh', whh, [D, GH, H]], ['b_ih', bih, [D, GH]], ['b_hh', bhh, [D, GH]], ['h0', h0, [D, B, H]],
  ];
  if (kind === 'lstm') want.push(['c0', c0, [D, B, H]]);
  for (const [name, t, shape] of want) {
    if (!t || !sameShape(t.shape, shape)) fail(`${kind} ${name} must be f32[${shape.join(',')}], got ${t ? formatType(t) : 'nothing'}`);
  }
  return [T, B, I, D, H];
}

/** One direction's cell update: gates from the input and hidden projections, new h (and c). */
function cellStep(kind: RecurrentKind, a: OpAttrs[RecurrentKind], xw: Float64Array, hw: Float64Array, h: Float64Array, c: Float64Array, H: number): void {
  for (let j = 0; j < H; j++) {
    if (kind === 'rnn') {
      const v = xw[j]! + hw[j]!;
      h[j] = (a as OpAttrs['rnn']).activation === 'relu' ? Math.max(v, 0) : Math.tanh(v);
    } else if (kind === 'lstm') {
      const i = sigmoid(xw[j]! + hw[j]!);
      const f = sigmoid(xw[H + j]! + hw[H + j]!);
      const g = Math.tanh(xw[2 * H + j]! + hw[2 * H + j]!);
      const o = sigmoid(xw[3 * H + j]! + hw[3 * H + j]!);
      c[j] = f * c[j]! + i * g;
      h[j] = o * Math.tanh(c[j]!);
    } else {
      const r = sigmoid(xw[j]! + hw[j]!);
      const z = sigmoid(xw[H + j]! + hw[H + j]!);
      // Without linearBeforeReset, hw's n block already holds W_hn (r * h) + b_hn (see resetProjection).
      const n = Math.tanh(xw[2 * H + j]! + ((a as OpAttrs['gru']).linearBeforeReset ? r * hw[2 * H + j]! : hw[2 * H + j]!));
      h[j] = (1 - z) * n + z * h[j]!;
    }
  }
}

/** `w` [rows, cols] (one direction's slice at `base`) times vector `v`, plus bias: out[r] = w[r]·v + b[r]. */
function affine(w: Float32Array, base: number, rows: number, cols: number, v: ArrayLike<number>, vBase: number, b: Float32Array, bBase: number, out: Float64Array): void {
  for (let r = 0; r < rows; r++) {
    let s = b[bBase + r]!;
    for (let k = 0; k < cols; k++) s += w[base + r * cols + k]! * v[vBase + k]!;
    out[r] = s;
  }
}

/**
 * For a gru without linearBeforeReset: replaces the n block of `hw` (rows 2H..3H) with
 * W_hn (r * h) + b_hn, r from the step's xw and hw; `rh` is [H] scratch.
 */
function resetProjection(whh: Float32Array, bhh: Float32Array, d: number, H: number, xw: Float64Array, hw: Float64Array, h: Float64Array, rh: Float64Array): void {
  for (let j = 0; j < H; j++) rh[j] = sigmoid(xw[j]! + hw[j]!) * h[j]!;
  affine(whh, (d * 3 + 2) * H * H, H, H, rh, 0, bhh, d * 3 * H + 2 * H, hw.subarray(2 * H));
}

function evaluate(kind: RecurrentKind, inputs: readonly Tensor[], a: OpAttrs[RecurrentKind]): Tensor[] {
  const [T, B, I, D, H] = checkRecurrentShapes(kind, inputs, a) as [number, number, number, number, number];
  const [x, wih, whh, bih, bhh, h0, c0] = inputs.map((t) => t.data as Float32Array);
  const GH = GATES[kind] * H;
  const y = new Float32Array(T * B * D * H);
  const hn = new Float32Array(D * B * H);
  const cn = new Float32Array(D * B * H);
  const [xw, hw, rh] = [new Float64Array(GH), new Float64Array(GH), new Float64Array(H)];
  const resetFirst = kind === 'gru' && !(a as OpAttrs['gru']).linearBeforeReset;
  for (let d = 0; d < D; d++) {
    const reverse = a.direction === 'reverse' || d === 1;
    for (let b = 0; b < B; b++) {
      const h = Float64Array.from(h0!.subarray((d * B + b) * H, (d * B + b + 1) * H));
      const c = kind === 'lstm' ? Float64Array.from(c0!.subarray((d * B + b) * H, (d * B + b + 1) * H)) : new Float64Array(H);
      for (let s = 0; s < T; s++) {
        const t = reverse ? T - 1 - s : s;
        affine(wih!, d * GH * I, GH, I, x!, (t * B + b) * I, bih!, d * GH, xw);
        affine(whh!, d * GH * H, GH, H, h, 0, bhh!, d * GH, hw);
        if (resetFirst) resetProjection(whh!, bhh!, d, H, xw, hw, h, rh);
        cellStep(kind, a, xw, hw, h, c, H);
        y.set(h, (t * B + b) * D * H + d * H);
      }
      hn.set(h, (d * B + b) * H);
      cn.set(c, (d * B + b) * H);
    }
  }
  const out = [f32([T, B, D * H], y), f32([D, B, H], hn)];
  if (kind === 'lstm') out.push(f32([D, B, H], cn));
  return out;
}

function recurrentOp<K extends RecurrentKind>(kind: K): OpDef<K> {
  return {
    kind,
    groups: ['recurrent'],
    arity: kind === 'lstm' ? { min: 7, max: 7 } : { min: 6, max: 6 },
    infer(inputs, a) {
      const [T, B, , D, H] = checkRecurrentShapes(kind, inputs, a) as number[];
      if (kind === 'gru' && typeof (a as OpAttrs['gru']).linearBeforeReset !== 'boolean') fail('gru linearBeforeReset must be true or false');
      const outs = [tensorType('f32', [T!, B!, D! * H!]), tensorType('f32', [D!, B!, H!])];
      if (kind === 'lstm') outs.push(tensorType('f32', [D!, B!, H!]));
      return outs;
    },
    evaluate: (inputs, a) => evaluate(kind, inputs, a),
    grad: (kind === 'rnn' ? rnnGradRule : (ctx: GradContext<'lstm' | 'gru'>) => gatedGradRule(ctx, kind as 'lstm' | 'gru')) as GradRule<K>,
  };
}

/** The recurrent ops. */
export const recurrentOps: OpDefs<RecurrentKind> = { rnn: recurrentOp('rnn'), lstm: recurrentOp('lstm'), gru: recurrentOp('gru') };
