// Backpropagation through time as an op: rnnGrad runs the rnn's time loop backwards inside one
// node, so the backward graph of a recurrent layer does not grow with the sequence length.
//
// Inputs:  x, w_ih, w_hh, b_ih, b_hh, h0 (the rnn's own operands), y [T, B, D*H] (its output,
//          which holds every hidden state), dy [T, B, D*H] and dh_n [D, B, H] (the gradients of
//          its two results).
// Outputs: dx [T, B, I], dw_ih [D, H, I], dw_hh [D, H, H], db [D, H] (the gradient of both
//          biases, which enter the cell as a sum), dh0 [D, B, H].
import { type Tensor, f32 } from '../ir/tensor.ts';
import { formatType, sameShape, tensorType } from '../ir/types.ts';
import type { OpAttrs } from './attrs.ts';
import type { GradContext, OpDef, OpDefs } from './def.ts';
import { expectAllF32 } from './dtypes.ts';
import { GradEmitter } from './gradient.ts';
import { checkRecurrentShapes } from './recurrent.ts';
import { fail } from './util.ts';
import type { TensorType } from '../ir/types.ts';
import type { ValueId } from '../ir/graph.ts';

/** Checks the operands (the rnn's own, by its shape rule, then y, dy and dh_n); returns (T, B, I, D, H). */
function checkShapes(inputs: readonly TensorType[], a: OpAttrs['rnn']): number[] {
  expectAllF32('rnnGrad', inputs);
  const [T, B, I, D, H] = checkRecurrentShapes('rnn', inputs.slice(0, 6), a) as [number, number, number, number, number];
  const [y, hn] = [tensorType('f32', [T, B, D * H]), tensorType('f32', [D, B, H])];
  for (const [name, t, want] of [['y', inputs[6], y!], ['dy', inputs[7], y!], ['dh_n', inputs[8], hn!]] as const) {
    if (!t || !sameShape(t.shape, want.shape)) fail(`rnnGrad ${name} must be ${formatType(want)}, got ${t ? formatType(t) : 'nothing'}`);
  }
  return [T, B, I, D, H];
}

/** Every output's type, from x [T, B, I] and the sizes. */
function gradTypes(T: number, B: number, I: number, D: number, H: number): TensorType[] {
  return [[T, B, I], [D, H, I], [D, H, H], [D, H], [D, B, H]].map((s) => tensorType('f32', s));
}

/** The reference backward pass: per direction and batch row, the time loop in reverse processing order. */
function evaluate(inputs: readonly Tensor[], a: OpAttrs['rnn']): Tensor[] {
  const [T, B, I, D, H] = checkShapes(inputs, a) as [number, number, number, number, number];
  const [x, wih, whh, , , h0, y, dy, dhn] = inputs.map((t) => t.data as Float32Array);
  const [dx, dwih, dwhh, db, dh0] = gradTypes(T, B, I, D, H).map((t) => new Float64Array(t.shape.reduce((p, q) => p * q, 1)));
  const [dh, dp] = [new Float64Array(H), new Float64Array(H)];
  for (let d = 0; d < D; d++) {
    const reverse = a.direction === 'reverse' || d === 1;
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < H; j++) dh[j] = dhn![(d * B + b) * H + j]!;
      for (let s = T - 1; s >= 0; s--) {
        const t = reverse ? T - 1 - s : s;
        const prev = reverse ? t + 1 : t - 1;
        const hAt = (j: number): number => y![(t * B + b) * D * H + d * H + j]!;
        const hPrev = (k: number): number => (s === 0 ? h0![(d * B + b) * H + k]! : y![(prev * B + b) * D * H + d * H + k]!);
        for (let j = 0; j < H; j++) {
          const g = dh[j]! + dy![(t * B + b) * D * H + d * H + j]!;
          const h = hAt(j);
          dp[j] = g * (a.activation === 'relu' ? (h > 0 ? 1 : 0) : 1 - h * h);
          db![d * H + j] += dp[j]!;
          for (let i = 0; i < I; i++) dwih![(d * H + j) * I + i] += dp[j]! * x![(t * B + b) * I + i]!;
          for (let k = 0; k < H; k++) dwhh![(d * H + j) * H + k] += dp[j]! * hPrev(k);
        }
        for (let i = 0; i < I; i++) {
          let sum = 0;
          for (let j = 0; j < H; j++) sum += wih![(d * H + j) * I + i]! * dp[j]!;
          dx![(t * B + b) * I + i] += sum;
        }
        for (let k = 0; k < H; k++) {
          let sum = 0;
          for (let j = 0; j < H; j++) sum += whh![(d * H + j) * H + k]! * dp[j]!;
          dh[k] = sum;
        }
      }
      for (let j = 0; j < H; j++) dh0![(d * B + b) * H + j] = dh[j]!;
    }
  }
  return gradTypes(T, B, I, D, H).map((t, i) => f32(t.shape, Float32Array.from([dx, dwih, dwhh, db, dh0][i]!)));
}

const rnnGrad: OpDef<'rnnGrad'> = {
  kind: 'rnnGrad',
  groups: ['recurrent'],
  arity: { min: 9, max: 9 },
  infer(inputs, a) {
    const [T, B, I, D, H] = checkShapes(inputs, a) as [number, number, number, number, number];
    return gradTypes(T, B, I, D, H);
  },
  evaluate: (inputs, a) => evaluate(inputs, a),
  grad: { none: 'second derivatives of recurrent layers are not supported' },
};

/** The gradient rule of rnn: one rnnGrad node (zeros standing in for a result nothing depends on). */
export function rnnGradRule(ctx: GradContext<'rnn'>): (ValueId | undefined)[] {
  const d = new GradEmitter(ctx);
  const [y, hn] = ctx.outputs as [ValueId, ValueId];
  const dy = ctx.grads[0] ?? d.zeros(d.shape(y));
  const dhn = ctx.grads[1] ?? d.zeros(d.shape(hn));
  const [dx, dwih, dwhh, db, dh0] = ctx.emit('rnnGrad', ctx.attrs, [...ctx.inputs, y, dy, dhn]);
  return [dx, dwih, dwhh, db, db, dh0];
}

/** The backward ops of the recurrent layers. */
export const recurrentGradOps: OpDefs<'rnnGrad'> = { rnnGrad };
