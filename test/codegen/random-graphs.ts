// A small seeded generator of random graphs for differential tests of the TS backend: each
// family draws shapes, attributes and data from one Rng, so a failing seed replays exactly.
import { Rng } from '../../src/api/init.ts';
import { IRBuilder } from '../../src/ir/builder.ts';
import type { Graph, ValueId } from '../../src/ir/graph.ts';
import type { Tensor } from '../../src/ir/tensor.ts';
import { type DType, type Shape, type TensorType, numel, tensorType } from '../../src/ir/types.ts';
import type { OpAttrs, OpKind } from '../../src/ops/attrs.ts';
import { randomTensor } from './helpers.ts';

/** A generated graph with the inputs to run it on. */
export interface Built {
  readonly graph: Graph;
  readonly inputs: Record<string, Tensor>;
}

/** Draws numbers, choices and shapes from one seeded Rng. */
export class Gen {
  readonly rng: Rng;
  constructor(seed: number) {
    this.rng = new Rng(seed);
  }
  /** Uniform integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.rng.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.rng.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(0, xs.length - 1)]!;
  }
  shape(rank: number, lo = 1, hi = 4): number[] {
    return Array.from({ length: rank }, () => this.int(lo, hi));
  }
  /** A shape that broadcasts to `s`: some leading dims dropped, some dims set to 1. */
  broadcastable(s: Shape): number[] {
    return s.slice(this.int(0, s.length)).map((d) => (this.chance(0.3) ? 1 : d));
  }
  /** A random permutation of 0..n-1. */
  perm(n: number): number[] {
    const p = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(0, i);
      [p[i], p[j]] = [p[j]!, p[i]!];
    }
    return p;
  }
  /** Axis `a` of a rank-`r` tensor, written negative half of the time. */
  axis(a: number, r: number): number {
    return this.chance(0.5) ? a - r : a;
  }
}

/** An IRBuilder that draws a random tensor for every input it declares. */
export class RandomGraph {
  private readonly b: IRBuilder;
  readonly inputs: Record<string, Tensor> = {};
  private count = 0;
  constructor(readonly gen: Gen, name: string) {
    this.b = new IRBuilder(name);
  }
  input(dtype: DType, shape: Shape, data?: { lo?: number; hi?: number; range?: number }): ValueId {
    const name = `in${this.count++}`;
    this.inputs[name] = randomTensor(this.gen.rng, tensorType(dtype, shape), data);
    return this.b.input(name, tensorType(dtype, shape)).id;
  }
  weight(shape: Shape): ValueId {
    return this.b.weight(`w${this.count++}`, tensorType('f32', shape), randomTensor(this.gen.rng, tensorType('f32', shape), { range: 0.5 })).id;
  }
  node<K extends OpKind>(op: K, attrs: OpAttrs[K], inputs: readonly ValueId[]): ValueId[] {
    return this.b.node(op, attrs, inputs).map((v) => v.id);
  }
  one<K extends OpKind>(op: K, attrs: OpAttrs[K], inputs: readonly ValueId[]): ValueId {
    return this.node(op, attrs, inputs)[0]!;
  }
  type(id: ValueId): TensorType {
    return this.b.typeOf(id);
  }
  finish(outputs: readonly ValueId[]): Built {
    outputs.forEach((id, i) => this.b.output(`out${i}`, id));
    return { graph: this.b.finish(), inputs: this.inputs };
  }
}

const none = {} as const;
const F32_UNARY = ['neg', 'abs', 'relu', 'exp', 'tanh', 'sigmoid', 'erf', 'sqrt', 'log', 'reciprocal'] as const;
const INT_UNARY = ['neg', 'abs', 'relu'] as const;
const F32_BINARY = ['add', 'sub', 'mul', 'div', 'max', 'min', 'pow'] as const;
const INT_BINARY = ['add', 'sub', 'mul', 'div', 'max', 'min'] as const;

/** A chain of elementwise ops over operands broadcasting to one shape (rank 0-4), with views, where and extra outputs. */
export function elementwiseChain(seed: number): Built {
  const gen = new Gen(seed);
  const g = new RandomGraph(gen, `chain${seed}`);
  const dtype = gen.pick(['f32', 'f32', 'i32'] as const);
  const target = gen.shape(gen.int(0, 4));
  const values = [g.input(dtype, gen.broadcastable(target))];
  const outputs: ValueId[] = [];
  let cur = values[0]!;
  const operand = (): ValueId => (gen.chance(0.6) ? g.input(dtype, gen.broadcastable(target)) : gen.pick(values));
  for (let step = gen.int(2, 7); step > 0; step--) {
    const roll = gen.rng.next();
    if (roll < 0.35) {
      cur = dtype === 'f32' && gen.chance(0.15) ? g.one('gelu', { approximate: gen.pick(['none', 'tanh'] as const) }, [cur]) : g.one(gen.pick(dtype === 'f32' ? F32_UNARY : INT_UNARY), none, [cur]);
    } else if (roll < 0.8) {
      const other = operand();
      cur = g.one(gen.pick(dtype === 'f32' ? F32_BINARY : INT_BINARY), none, gen.chance(0.5) ? [cur, other] : [other, cur]);
    } else if (roll < 0.9) {
      const cond = g.one(gen.pick(['less', 'greater', 'equal'] as const), none, [cur, operand()]);
      cur = g.one('where', none, [gen.chance(0.3) ? g.one('not', none, [cond]) : cond, cur, operand()]);
    } else {
      // Two views in a row (flatten and back) between in-place kernels.
      const shape = g.type(cur).shape;
      cur = g.one('reshape', { shape: [-1] }, [cur]);
      cur = g.one('reshape', { shape }, [cur]);
    }
    values.push(cur);
    if (gen.chance(0.15)) outputs.push(cur);
  }
  outputs.push(cur);
  if (gen.chance(0.15)) outputs.push(cur);
  if (gen.chance(0.2)) g.one('exp', none, [g.one('cast', { to: 'f32' }, [cur])]); // dead at -O0, removed at -O2
  return g.finish(outputs);
}

/** matmul with M up to 150 (ragged 4x4 blocks, 64-row tiles), transposes, 1-D operands, broadcast batches. */
export function randomMatmul(seed: number, sizes?: { m: number; n: number; k: number }): Built {
  const gen = new Gen(seed);
  const g = new RandomGraph(gen, `matmul${seed}`);
  const batch = sizes || gen.chance(0.5) ? [] : gen.shape(gen.int(1, 2), 1, 3);
  const m = sizes?.m ?? (gen.chance(0.3) && numel(batch) === 1 ? gen.int(38, 150) : gen.int(1, 37));
  const n = sizes?.n ?? gen.int(1, 37);
  const k = sizes?.k ?? gen.int(1, 37);
  const dtype = gen.chance(0.8) ? 'f32' : gen.pick(['i32', 'i64'] as const);
  const vector = sizes ? '' : gen.pick(['', '', '', 'A', 'B']);
  const transA = vector !== 'A' && gen.chance(0.5);
  const transB = vector !== 'B' && gen.chance(0.5);
  const a = vector === 'A' ? [k] : [...gen.broadcastable(batch), ...(transA ? [k, m] : [m, k])];
  const b = vector === 'B' ? [k] : [...gen.broadcastable(batch), ...(transB ? [n, k] : [k, n])];
  const y = g.one('matmul', { transA, transB }, [g.input(dtype, a), g.input(dtype, b)]);
  return g.finish([gen.chance(0.3) && dtype === 'f32' ? g.one('relu', none, [y]) : y]);
}

/** gemm with random alpha, beta, transposes, 1-D / 3-D A, and C of every broadcast form. */
export function randomGemm(seed: number): Built {
  const gen = new Gen(seed);
  const g = new RandomGraph(gen, `gemm${seed}`);
  const [n, k] = [gen.int(1, 37), gen.int(1, 37)];
  const transA = gen.chance(0.3);
  const transB = gen.chance(0.5);
  const form = transA ? '2d' : gen.pick(['2d', '2d', '1d', '3d']);
  const lead = form === '1d' ? [] : form === '3d' ? gen.shape(2, 1, 9) : [gen.chance(0.3) ? gen.int(38, 150) : gen.int(1, 37)];
  const a = form === '2d' && transA ? [k, lead[0]!] : [...lead, k];
  const out = [...lead, n];
  const cShape = gen.pick([null, [], [n], out.length > 1 ? [1, n] : [n], out, gen.broadcastable(out)]);
  const inputs = [g.input('f32', a), gen.chance(0.5) ? g.weight(transB ? [n, k] : [k, n]) : g.input('f32', transB ? [n, k] : [k, n])];
  if (cShape) inputs.push(g.input('f32', cShape));
  const attrs = { transA, transB, alpha: gen.pick([1, 1, 0.5, -2]), beta: gen.pick([1, 1, 0, 0.25]) };
  return g.finish([g.one('gemm', attrs, inputs)]);
}

/** softmax, logSoftmax or layerNorm (with or without scale and bias) on a random axis. */
export function randomNormalize(seed: number): Built {
  const gen = new Gen(seed);
  const g = new RandomGraph(gen, `normalize${seed}`);
  const shape = gen.shape(gen.int(1, 4), 1, 6);
  const axis = gen.int(0, shape.length - 1);
  const x = g.input('f32', shape, { range: 5 });
  const op = gen.pick(['softmax', 'logSoftmax', 'layerNorm'] as const);
  if (op !== 'layerNorm') return g.finish([g.one(op, { axis: gen.axis(axis, shape.length) }, [x])]);
  const params = gen.int(0, 2);
  const extra = Array.from({ length: params }, () => g.input('f32', shape.slice(axis)));
  return g.finish([g.one('layerNorm', { axis: gen.axis(axis, shape.length), epsilon: gen.pick([1e-5, 1e-3, 0.1]) }, [x, ...extra])]);
}

/** reduceSum / reduceMean / reduceMax over a random axis set (empty = all), keepDims or not. */
export function randomReduce(seed: number): Built {
  const gen = new Gen(seed);
  const g = new RandomGraph(gen, `reduce${seed}`);
  const op = gen.pick(['reduceSum', 'reduceMean', 'reduceMax'] as const);
  const dtype = op === 'reduceMean' ? 'f32' : gen.pick(['f32', 'f32', 'i32', 'i64'] as const);
  const shape = gen.shape(gen.int(0, 4), gen.chance(0.1) ? 0 : 1, 5);
  const axes = gen.perm(shape.length).slice(0, gen.int(0, shape.length)).map((a) => gen.axis(a, shape.length));
  return g.finish([g.one(op, { axes, keepDims: gen.chance(0.5) }, [g.input(dtype, shape)])]);
}

/** transpose by a random permutation (rank 0-5) of an intermediate, then maybe an add. */
export function randomTranspose(seed: number): Built {
  const gen = new Gen(seed);
  const g = new RandomGraph(gen, `transpose${seed}`);
  const shape = gen.shape(gen.int(0, 5), 1, 4);
  const dtype = gen.pick(['f32', 'i32'] as const);
  const perm = gen.perm(shape.length);
  const t = g.one('transpose', { perm }, [g.one('relu', none, [g.input(dtype, shape)])]);
  const out = gen.chance(0.5) ? g.one('add', none, [t, g.input(dtype, gen.broadcastable(g.type(t).shape))]) : t;
  return g.finish([out]);
}

/** slice with random starts, ends (beyond the dims, ±Infinity) and steps (negative too) on random axes. */
export function randomSlice(seed: number): Built {
  const gen = new Gen(seed);
  const g = new RandomGraph(gen, `slice${seed}`);
  const shape = gen.shape(gen.int(1, 4), 1, 7);
  const axes = gen.perm(shape.length).slice(0, gen.int(1, shape.length));
  const bound = (d: number): number => (gen.chance(0.1) ? gen.pick([Infinity, -Infinity]) : gen.int(-d - 2, d + 2));
  const attrs = {
    axes: axes.map((a) => gen.axis(a, shape.length)),
    starts: axes.map((a) => gen.int(-shape[a]! - 2, shape[a]! + 2)),
    ends: axes.map((a) => bound(shape[a]!)),
    steps: axes.map(() => gen.pick([1, 1, 2, 3, -1, -1, -2, -3])),
  };
  const x = g.input(gen.pick(['f32', 'i64', 'bool'] as const), shape);
  return g.finish([g.one('slice', attrs, [x])]);
}

/** concat of 1-4 inputs, or split into random parts (some empty), maybe re-concatenated out of order. */
export function randomConcatSplit(seed: number): Built {
  const gen = new Gen(seed);
  const g = new RandomGraph(gen, `concat${seed}`);
  const dtype = gen.pick(['f32', 'i32', 'i64', 'bool'] as const);
  const shape = gen.shape(gen.int(1, 4), 1, 4);
  const axis = gen.int(0, shape.length - 1);
  const at = (len: number): number[] => shape.map((d, i) => (i === axis ? len : d));
  if (gen.chance(0.5)) {
    const parts = Array.from({ length: gen.int(1, 4) }, () => g.input(dtype, at(gen.chance(0.1) ? 0 : gen.int(1, 4))));
    return g.finish([g.one('concat', { axis: gen.axis(axis, shape.length) }, parts)]);
  }
  const len = gen.int(1, 8);
  const cuts = Array.from({ length: gen.int(0, 3) }, () => gen.int(0, len)).sort((p, q) => p - q);
  const sizes = [...cuts, len].map((c, i, all) => c - (i === 0 ? 0 : all[i - 1]!));
  const parts = g.node('split', { axis: gen.axis(axis, shape.length), sizes }, [g.input(dtype, at(len))]);
  if (gen.chance(0.5)) return g.finish(parts);
  return g.finish([g.one('concat', { axis }, gen.perm(parts.length).map((i) => parts[i]!))]);
}

/** gather on a random axis with i32 or i64 indices of rank 0-2, negative indices included. */
export function randomGather(seed: number): Built {
  const gen = new Gen(seed);
  const g = new RandomGraph(gen, `gather${seed}`);
  const shape = gen.shape(gen.int(1, 3), 1, 5);
  const axis = gen.int(0, shape.length - 1);
  const dim = shape[axis]!;
  const data = g.input(gen.pick(['f32', 'i32', 'i64', 'bool'] as const), shape);
  const indices = g.input(gen.pick(['i32', 'i64'] as const), gen.shape(gen.int(0, 2), 1, 3), { lo: -dim, hi: dim - 1 });
  return g.finish([g.one('gather', { axis: gen.axis(axis, shape.length) }, [data, indices])]);
}

/** An attention block of random sizes: weights with data, constants, views, transposes, every kernel family. */
export function randomAttention(seed: number): Built {
  const gen = new Gen(seed);
  const g = new RandomGraph(gen, `attention${seed}`);
  const [b, s, h, hd] = [gen.int(1, 2), gen.int(1, 9), gen.int(1, 3), gen.int(1, 5)];
  const d = h * hd;
  const x = g.input('f32', [b, s, d]);
  const linear = (v: ValueId): ValueId => g.one('gemm', { transA: false, transB: true, alpha: 1, beta: 1 }, [v, g.weight([d, d]), g.weight([d])]);
  const heads = (v: ValueId): ValueId => g.one('transpose', { perm: [0, 2, 1, 3] }, [g.one('reshape', { shape: [b, s, h, hd] }, [v])]);
  const [q, k, v] = [heads(linear(x)), heads(linear(x)), heads(linear(x))];
  const scale = g.one('constant', { value: randomTensor(gen.rng, tensorType('f32', []), { range: 1 }) }, []);
  const scores = g.one('mul', none, [g.one('matmul', { transA: false, transB: true }, [q, k]), scale]);
  const attn = g.one('matmul', { transA: false, transB: false }, [g.one('softmax', { axis: -1 }, [scores]), v]);
  const merged = g.one('reshape', { shape: [b, s, d] }, [g.one('transpose', { perm: [0, 2, 1, 3] }, [attn])]);
  const y = g.one('layerNorm', { axis: -1, epsilon: 1e-5 }, [g.one('add', none, [linear(merged), x]), g.weight([d]), g.weight([d])]);
  return g.finish([g.one('gelu', { approximate: 'none' }, [y]), g.one('reduceMean', { axes: [1], keepDims: false }, [y])]);
}

/** A random DAG over a pool of values: elementwise, views, movement, reductions and softmax mixed. */
export function randomMixed(seed: number): Built {
  const gen = new Gen(seed);
  const g = new RandomGraph(gen, `mixed${seed}`);
  const pool = [g.input('f32', gen.shape(gen.int(1, 4), 1, 4))];
  for (let step = gen.int(3, 10); step > 0; step--) {
    const v = gen.pick(pool);
    const shape = g.type(v).shape;
    const r = shape.length;
    const op = gen.pick(['unary', 'binary', 'binary', 'transpose', 'reshape', 'slice', 'concat', 'reduce', 'softmax', 'expand'] as const);
    let out: ValueId;
    if (op === 'unary') out = g.one(gen.pick(F32_UNARY), none, [v]);
    else if (op === 'binary') {
      const same = pool.filter((p) => g.type(p).shape.join() === shape.join());
      const other = gen.chance(0.5) ? gen.pick(same) : g.input('f32', gen.broadcastable(shape));
      out = g.one(gen.pick(F32_BINARY), none, gen.chance(0.5) ? [v, other] : [other, v]);
    } else if (op === 'transpose') out = g.one('transpose', { perm: gen.perm(r) }, [v]);
    else if (op === 'reshape') out = g.one('reshape', { shape: gen.chance(0.5) ? [-1] : [...shape].reverse() }, [v]);
    else if (op === 'slice' && r > 0) {
      const a = gen.int(0, r - 1);
      out = g.one('slice', { starts: [gen.int(-shape[a]!, shape[a]! - 1)], ends: [gen.pick([Infinity, -Infinity])], axes: [a], steps: [gen.pick([1, 2, -1])] }, [v]);
    } else if (op === 'concat' && r > 0) out = g.one('concat', { axis: gen.int(0, r - 1) }, [v, gen.pick([v, g.one('neg', none, [v])])]);
    else if (op === 'reduce' && r > 0) out = g.one(gen.pick(['reduceSum', 'reduceMax', 'reduceMean'] as const), { axes: [gen.int(0, r - 1)], keepDims: gen.chance(0.5) }, [v]);
    else if (op === 'softmax' && r > 0) out = g.one('softmax', { axis: gen.int(0, r - 1) }, [v]);
    else out = g.one('expand', { shape: [gen.int(1, 2), ...shape.map((d) => (d === 1 ? gen.int(1, 3) : d))] }, [v]);
    pool.push(out);
  }
  const outs = pool.slice(1).filter(() => gen.chance(0.3));
  return g.finish([...outs, pool.at(-1)!]);
}
