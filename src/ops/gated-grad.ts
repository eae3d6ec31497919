// Backpropagation through time for the gated layers as ops: lstmGrad and gruGrad run the layer's
// time loop forwards (recomputing the gates, which the forward op does not keep) and then
// backwards, inside one node, so the backward graph does not grow with the sequence length.
//
// Inputs:  the layer's own operands (x, w_ih, w_hh, b_ih, b_hh, h0, and c0 for lstm), then the
//          gradients of its results: dy [T, B, D*H], dh_n [D, B, H] (and dc_n for lstm).
// Outputs: dx, dw_ih, dw_hh, db_ih, db_hh, dh0 (and dc0 for lstm), each of its operand's type.
import { type Tensor, f32 } from '../ir/tensor.ts';
import { type TensorType, formatType, sameShape, tensorType } from '../ir/types.ts';
import type { OpAttrs } from './attrs.ts';
import type { GradContext, OpDef, OpDefs } from './def.ts';
import { expectAllF32 } from './dtypes.ts';
import { GradEmitter } from './gradient.ts';
import { GATES, checkRecurrentShapes } from './recurrent.ts';
import { sigmoid } from './scalar.ts';
import { fail } from './util.ts';
import { UnsupportedOpError } from '../errors.ts';
import type { ValueId } from '../ir/graph.ts';

type Gated = 'lstm' | 'gru';
type GradKind = 'lstmGrad' | 'gruGrad';
const LAYER: Readonly<Record<GradKind, Gated>> = { lstmGrad: 'lstm', gruGrad: 'gru' };

/** Operands of the layer itself (7 for lstm, 6 for gru). */
const layerArity = (kind: Gated): number => (kind === 'lstm' ? 7 : 6);

/** Checks the layer's operands and the result gradients; returns the output types. */
function gradTypes(kind: GradKind, inputs: readonly TensorType[], a: OpAttrs[Gated]): TensorType[] {
  const layer = LAYER[kind];
  expectAllF32(kind, inputs);
  const n = layerArity(layer);
  const [T, B, , D, H] = checkRecurrentShapes(layer, inputs.slice(0, n), a) as number[];
  const want: [string, TensorType][] = [['dy', tensorType('f32', [T!, B!, D! * H!])], ['dh_n', tensorType('f32', [D!, B!, H!])]];
  if (layer === 'lstm') want.push(['dc_n', tensorType('f32', [D!, B!, H!])]);
  want.forEach(([name, t], i) => {
    const got = inputs[n + i];
    if (!got || !sameShape(got.shape, t.shape)) fail(`${kind} ${name} must be ${formatType(t)}, got ${got ? formatType(got) : 'nothing'}`);
  });
  return inputs.slice(0, n).map((t) => tensorType('f32', t.shape));
}

/** One (direction, batch row)'s forward values kept for the backward loop. */
interface Tape {
  /** Per step: the gates after their activations [G*H]; for gru also W_hn h + b_hn at [3H, 4H). */
  readonly gates: Float64Array;
  /** Hidden (and for lstm cell) state after each step, [T+1, H], row 0 the initial state. */
  readonly h: Float64Array;
  readonly c: Float64Array;
}

/** Plain dense views of the operands, and sizes. */
interface Operands {
  readonly x: Float32Array; readonly wih: Float32Array; readonly whh: Float32Array;
  readonly bih: Float32Array; readonly bhh: Float32Array; readonly h0: Float32Array; readonly c0?: Float32Array;
  readonly T: number; readonly B: number; readonly I: number; readonly D: number; readonly H: number;
}

/** r-th row of the projection `w` [D, GH, cols] (direction d) times `v`, plus bias. */
function dot(w: Float32Array, b: Float32Array, d: number, GH: number, r: number, cols: number, v: ArrayLike<number>, vBase: number): number {
  let s = b[d * GH + r]!;
  for (let k = 0; k < cols; k++) s += w[(d * GH + r) * cols + k]! * v[vBase + k]!;
  return s;
}

/** The forward loop of direction d, batch row b, recording the tape. `order[s]` is the time index of step s. */
function record(kind: Gated, o: Operands, d: number, b: number, order: readonly number[]): Tape {
  const { T, B, I, H } = o;
  const GH = GATES[kind] * H;
  const tape: Tape = { gates: new Float64Array(T * 4 * H), h: new Float64Array((T + 1) * H), c: new Float64Array((T + 1) * H) };
  for (let j = 0; j < H; j++) {
    tape.h[j] = o.h0[(d * B + b) * H + j]!;
    if (o.c0) tape.c[j] = o.c0[(d * B + b) * H + j]!;
  }
  for (let s = 0; s < T; s++) {
    const t = order[s]!;
    const [xw, hw] = [new Float64Array(GH), new Float64Array(GH)];
    for (let r = 0; r < GH; r++) {
      xw[r] = dot(o.wih, o.bih, d, GH, r, I, o.x, (t * B + b) * I);
      hw[r] = dot(o.whh, o.bhh, d, GH, r, H, tape.h, s * H);
    }
    const gate = tape.gates.subarray(s * 4 * H, (s + 1) * 4 * H);
    for (let j = 0; j < H; j++) {
      const hp = tape.h[s * H + j]!;
      if (kind === 'lstm') {
        const [i, f, g, og] = [sigmoid(xw[j]! + hw[j]!), sigmoid(xw[H + j]! + hw[H + j]!), Math.tanh(xw[2 * H + j]! + hw[2 * H + j]!), sigmoid(xw[3 * H + j]! + hw[3 * H + j]!)];
        [gate[j], gate[H + j], gate[2 * H + j], gate[3 * H + j]] = [i, f, g, og];
        tape.c[(s + 1) * H + j] = f * tape.c[s * H + j]! + i * g;
        tape.h[(s + 1) * H + j] = og * Math.tanh(tape.c[(s + 1) * H + j]!);
      } else {
        const r = sigmoid(xw[j]! + hw[j]!);
        const z = sigmoid(xw[H + j]! + hw[H + j]!);
        const n = Math.tanh(xw[2 * H + j]! + r * hw[2 * H + j]!);
        [gate[j], gate[H + j], gate[2 * H + j], gate[3 * H + j]] = [r, z, n, hw[2 * H + j]!];
        tape.h[(s + 1) * H + j] = (1 - z) * n + z * hp;
      }
    }
  }
  return tape;
}

/**
 * One step's backward cell: from dh (and dc) at the step's output, the gradients of the x-side
 * and h-side pre-activations (dxp, dhp [GH]), the part of dh_prev not through W_hh, and dc_prev.
 */
function cellGrad(kind: Gated, tape: Tape, s: number, H: number, dh: Float64Array, dc: Float64Array, dxp: Float64Array, dhp: Float64Array, direct: Float64Array): void {
  const gate = tape.gates.subarray(s * 4 * H, (s + 1) * 4 * H);
  for (let j = 0; j < H; j++) {
    if (kind === 'lstm') {
      const [i, f, g, o] = [gate[j]!, gate[H + j]!, gate[2 * H + j]!, gate[3 * H + j]!];
      const tc = Math.tanh(tape.c[(s + 1) * H + j]!);
      const dcj = dc[j]! + dh[j]! * o * (1 - tc * tc);
      const pre = [dcj * g * i * (1 - i), dcj * tape.c[s * H + j]! * f * (1 - f), dcj * i * (1 - g * g), dh[j]! * tc * o * (1 - o)];
      pre.forEach((v, k) => (dxp[k * H + j] = dhp[k * H + j] = v));
      dc[j] = dcj * f;
      direct[j] = 0;
    } else {
      const [r, z, n, hn] = [gate[j]!, gate[H + j]!, gate[2 * H + j]!, gate[3 * H + j]!];
      const dn = dh[j]! * (1 - z) * (1 - n * n);
      const dz = dh[j]! * (tape.h[s * H + j]! - n) * z * (1 - z);
      const dr = dn * hn * r * (1 - r);
      [dxp[j], dxp[H + j], dxp[2 * H + j]] = [dr, dz, dn];
      [dhp[j], dhp[H + j], dhp[2 * H + j]] = [dr, dz, dn * r];
      direct[j] = dh[j]! * z;
    }
  }
}

/** The reference backward pass of lstm or gru. */
function evaluate(kind: GradKind, inputs: readonly Tensor[], a: OpAttrs[Gated]): Tensor[] {
  const layer = LAYER[kind];
  const types = gradTypes(kind, inputs, a);
  const n = layerArity(layer);
  const data = inputs.map((t) => t.data as Float32Array);
  const [T, B, I] = inputs[0]!.shape as [number, number, number];
  const H = a.hidden;
  const D = inputs[1]!.shape[0]!;
  const o: Operands = { x: data[0]!, wih: data[1]!, whh: data[2]!, bih: data[3]!, bhh: data[4]!, h0: data[5]!, ...(layer === 'lstm' ? { c0: data[6]! } : {}), T, B, I, D, H };
  const [dy, dhn, dcn] = data.slice(n);
  const GH = GATES[layer] * H;
  const out = types.map((t) => new Float64Array(t.shape.reduce((p, q) => p * q, 1)));
  const [dx, dwih, dwhh, dbih, dbhh, dh0, dc0] = out;
  const [dh, dc, dxp, dhp, direct] = [new Float64Array(H), new Float64Array(H), new Float64Array(GH), new Float64Array(GH), new Float64Array(H)];
  for (let d = 0; d < D; d++) {
    const reverse = a.direction === 'reverse' || d === 1;
    const order = Array.from({ length: T }, (_, s) => (reverse ? T - 1 - s : s));
    for (let b = 0; b < B; b++) {
      const tape = record(layer, o, d, b, order);
      for (let j = 0; j < H; j++) [dh[j], dc[j]] = [dhn![(d * B + b) * H + j]!, dcn ? dcn[(d * B + b) * H + j]! : 0];
      for (let s = T - 1; s >= 0; s--) {
        const t = order[s]!;
        for (let j = 0; j < H; j++) dh[j] += dy![(t * B + b) * D * H + d * H + j]!;
        cellGrad(layer, tape, s, H, dh, dc, dxp, dhp, direct);
        for (let r = 0; r < GH; r++) {
          dbih![d * GH + r] += dxp[r]!;
          dbhh![d * GH + r] += dhp[r]!;
          for (let i = 0; i < I; i++) dwih![(d * GH + r) * I + i] += dxp[r]! * o.x[(t * B + b) * I + i]!;
          for (let k = 0; k < H; k++) dwhh![(d * GH + r) * H + k] += dhp[r]! * tape.h[s * H + k]!;
        }
        for (let i = 0; i < I; i++) for (let r = 0; r < GH; r++) dx![(t * B + b) * I + i] += o.wih[(d * GH + r) * I + i]! * dxp[r]!;
        for (let k = 0; k < H; k++) {
          let sum = direct[k]!;
          for (let r = 0; r < GH; r++) sum += o.whh[(d * GH + r) * H + k]! * dhp[r]!;
          dh[k] = sum;
        }
      }
      for (let j = 0; j < H; j++) {
        dh0![(d * B + b) * H + j] = dh[j]!;
        if (dc0) dc0[(d * B + b) * H + j] = dc[j]!;
      }
    }
  }
  return types.map((t, i) => f32(t.shape, Float32Array.from(out[i]!)));
}

function gatedGrad<K extends GradKind>(kind: K): OpDef<K> {
  const n = kind === 'lstmGrad' ? 10 : 8;
  return {
    kind,
    groups: ['recurrent'],
    arity: { min: n, max: n }, // the operands, then one gradient per result
    infer: (inputs, a) => gradTypes(kind, inputs, a as OpAttrs[Gated]),
    evaluate: (inputs, a) => evaluate(kind, inputs, a as OpAttrs[Gated]),
    grad: { none: 'second derivatives of recurrent layers are not supported' },
  };
}

/** The gradient rule of lstm and gru: one lstmGrad/gruGrad node (zeros for results nothing depends on). */
export function gatedGradRule(ctx: GradContext<Gated>, kind: Gated): (ValueId | undefined)[] {
  const { hidden, direction } = ctx.attrs;
  if (kind === 'gru' && !(ctx.attrs as OpAttrs['gru']).linearBeforeReset) {
    throw new UnsupportedOpError('no gradient for a gru without linearBeforeReset (ONNX linear_before_reset = 0): gruGrad computes PyTorch\'s form only');
  }
  const d = new GradEmitter(ctx);
  const grads = ctx.outputs.map((v, i) => ctx.grads[i] ?? d.zeros(d.shape(v)));
  return ctx.emit(kind === 'lstm' ? 'lstmGrad' : 'gruGrad', { hidden, direction }, [...ctx.inputs, ...grads]);
}

/** The backward ops of lstm and gru. */
export const gatedGradOps: OpDefs<GradKind> = { lstmGrad: gatedGrad('lstmGrad'), gruGrad: gatedGrad('gruGrad') };
