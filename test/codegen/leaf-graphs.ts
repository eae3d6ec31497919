// Seeded random graphs whose pattern operands are leaves of every kind: graph inputs, weights
// and constants, read directly or through views, at every operand position the passes match
// (Q, K, V, scale and mask of attention; both matmul operands and a gemm's bias; elementwise
// operands; the input of a reshape, transpose, expand, slice or single concat).
import type { ValueId } from '../../src/ir/graph.ts';
import { f32 } from '../../src/ir/tensor.ts';
import { type Shape, numel, tensorType } from '../../src/ir/types.ts';
import { randomTensor } from './helpers.ts';
import { type Built, Gen, RandomGraph } from './random-graphs.ts';

const none = {} as const;
const KINDS = ['input', 'weight', 'constant'] as const;

/** A graph input, a weight or a constant of `shape`, f32 in [-1, 1). */
function leaf(g: RandomGraph, shape: Shape): ValueId {
  const kind = g.gen.pick(KINDS);
  if (kind === 'input') return g.input('f32', shape);
  if (kind === 'weight') return g.weight(shape);
  return g.one('constant', { value: randomTensor(g.gen.rng, tensorType('f32', shape), { range: 1 }) }, []);
}

/**
 * A value of `shape` read from a leaf: directly, or through a reshape of a flat leaf, a
 * transpose, an expand, a slice, a concat of one input, the rank-4 head split
 * `view(b, s, h, e).transpose(1, 2)`, or a scale by a constant.
 */
function viewed(g: RandomGraph, shape: Shape): ValueId {
  const gen = g.gen;
  const r = shape.length;
  const way = gen.pick(['leaf', 'leaf', 'reshape', 'transpose', 'expand', 'slice', 'concat', 'heads', 'scaled'] as const);
  if (way === 'reshape') return g.one('reshape', { shape: [...shape] }, [leaf(g, [numel(shape)])]);
  if (way === 'transpose') {
    const perm = gen.perm(r);
    const src = Array.from({ length: r }, (_, i) => shape[perm.indexOf(i)]!);
    return g.one('transpose', { perm }, [leaf(g, src)]);
  }
  if (way === 'expand') return g.one('expand', { shape: [...shape] }, [leaf(g, gen.broadcastable(shape))]);
  if (way === 'slice' && r > 0) {
    const [last, start] = [shape[r - 1]!, gen.int(0, 2)];
    const src = [...shape.slice(0, -1), last + start + gen.int(0, 2)];
    return g.one('slice', { starts: [start], ends: [start + last], axes: [-1], steps: [1] }, [leaf(g, src)]);
  }
  if (way === 'concat' && r > 0) return g.one('concat', { axis: gen.int(0, r - 1) }, [leaf(g, shape)]);
  if (way === 'heads' && r === 4) {
    const [b, h, s, e] = shape as [number, number, number, number];
    return g.one('transpose', { perm: [0, 2, 1, 3] }, [g.one('reshape', { shape: [b, s, h, e] }, [leaf(g, [b, s, h * e])])]);
  }
  if (way === 'scaled') return g.one('mul', none, [leaf(g, shape), g.one('constant', { value: f32([], [gen.pick([0.5, 2])]) }, [])]);
  return leaf(g, shape);
}

/** A causal mask constant of [sq, sk]: -1e9 above the diagonal, 0 elsewhere (no row is fully masked). */
function causalMask(g: RandomGraph, sq: number, sk: number): ValueId {
  const data = Array.from({ length: sq * sk }, (_, i) => (i % sk > Math.floor(i / sk) ? -1e9 : 0));
  return g.one('constant', { value: f32([sq, sk], data) }, []);
}

/**
 * softmax(Q K^T * s + M) V of rank 2-4 whose Q, K (or K^T), V, scale and mask are leaves of every
 * kind, through views; the scale sometimes on the left or not a scalar (the fusion declines), the
 * mask a causal constant, a leaf or a view of one, on either side of the add; then maybe the head
 * merge and a projection by a leaf, plus a leaf bias.
 */
export function leafAttention(seed: number): Built {
  const gen = new Gen(seed);
  const g = new RandomGraph(gen, `leaf_attention${seed}`);
  const rank = gen.pick([2, 3, 4] as const);
  const [b, h, sq, d, dv] = [gen.int(1, 2), gen.int(1, 2), gen.int(1, 4), gen.int(1, 4), gen.int(1, 4)];
  const sk = gen.chance(0.6) ? sq : gen.int(1, 4);
  const lead = rank === 4 ? [b, h] : rank === 3 ? [b] : [];
  const swap = (s: Shape): number[] => [...s.slice(0, -2), s[s.length - 1]!, s[s.length - 2]!];
  const q = viewed(g, [...lead, sq, d]);
  const form = gen.pick(['transB', 'kT', 'transpose'] as const);
  let s: ValueId;
  if (form === 'transB') s = g.one('matmul', { transA: false, transB: true }, [q, viewed(g, [...lead, sk, d])]);
  else if (form === 'kT') s = g.one('matmul', { transA: false, transB: false }, [q, viewed(g, [...lead, d, sk])]);
  else {
    const perm = swap(Array.from({ length: rank }, (_, i) => i));
    s = g.one('matmul', { transA: false, transB: false }, [q, g.one('transpose', { perm }, [viewed(g, [...lead, sk, d])])]);
  }
  const c = g.one('constant', { value: gen.chance(0.85) ? f32([], [1 / Math.sqrt(d)]) : randomTensor(gen.rng, tensorType('f32', [sk]), { range: 1 }) }, []);
  const scale = gen.pick(['none', 'mul', 'div', 'left'] as const);
  if (scale !== 'none') s = g.one(scale === 'div' ? 'div' : 'mul', none, scale === 'left' ? [c, s] : [s, c]);
  const mask = gen.pick(['none', 'causal', 'causal', 'leaf', 'view'] as const);
  if (mask !== 'none') {
    const shape = g.type(s).shape;
    const m = mask === 'causal' ? causalMask(g, sq, sk) : mask === 'leaf' ? leaf(g, gen.broadcastable(shape)) : viewed(g, shape);
    s = g.one('add', none, gen.chance(0.8) ? [s, m] : [m, s]);
  }
  const probs = g.one('softmax', { axis: -1 }, [s]);
  let y = g.one('matmul', { transA: false, transB: false }, [probs, viewed(g, [...lead, sk, dv])]);
  if (rank === 4 && gen.chance(0.6)) y = g.one('reshape', { shape: [b, sq, h * dv] }, [g.one('transpose', { perm: [0, 2, 1, 3] }, [y])]);
  if (gen.chance(0.5)) {
    const width = g.type(y).shape.at(-1)!;
    const n = gen.int(1, 4);
    y = g.one('add', none, [g.one('matmul', { transA: false, transB: false }, [y, leaf(g, [width, n])]), leaf(g, [n])]);
  }
  return g.finish(gen.chance(0.2) ? [y, probs] : [y]);
}

/**
 * A matmul or gemm whose operands (and bias) are leaves, some transposed (so simplify-movement
 * folds the transpose of a constant or weight into a flag), then an elementwise chain whose other
 * operands are leaves of broadcasting shapes, a reshape pair and a single concat in between.
 */
export function leafChain(seed: number): Built {
  const gen = new Gen(seed);
  const g = new RandomGraph(gen, `leaf_chain${seed}`);
  const [m, k, n] = [gen.int(1, 5), gen.int(1, 5), gen.int(1, 5)];
  const operand = (rows: number, cols: number): { v: ValueId; t: boolean } =>
    gen.chance(0.4) ? { v: g.one('transpose', { perm: [1, 0] }, [viewed(g, [cols, rows])]), t: false } : gen.chance(0.5) ? { v: viewed(g, [cols, rows]), t: true } : { v: viewed(g, [rows, cols]), t: false };
  const [a, bm] = [operand(m, k), operand(k, n)];
  let cur = gen.chance(0.5)
    ? g.one('matmul', { transA: a.t, transB: bm.t }, [a.v, bm.v])
    : g.one('gemm', { transA: a.t, transB: bm.t, alpha: gen.pick([1, 0.5]), beta: gen.pick([1, 2]) }, [a.v, bm.v, ...(gen.chance(0.7) ? [leaf(g, gen.pick([[n], [m, n], []]))] : [])]);
  for (let steps = gen.int(1, 5); steps > 0; steps--) {
    const roll = gen.pick(['binary', 'binary', 'unary', 'views', 'concat'] as const);
    const shape = g.type(cur).shape;
    if (roll === 'binary') {
      const other = gen.chance(0.7) ? leaf(g, gen.broadcastable(shape)) : viewed(g, shape);
      cur = g.one(gen.pick(['add', 'sub', 'mul', 'max'] as const), none, gen.chance(0.6) ? [cur, other] : [other, cur]);
    } else if (roll === 'unary') cur = g.one(gen.pick(['relu', 'tanh', 'neg', 'sigmoid'] as const), none, [cur]);
    else if (roll === 'views') cur = g.one('reshape', { shape: [...shape] }, [g.one('reshape', { shape: [-1] }, [cur])]);
    else cur = g.one('concat', { axis: -1 }, [cur]);
  }
  return g.finish([cur]);
}
