// Seeded attention-shaped graphs for the fusion passes (random sizes, rank 2-4, shared-input QKV, scale, mask, weights output, head views, epilogue chains).
import type { ValueId } from '../../src/ir/graph.ts';
import { f32 } from '../../src/ir/tensor.ts';
import { type Built, Gen, RandomGraph } from '../codegen/random-graphs.ts';

const none = {} as const;

/** Sizes and choices of one block, all drawn from the seed. */
interface Plan {
  readonly rank: 2 | 3 | 4;
  readonly b: number;
  readonly h: number;
  readonly sq: number;
  readonly sk: number;
  readonly d: number;
  readonly dv: number;
  readonly dIn: number;
  /** How a projection is written: nn.Linear's gemm, or matmul then a bias add. */
  readonly proj: 'gemm' | 'matmul';
}

function plan(gen: Gen): Plan {
  const rank = gen.pick([2, 3, 4] as const);
  const sq = gen.int(1, 6);
  const d = gen.int(1, 4);
  return {
    rank,
    b: rank >= 3 ? gen.int(1, 3) : 1,
    h: rank === 4 ? gen.int(1, 3) : 1,
    sq,
    sk: gen.chance(0.7) ? sq : gen.int(1, 6),
    d,
    dv: gen.chance(0.7) ? d : gen.int(1, 4),
    dIn: gen.int(2, 6),
    proj: gen.chance(0.75) ? 'gemm' : 'matmul',
  };
}

/** x @ W^T + b as a Linear gemm, or as matmul + add (an epilogue for fuse-epilogues). */
function project(g: RandomGraph, p: Plan, x: ValueId, inDim: number, width: number): ValueId {
  if (p.proj === 'gemm') {
    const bias = g.gen.chance(0.8) ? [g.weight([width])] : [];
    return g.one('gemm', { transA: false, transB: true, alpha: 1, beta: 1 }, [x, g.weight([width, inDim]), ...bias]);
  }
  return g.one('add', none, [g.one('matmul', { transA: false, transB: false }, [x, g.weight([inDim, width])]), g.weight([width])]);
}

/** Rank 4: `view(b, s, h, e).transpose(1, 2)`; lower ranks read the projection as it is. */
function splitHeads(g: RandomGraph, p: Plan, v: ValueId, s: number, e: number): ValueId {
  if (p.rank !== 4) return v;
  return g.one('transpose', { perm: [0, 2, 1, 3] }, [g.one('reshape', { shape: [p.b, s, p.h, e] }, [v])]);
}

/** Q K^T, then maybe a scale (mul, div, or div by a foldable sqrt of a constant) and an additive mask. */
function logits(g: RandomGraph, p: Plan, q: ValueId, k: ValueId): ValueId {
  const gen = g.gen;
  const r = p.rank;
  const swap = Array.from({ length: r }, (_, i) => (i === r - 2 ? r - 1 : i === r - 1 ? r - 2 : i));
  let s = gen.chance(0.5)
    ? g.one('matmul', { transA: false, transB: true }, [q, k])
    : g.one('matmul', { transA: false, transB: false }, [q, g.one('transpose', { perm: swap }, [k])]);
  const scale = gen.pick(['none', 'mul', 'div', 'sqrt'] as const);
  // A scalar constant, sometimes of shape [1, ..., 1] one rank above the logits (that broadcast widens them).
  const ones = gen.chance(0.1) ? Array.from({ length: r + 1 }, () => 1) : [];
  const c = (x: number): ValueId => g.one('constant', { value: f32(ones, [x]) }, []);
  if (scale === 'mul') s = g.one('mul', none, [s, c(1 / Math.sqrt(p.d))]);
  if (scale === 'div') s = g.one('div', none, [s, c(Math.sqrt(p.d))]);
  if (scale === 'sqrt') s = g.one('div', none, [s, g.one('sqrt', none, [c(p.d)])]);
  if (gen.chance(0.4)) {
    const shape = g.type(s).shape;
    const m = g.input('f32', gen.chance(0.1) ? [gen.int(1, 2), ...shape] : gen.broadcastable(shape));
    s = g.one('add', none, gen.chance(0.85) ? [s, m] : [m, s]);
  }
  return s;
}

/**
 * Output projection back to dIn, then an elementwise chain of bias, residual, relu, gelu and
 * scale steps; sometimes an intermediate is an output too (so a fusion must leave it alone).
 */
function epilogue(g: RandomGraph, p: Plan, y: ValueId, x: ValueId, outputs: ValueId[]): ValueId {
  const gen = g.gen;
  const width = g.type(y).shape.at(-1)!;
  let cur = gen.chance(0.5)
    ? g.one('matmul', { transA: false, transB: false }, [y, g.weight([width, p.dIn])])
    : g.one('gemm', { transA: false, transB: true, alpha: gen.pick([1, 0.5]), beta: 1 }, [y, g.weight([p.dIn, width])]);
  for (let steps = gen.int(0, 4); steps > 0; steps--) {
    const step = gen.pick(['bias', 'residual', 'relu', 'gelu', 'scale'] as const);
    if (step === 'bias') cur = g.one('add', none, [cur, g.weight([p.dIn])]);
    if (step === 'residual') cur = g.one('add', none, gen.chance(0.5) ? [x, cur] : [cur, x]);
    if (step === 'relu') cur = g.one('relu', none, [cur]);
    if (step === 'gelu') cur = g.one('gelu', { approximate: gen.pick(['none', 'tanh'] as const) }, [cur]);
    if (step === 'scale') cur = g.one('mul', none, [cur, g.one('constant', { value: f32([], [gen.pick([0.5, 2, -1])]) }, [])]);
    if (gen.chance(0.1)) outputs.push(cur);
  }
  return cur;
}

/**
 * One attention block of seed `seed`: random batch, heads, sequence lengths and head sizes over
 * rank 2-4 operands; Q/K/V projections of one shared input (or K/V of a second one); optional scale
 * (mul, div, or div by a foldable sqrt), additive mask, probabilities output (raw, or reduced
 * before the PV matmul); rank-4 heads split by view + transpose and merged by transpose + view;
 * then a gemm/matmul and a chain of bias, residual, relu, gelu and scale steps.
 */
export function attentionBlock(seed: number): Built {
  const gen = new Gen(seed);
  const g = new RandomGraph(gen, `attention_block${seed}`);
  const p = plan(gen);
  const lead = p.rank === 2 ? [] : [p.b];
  const x = g.input('f32', [...lead, p.sq, p.dIn]);
  const kv = p.sk === p.sq && gen.chance(0.8) ? x : g.input('f32', [...lead, p.sk, p.dIn]);
  const q = splitHeads(g, p, project(g, p, x, p.dIn, p.h * p.d), p.sq, p.d);
  const k = splitHeads(g, p, project(g, p, kv, p.dIn, p.h * p.d), p.sk, p.d);
  const v = splitHeads(g, p, project(g, p, kv, p.dIn, p.h * p.dv), p.sk, p.dv);
  const softmaxAxis = gen.pick([-1, -1, -1, p.rank - 1, p.rank - 2]);
  const probs = g.one('softmax', { axis: softmaxAxis }, [logits(g, p, q, k)]);
  const outputs: ValueId[] = [];
  if (gen.chance(0.3)) outputs.push(gen.chance(0.7) ? probs : g.one('reduceMean', { axes: [0], keepDims: false }, [probs]));
  let y = g.one('matmul', { transA: false, transB: false }, [probs, v]);
  if (p.rank === 4 && g.type(y).shape.length === 4 && gen.chance(0.8)) {
    y = g.one('reshape', { shape: [p.b, p.sq, p.h * p.dv] }, [g.one('transpose', { perm: [0, 2, 1, 3] }, [y])]);
  }
  const merged = g.type(y).shape.length === g.type(x).shape.length;
  outputs.unshift(merged && gen.chance(0.85) ? epilogue(g, p, y, x, outputs) : y);
  return g.finish(outputs);
}
