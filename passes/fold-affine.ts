// Pass: per-channel scale and shift folded into the contraction before them (BatchNorm at
// inference, and any hand-written `conv(x) * s + t`).
//
// Assumes:    shape inference and constant folding have run. At -O2, fold-contractions has run
//             (a Linear is a gemm with its bias in C).
// Guarantees: no f32 mul, div, add or sub reads the only use of a conv's output, or of a gemm's
//             without an epilogue, when its other operand is static (known at create: weights,
//             constants and what only they compute), broadcasts per output channel only (conv:
//             dim 1; gemm: the last dim) and the result has the contraction's shape:
//               conv(x, W, b) * s  ->  conv(x, W * s[:, 1..], b * s)       (div likewise)
//               conv(x, W, b) + t  ->  conv(x, W, b + t)                   (sub: b - t)
//               gemm(A, B, C) * s  ->  gemm(A, B * s, C * s)               (B's N axis, transB or not)
//               gemm(A, B, C) + t  ->  gemm(A, B, C + t)                   (beta 1, or no C)
//             The new weights and biases read only static values, so every backend computes them
//             once when the model is created (plan.statics); a multiply or divide needs W (or B)
//             static too, so that folding never adds work per run; a contraction whose output is
//             static itself is left (it runs once at create anyway). `t - conv(...)` and
//             `s / conv(...)` are not affine in the conv's weights the same way and are left.
//             BatchNorm after a conv (sub mean, mul factor, add bias) becomes the conv alone.
// Runs:       at -O1 after constant folding; at -O2 after fold-contractions (gemms with C exist)
//             and before merge-siblings and fuse-epilogues (which would take the scale and
//             shift into a store, per run).
//
// Rounding: the folded conv computes sum(x * (W * s)) + (b * s) instead of (sum(x * W) + b) * s,
// a difference of a few f32 roundings relative to the sum of the terms' sizes.
import { type Graph, type Node, type ValueId, staticValueIds } from '../src/ir/graph.ts';
import type { OpAttrs, OpKind } from '../src/ops/attrs.ts';
import { type Shape, sameShape } from '../src/ir/types.ts';
import type { GraphEditor } from '../src/rewrite/editor.ts';
import { rewriteToFixpoint } from '../src/rewrite/driver.ts';
import type { Match, Rule } from '../src/rewrite/pattern.ts';
import type { Pass } from './pass.ts';

type Affine = 'mul' | 'div' | 'add' | 'sub';

/**
 * One rewrite run: the editor and the values known at create (staticValueIds of the input graph,
 * kept current as the rewrites insert nodes: an inserted node's outputs are static when its
 * inputs are).
 */
interface Fold {
  readonly ed: GraphEditor;
  readonly known: Set<ValueId>;
}

/** Inserts a node before `anchor` (with its label) and records whether its output is static. */
function insert<K extends OpKind>(f: Fold, anchor: Node, op: K, attrs: OpAttrs[K], inputs: readonly ValueId[], label = anchor.label): ValueId {
  const v = f.ed.insertBefore(anchor, op, attrs, inputs, label)[0]!.id;
  if (inputs.every((i) => f.known.has(i))) f.known.add(v);
  return v;
}

/**
 * The channel count when a value of shape `s` broadcast against `out` varies along `axis` at
 * most (every other aligned dim 1): 1 for a per-tensor scalar, out[axis] for a per-channel
 * vector; undefined when it varies along another dim or has more dims than `out`.
 */
function perChannel(s: Shape, out: Shape, axis: number): number | undefined {
  if (s.length > out.length) return undefined;
  const off = out.length - s.length;
  let channels = 1;
  for (let d = 0; d < s.length; d++) {
    if (s[d] === 1) continue;
    if (d + off !== axis || s[d] !== out[axis]) return undefined;
    channels = s[d]!;
  }
  return channels;
}

/**
 * `v` reshaped to `shape` before `anchor`: a reshape of the reshape's source when `v` is one (a
 * reshape of a reshape would be composed by simplify-movement later, so -O2 would not be a fixpoint).
 */
function reshapeTo(f: Fold, anchor: Node, v: ValueId, shape: Shape): ValueId {
  let source = v;
  for (let p = f.ed.producer(source); p?.op === 'reshape'; p = f.ed.producer(source)) source = p.inputs[0]!;
  if (sameShape(f.ed.typeOf(source).shape, shape)) return source;
  return insert(f, anchor, 'reshape', { shape: [...shape] }, [source]);
}

/** `v` (per channel, see perChannel) as a [C] vector, inserted before `anchor`. */
function channelVector(f: Fold, anchor: Node, v: ValueId, channels: number, C: number): ValueId {
  const flat = reshapeTo(f, anchor, v, [channels]);
  return channels === C ? flat : insert(f, anchor, 'expand', { shape: [C] }, [flat]);
}

const arith = (f: Fold, anchor: Node, kind: Affine | 'neg', inputs: ValueId[]): ValueId => insert(f, anchor, kind, {} as never, inputs);

/** Folds the root affine op into the conv or gemm it reads, or declines. */
function foldRoot(f: Fold, m: Match): ValueId | undefined {
  const { ed, known } = f;
  const root = m.root;
  const kind = root.op as Affine;
  const out = root.outputs[0]!.type;
  if (out.dtype !== 'f32') return undefined;
  // The contraction is the left operand, or either operand of a commutative op.
  const sides = kind === 'mul' || kind === 'add' ? [0, 1] : [0];
  for (const side of sides) {
    const [y, other] = [root.inputs[side]!, root.inputs[1 - side]!];
    const c = ed.producer(y);
    if (!c || (c.op !== 'conv' && !(c.op === 'gemm' && !c.attrs.epilogue))) continue;
    if (ed.uses(y) !== 1 || ed.isOutput(y) || !sameShape(c.outputs[0]!.type.shape, out.shape)) continue;
    const axis = c.op === 'conv' ? 1 : out.shape.length - 1;
    const channels = perChannel(ed.typeOf(other).shape, out.shape, axis);
    if (channels === undefined || ed.typeOf(other).dtype !== 'f32' || !known.has(other)) continue;
    // A contraction of static values runs once at create already; folding into it gains nothing
    // (and the new static products could match again).
    if (known.has(y)) continue;
    const folded = c.op === 'conv' ? foldIntoConv(f, c, root, kind, other, channels) : foldIntoGemm(f, c, root, kind, other, channels);
    if (folded !== undefined) return folded;
  }
  return undefined;
}

function foldIntoConv(f: Fold, c: Node & { op: 'conv' }, root: Node, kind: Affine, other: ValueId, channels: number): ValueId | undefined {
  const [x, w, b] = c.inputs as [ValueId, ValueId, ValueId | undefined];
  const wShape = f.ed.typeOf(w).shape;
  const C = wShape[0]!;
  // Every decline comes before the first insertion: a rewrite that declines must leave nothing.
  if ((kind === 'mul' || kind === 'div') && !f.known.has(w)) return undefined;
  const v = channelVector(f, root, other, channels, C);
  let [w2, b2]: [ValueId, ValueId | undefined] = [w, b];
  if (kind === 'mul' || kind === 'div') {
    const column = reshapeTo(f, root, v, [C, ...wShape.slice(1).map(() => 1)]);
    w2 = arith(f, root, kind, [w, column]);
    if (b !== undefined) b2 = arith(f, root, kind, [b, v]);
  } else {
    b2 = b !== undefined ? arith(f, root, kind, [b, v]) : kind === 'add' ? v : arith(f, root, 'neg', [v]);
  }
  return insert(f, root, 'conv', c.attrs, b2 === undefined ? [x, w2] : [x, w2, b2], c.label);
}

function foldIntoGemm(f: Fold, g: Node & { op: 'gemm' }, root: Node, kind: Affine, other: ValueId, channels: number): ValueId | undefined {
  const [a, b, cIn] = g.inputs as [ValueId, ValueId, ValueId | undefined];
  const N = root.outputs[0]!.type.shape.at(-1)!;
  const hasC = cIn !== undefined && g.attrs.beta !== 0;
  // Every decline comes before the first insertion: a rewrite that declines must leave nothing.
  if ((kind === 'mul' || kind === 'div') && !f.known.has(b)) return undefined;
  if ((kind === 'add' || kind === 'sub') && hasC && g.attrs.beta !== 1) return undefined; // C + t / beta would round once more
  const v = channelVector(f, root, other, channels, N);
  if (kind === 'mul' || kind === 'div') {
    const along = g.attrs.transB ? reshapeTo(f, root, v, [N, 1]) : v;
    const b2 = arith(f, root, kind, [b, along]);
    const inputs = hasC ? [a, b2, arith(f, root, kind, [cIn, v])] : [a, b2];
    return insert(f, root, 'gemm', { ...g.attrs, beta: hasC ? g.attrs.beta : 0 }, inputs, g.label);
  }
  const c2 = hasC ? arith(f, root, kind, [cIn, v]) : kind === 'add' ? v : arith(f, root, 'neg', [v]);
  return insert(f, root, 'gemm', { ...g.attrs, beta: 1 }, [a, b, c2], g.label);
}

/** The rules over `g`, whose static values are computed on the first match. */
function rules(g: Graph): Rule[] {
  let fold: Fold | undefined;
  const rewrite = (m: Match, ed: GraphEditor): ValueId | undefined => foldRoot((fold ??= { ed, known: staticValueIds(g) }), m);
  return (['mul', 'div', 'add', 'sub'] as const).map((kind) => ({
    name: `fold-${kind}`,
    reason: `a static per-channel ${kind === 'mul' || kind === 'div' ? 'scale' : 'shift'} after a conv or gemm is its weights' and bias's, computed once at create`,
    pattern: { op: kind },
    rewrite,
  }));
}

export const foldAffine: Pass = {
  name: 'fold-affine',
  summary: 'fold static per-channel scales and shifts (BatchNorm at inference) into the conv or gemm before them',
  run: (g, ctx) => rewriteToFixpoint(g, rules(g), ctx),
};
