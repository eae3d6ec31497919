// GridSample and AffineGrid as compositions. AffineGrid: a constant base grid of normalised
// coordinates (x, y[, z], 1) times theta (one batched matmul). GridSample, as the ONNX reference
// (PyTorch's grid_sampler): per spatial axis the grid coordinate is unnormalised (align_corners),
// rounded for nearest (half to even, std::nearbyint; the suite's 3-D data round so too), moved inside the border by
// clamping or reflecting when outside it, and split into taps (1 nearest, 2 linear, 4 cubic with
// A = -0.75), each tap's index brought inside by the padding mode (zeros: a 0 weight; border: a
// clamp; reflection: reflected). The taps of all axes combine into flat indices of the data viewed
// as [N * spatial, C]; each is one gather, weighted and summed. Indices are computed in f32, exact
// for data of fewer than 2^24 spatial positions (larger is refused).
import type { NodeContext, Val } from '../context.ts';
import type { OpAttrs, OpKind } from '../../../ops/attrs.ts';
import type { Lowerings } from './lowering.ts';

type Op = (kind: OpKind, ...vals: Val[]) => Val;

/** A tap along one axis: its integer coordinate (f32) and weight (absent: 1). */
interface Tap {
  readonly at: Val;
  readonly w?: Val;
}

const CUBIC_A = -0.75;

/** `v` reflected by the near border until inside [lo, hi] (the reference's _gs_reflect). */
function reflect(c: NodeContext, f: Op, v: Val, lo: number, hi: number): Val {
  const below = f('less', v, c.scalar(lo));
  const above = f('greater', v, c.scalar(hi));
  const dx = f('where', below, f('sub', c.scalar(lo), v), f('sub', v, c.scalar(hi)));
  const rng = c.scalar(hi - lo);
  const n = f('floor', f('div', dx, rng));
  const r = f('sub', dx, f('mul', n, rng));
  const even = f('equal', f('mul', f('floor', f('div', n, c.scalar(2))), c.scalar(2)), n);
  const [fromLo, fromHi] = [f('add', c.scalar(lo), r), f('sub', c.scalar(hi), r)];
  return f('where', below, f('where', even, fromLo, fromHi), f('where', above, f('where', even, fromHi, fromLo), v));
}

const clamp = (c: NodeContext, f: Op, v: Val, lo: number, hi: number): Val => f('min', f('max', v, c.scalar(lo)), c.scalar(hi));

/** Keys cubic weights of the fraction t for taps -1, 0, 1, 2. */
function cubicWeights(c: NodeContext, f: Op, t: Val): Val[] {
  const k = (x: number): Val => c.scalar(x);
  const A = CUBIC_A;
  const far = (d: Val): Val => f('sub', f('mul', f('add', f('mul', f('sub', f('mul', k(A), d), k(5 * A)), d), k(8 * A)), d), k(4 * A));
  const near = (d: Val): Val => f('add', f('mul', f('mul', f('sub', f('mul', k(A + 2), d), k(A + 3)), d), d), k(1));
  const u = f('sub', k(1), t);
  return [far(f('add', t, k(1))), near(t), near(u), far(f('add', u, k(1)))];
}

/** The taps of one axis of size `size` for normalised coordinates `g`. */
function axisTaps(c: NodeContext, f: Op, g: Val, size: number, o: { align: boolean; mode: string; padding: string }): Tap[] {
  const [lo, hi] = o.align ? [0, size - 1] : [-0.5, size - 0.5];
  const one = c.scalar(1);
  let x = o.align ? f('mul', f('div', f('add', g, one), c.scalar(2)), c.scalar(size - 1)) : f('div', f('sub', f('mul', f('add', g, one), c.scalar(size)), one), c.scalar(2));
  if (o.mode === 'nearest') x = f('round', x);
  if (o.padding === 'border') x = f('where', f('or', f('less', x, c.scalar(lo)), f('greater', x, c.scalar(hi))), clamp(c, f, x, 0, size - 1), x);
  if (o.padding === 'reflection') x = reflect(c, f, x, lo, hi);
  let taps: Tap[];
  if (o.mode === 'nearest') taps = [{ at: x }];
  else {
    const x0 = f('floor', x);
    const t = f('sub', x, x0);
    const offsets = o.mode === 'linear' ? [0, 1] : [-1, 0, 1, 2];
    const ws = o.mode === 'linear' ? [f('sub', one, t), t] : cubicWeights(c, f, t);
    taps = offsets.map((d, i) => ({ at: d === 0 ? x0 : f('add', x0, c.scalar(d)), w: ws[i]! }));
  }
  return taps.map((tap) => pixel(c, f, tap, size, lo, hi, o.padding));
}

/** A tap's index brought inside [0, size) by the padding mode. */
function pixel(c: NodeContext, f: Op, tap: Tap, size: number, lo: number, hi: number, padding: string): Tap {
  if (padding === 'border') return { ...tap, at: clamp(c, f, tap.at, 0, size - 1) };
  if (padding === 'reflection') return { ...tap, at: f('floor', f('max', reflect(c, f, tap.at, lo, hi), c.scalar(0))) };
  const inside = f('cast', f('and', f('greater', tap.at, c.scalar(-1)), f('less', tap.at, c.scalar(size))));
  return { at: clamp(c, f, tap.at, 0, size - 1), w: tap.w ? f('mul', tap.w, inside) : inside };
}

const MODES: Readonly<Record<string, string>> = { bilinear: 'linear', linear: 'linear', nearest: 'nearest', bicubic: 'cubic', cubic: 'cubic' };

function gridSample(c: NodeContext): Val[] {
  const [x, grid] = [c.input(0), c.input(1)];
  const xs = x.type.shape;
  const nd = xs.length - 2;
  const gs = grid.type.shape;
  if (nd < 1 || gs.length !== nd + 2 || gs[0] !== xs[0] || gs[nd + 1] !== nd) c.fail(`X ${c.fmt(x)} and Grid ${c.fmt(grid)} must be [N, C, D1..Dk] and [N, O1..Ok, k]`);
  if (x.type.dtype !== 'f32' || grid.type.dtype !== 'f32') c.unsupported('on non-float inputs', `X and Grid must be float, got ${c.fmt(x)} and ${c.fmt(grid)}`);
  const modeName = c.string('mode', c.opset >= 20 ? 'linear' : 'bilinear');
  const mode = MODES[modeName];
  const padding = c.string('padding_mode', 'zeros');
  if (!mode) c.fail(`mode ${JSON.stringify(modeName)} is not one of linear (bilinear), nearest, cubic (bicubic)`);
  if (!['zeros', 'border', 'reflection'].includes(padding)) c.fail(`padding_mode ${JSON.stringify(padding)} is not one of zeros, border, reflection`);
  const [N, C] = [xs[0]!, xs[1]!];
  const dims = xs.slice(2);
  const spatial = dims.reduce((a, b) => a * b, 1);
  if (N * spatial >= 2 ** 24) c.unsupported('on large inputs', `X has ${N * spatial} positions across the batch; indices are computed in f32, exact below 2^24`);
  const f: Op = (kind, ...vals) => c.op1(kind, (kind === 'cast' ? { to: 'f32' } : {}) as OpAttrs[typeof kind], vals);
  const o = { align: c.int('align_corners', 0) !== 0, mode, padding };
  const outDims = gs.slice(1, nd + 1);
  // Grid's last axis lists coordinates innermost first: component k is spatial axis nd - 1 - k.
  const taps = dims.map((size, d) => {
    const g = c.op1('squeeze', { axes: [nd + 1] }, [c.op1('slice', { starts: [nd - 1 - d], ends: [nd - d], axes: [nd + 1], steps: [1] }, [grid])]);
    return axisTaps(c, f, g, size, o);
  });
  const strides = dims.map((_, d) => dims.slice(d + 1).reduce((a, b) => a * b, 1));
  const base = c.constant('f32', [N, ...outDims.map(() => 1)], Array.from({ length: N }, (_, n) => n * spatial));
  const rows = c.op1('reshape', { shape: [N * spatial, C] }, [c.op1('transpose', { perm: [0, ...dims.map((_, d) => d + 2), 1] }, [x])]);
  let sum: Val | undefined;
  for (const combo of product(taps)) {
    let at = base;
    let w: Val | undefined;
    combo.forEach((tap, d) => {
      at = f('add', at, strides[d] === 1 ? tap.at : f('mul', tap.at, c.scalar(strides[d]!)));
      if (tap.w) w = w ? f('mul', w, tap.w) : tap.w;
    });
    let v = c.op1('gather', { axis: 0 }, [rows, c.op1('cast', { to: 'i64' }, [at])]); // [N, O..., C]
    if (w) v = f('mul', v, c.op1('unsqueeze', { axes: [nd + 1] }, [w]));
    sum = sum ? f('add', sum, v) : v;
  }
  return [c.op1('transpose', { perm: [0, nd + 1, ...outDims.map((_, d) => d + 1)] }, [sum!])];
}

/** Every choice of one tap per axis. */
function product(taps: readonly Tap[][]): Tap[][] {
  return taps.reduce<Tap[][]>((acc, axis) => acc.flatMap((pre) => axis.map((t) => [...pre, t])), [[]]);
}

/** AffineGrid: grid[n, ..., :] = theta[n] @ (x, y[, z], 1) over a base grid of normalised coordinates. */
function affineGrid(c: NodeContext): Val[] {
  const theta = c.input(0);
  const size = c.staticInts(1, 'size')!;
  const nd = size.length - 2;
  if (nd !== 2 && nd !== 3) c.fail(`size must be [N, C, H, W] or [N, C, D, H, W], got [${size.join(', ')}]`);
  if (theta.type.shape.join() !== [size[0], nd, nd + 1].join()) c.fail(`theta must be [${size[0]}, ${nd}, ${nd + 1}], got ${c.fmt(theta)}`);
  const align = c.int('align_corners', 0) !== 0;
  const spatial = size.slice(2);
  const coord = (i: number, L: number): number => (align ? (L === 1 ? -1 : -1 + (2 * i) / (L - 1)) : (2 * i + 1) / L - 1);
  const P = spatial.reduce((a, b) => a * b, 1);
  const base: number[] = [];
  for (let p = 0; p < P; p++) {
    // Position p in row-major (D,) H, W order; the row lists x (W) first.
    const idx = spatial.map((_, d) => Math.floor(p / spatial.slice(d + 1).reduce((a, b) => a * b, 1)) % spatial[d]!);
    for (let d = nd - 1; d >= 0; d--) base.push(coord(idx[d]!, spatial[d]!));
    base.push(1);
  }
  const g = c.op1('matmul', { transA: false, transB: true }, [c.constant('f32', [1, P, nd + 1], base), theta]);
  return [c.op1('reshape', { shape: [size[0]!, ...spatial, nd] }, [g])];
}

/** The sampling lowerings. */
export const gridLowerings: Lowerings = { GridSample: gridSample, AffineGrid: affineGrid };
