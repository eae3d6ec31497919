// ONNX RNN, LSTM and GRU onto the IR's rnn/lstm/gru ops (src/ops/recurrent.ts): gate blocks are
// reordered (LSTM iofc -> ifgo, GRU zrh -> rzn), the bias is split into its W and R halves,
// absent states become zeros, and layouts are transposed. Static sequence_lens run each batch
// row over its own length (zeros after it, as ONNX). GRU's linear_before_reset (0 by default in
// ONNX, 1 in PyTorch) becomes the gru op's linearBeforeReset.
import { getNumber } from '../../../ir/tensor.ts';
import type { Direction } from '../../../ops/attrs.ts';
import type { NodeContext, Val } from '../context.ts';
import type { Lowerings } from './lowering.ts';

type Kind = 'rnn' | 'lstm' | 'gru';

/** For each IR gate block, the ONNX block it comes from. */
const GATE_ORDER: Readonly<Record<Kind, readonly number[]>> = { rnn: [0], lstm: [0, 2, 3, 1], gru: [1, 0, 2] };

/** Operands in the IR's layout: x [T,B,I], weights [D,G*H,*] in IR gate order, biases [D,G*H], states [D,B,H]. */
interface Operands {
  x: Val;
  wih: Val;
  whh: Val;
  bih: Val;
  bhh: Val;
  h0: Val;
  c0?: Val;
}

function zeros(c: NodeContext, shape: number[]): Val {
  return c.op1('expand', { shape }, [c.scalar(0)]);
}

/** Reorders the G gate blocks of `w` [D, G*H, ...] along axis 1. */
function reorder(c: NodeContext, w: Val, kind: Kind, H: number): Val {
  const order = GATE_ORDER[kind];
  if (order.every((g, i) => g === i)) return w;
  const [D, GH, ...rest] = w.type.shape as number[];
  const blocks = c.op1('reshape', { shape: [D!, order.length, H, ...rest] }, [w]);
  const picked = c.op1('gather', { axis: 1 }, [blocks, c.constant('i64', [order.length], [...order])]);
  return c.op1('reshape', { shape: [D!, GH!, ...rest] }, [picked]);
}

function operands(c: NodeContext, kind: Kind, H: number, D: number, layout: number): Operands {
  const G = GATE_ORDER[kind].length;
  let x = c.input(0);
  if (layout === 1) x = c.op1('transpose', { perm: [1, 0, 2] }, [x]);
  const B = x.type.shape[1]!;
  const w = c.input(1);
  const r = c.input(2);
  if (w.type.shape[0] !== D || w.type.shape[1] !== G * H) c.fail(`W must be [${D},${G * H},input], got ${c.fmt(w)}`);
  const bias = c.maybe(3);
  let [bih, bhh] = [zeros(c, [D, G * H]), zeros(c, [D, G * H])];
  if (bias) {
    if (bias.type.shape.length !== 2 || bias.type.shape[1] !== 2 * G * H) c.fail(`B must be [${D},${2 * G * H}], got ${c.fmt(bias)}`);
    [bih, bhh] = c.op('split', { axis: 1, sizes: [G * H, G * H] }, [bias]) as [Val, Val];
  }
  const state = (i: number): Val => {
    const v = c.maybe(i);
    if (!v) return zeros(c, [D, B, H]);
    return layout === 1 ? c.op1('transpose', { perm: [1, 0, 2] }, [v]) : v;
  };
  const ops: Operands = { x, wih: reorder(c, w, kind, H), whh: reorder(c, r, kind, H), bih: reorder(c, bih, kind, H), bhh: reorder(c, bhh, kind, H), h0: state(5) };
  if (kind === 'lstm') ops.c0 = state(6);
  return ops;
}

/** The IR op's attributes: gru's linearBeforeReset is only read for gru. */
interface LayerAttrs {
  hidden: number;
  direction: Direction;
  activation: 'tanh' | 'relu';
  linearBeforeReset: boolean;
}

/** Runs the IR op over operands; returns y [T,B,D*H], h_n, c_n. */
function runOp(c: NodeContext, kind: Kind, o: Operands, attrs: LayerAttrs): Val[] {
  const args = [o.x, o.wih, o.whh, o.bih, o.bhh, o.h0, ...(o.c0 ? [o.c0] : [])];
  const { hidden, direction, activation, linearBeforeReset } = attrs;
  if (kind === 'rnn') return c.op('rnn', { hidden, direction, activation }, args);
  if (kind === 'gru') return c.op('gru', { hidden, direction, linearBeforeReset }, args);
  return c.op('lstm', { hidden, direction }, args);
}

/** Per batch row over its own static length: the row's sequence, run, then zero padding. */
function runWithLengths(c: NodeContext, kind: Kind, o: Operands, lens: number[], attrs: LayerAttrs): Val[] {
  const [T, B] = o.x.type.shape as [number, number];
  const D = attrs.direction === 'bidirectional' ? 2 : 1;
  const H = attrs.hidden;
  const rows: Val[][] = [];
  const row = (v: Val, axis: number, b: number): Val => c.op1('slice', { starts: [b], ends: [b + 1], axes: [axis], steps: [1] }, [v]);
  for (let b = 0; b < B; b++) {
    const len = lens[b]!;
    if (!Number.isInteger(len) || len < 0 || len > T) c.fail(`sequence_lens[${b}] = ${len} is outside 0..${T}`);
    const states = [row(o.h0, 1, b), ...(o.c0 ? [row(o.c0, 1, b)] : [])];
    if (len === 0) {
      rows.push([zeros(c, [T, 1, D * H]), ...states]);
      continue;
    }
    const x = c.op1('slice', { starts: [0, b], ends: [len, b + 1], axes: [0, 1], steps: [1, 1] }, [o.x]);
    const sub: Operands = { ...o, x, h0: states[0]!, ...(o.c0 ? { c0: states[1]! } : {}) };
    const [y, ...rest] = runOp(c, kind, sub, attrs) as [Val, ...Val[]];
    rows.push([len === T ? y : c.op1('concat', { axis: 0 }, [y, zeros(c, [T - len, 1, D * H])]), ...rest]);
  }
  return rows[0]!.map((_, k) => c.op1('concat', { axis: 1 }, rows.map((r) => r[k]!)));
}

const recurrent = (kind: Kind) => (c: NodeContext): (Val | undefined)[] => {
  const H = c.int('hidden_size', 0);
  if (!Number.isInteger(H) || H <= 0) c.fail('hidden_size must be a positive integer');
  const dir = c.string('direction', 'forward');
  if (dir !== 'forward' && dir !== 'reverse' && dir !== 'bidirectional') c.fail(`direction ${JSON.stringify(dir)} is not forward, reverse or bidirectional`);
  const D = dir === 'bidirectional' ? 2 : 1;
  const layout = c.int('layout', 0);
  if (c.has('clip')) c.unsupported('clip', 'clip is not supported');
  if (kind === 'lstm' && c.int('input_forget', 0) !== 0) c.unsupported('input_forget', 'input_forget is not supported');
  if (kind === 'lstm' && c.maybe(7)) c.unsupported('peephole weights (P)', 'peephole weights (P) are not supported');
  const acts = c.strings('activations');
  const defaults: Readonly<Record<Kind, string[]>> = { rnn: ['Tanh'], lstm: ['Sigmoid', 'Tanh', 'Tanh'], gru: ['Sigmoid', 'Tanh'] };
  let activation: 'tanh' | 'relu' = 'tanh';
  if (acts) {
    const per = defaults[kind].length;
    const want = kind === 'rnn' ? [acts[0] === 'Relu' ? 'Relu' : 'Tanh'] : defaults[kind];
    for (let i = 0; i < acts.length; i++) if (acts[i] !== want[i % per]) c.unsupported(`activations ${acts.join(',')}`, `activations [${acts.join(',')}] are not supported (only the defaults${kind === 'rnn' ? ' or Relu' : ''})`);
    if (kind === 'rnn' && acts[0] === 'Relu') activation = 'relu';
    if (c.has('activation_alpha') || c.has('activation_beta')) c.unsupported('activation_alpha/beta', 'activation_alpha/beta are not supported');
  }
  const o = operands(c, kind, H, D, layout);
  const [T, B] = o.x.type.shape as [number, number];
  const attrs: LayerAttrs = { hidden: H, direction: dir as Direction, activation, linearBeforeReset: c.int('linear_before_reset', 0) !== 0 };
  const lensT = c.maybe(4) ? c.static(4, 'sequence_lens') : undefined;
  const lens = lensT ? Array.from({ length: lensT.data.length }, (_, i) => getNumber(lensT, i)) : undefined;
  if (lens && lens.length !== B) c.fail(`sequence_lens has ${lens.length} entries for batch ${B}`);
  const [y, hn, cn] = lens && lens.some((l) => l !== T) ? runWithLengths(c, kind, o, lens, attrs) : runOp(c, kind, o, attrs);
  // IR y [T,B,D*H] -> ONNX Y [T,D,B,H] (layout 0) or [B,T,D,H] (layout 1); states [D,B,H] or [B,D,H].
  const yOut = (): Val => c.op1('transpose', { perm: layout === 1 ? [1, 0, 2, 3] : [0, 2, 1, 3] }, [c.op1('reshape', { shape: [T, B, D, H] }, [y!])]);
  const state = (v: Val | undefined): Val | undefined => (v && layout === 1 ? c.op1('transpose', { perm: [1, 0, 2] }, [v]) : v);
  const want = (i: number): boolean => !!c.node.output[i];
  return [want(0) ? yOut() : undefined, want(1) ? state(hn) : undefined, want(2) ? state(cn) : undefined];
};

/** The recurrent lowerings. */
export const recurrentLowerings: Lowerings = { RNN: recurrent('rnn'), LSTM: recurrent('lstm'), GRU: recurrent('gru') };
