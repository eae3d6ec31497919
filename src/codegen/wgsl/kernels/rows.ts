// WGSL row kernels: softmax, logSoftmax, layerNorm and the reductions. A short row is one
// invocation's loop (softmax-like rows and layerNorm per row, reductions per output element,
// reduced dims in row-major order). A long row (COOPERATIVE_LEN elements or more) gets a workgroup:
// its invocations stride over the row, then combine their partials in a tree in workgroup memory
// (treeReduce), once per statistic (max and sum, or mean and variance).
import { numel, stridesOf } from '../../../ir/types.ts';
import { normAxes, normAxis, splitAt } from '../../../ops/util.ts';
import { type WgslEmitter, type WgslKernel, decodeOffsets, guard, pow2Floor, treeReduce } from '../kernel.ts';
import { f32Literal, load, store } from '../types.ts';

/** Rows at least this long are reduced by a workgroup each. */
const COOPERATIVE_LEN = 64;

/** Invocations of the workgroup reducing a row of `len` elements: a power of two in [64, 256]. */
function rowWorkgroup(len: number): number {
  return Math.min(256, Math.max(64, pow2Floor(len)));
}

/**
 * A kernel with one workgroup of `w` invocations per row (`row`, u32, in scope) and a
 * `var<workgroup> red` of `type` for treeReduce; `body(w)` gives the statements.
 */
function cooperative(rows: number, len: number, type: 'f32' | 'i32', body: (w: number) => string[]): WgslKernel {
  const w = rowWorkgroup(len);
  return { groups: [rows], workgroupSize: w, decls: `var<workgroup> red: array<${type}, ${w}>;`, body: ['let row = group.x;', ...body(w)].join('\n') };
}

/** `for` header striding invocation `lidx` of `w` over [0, len) with index `j`. */
const strided = (len: number, w: number, j = 'j'): string => `for (var ${j} = lidx; ${j} < ${len}u; ${j} += ${w}u)`;
const add = (a: string, b: string): string => `${a} + ${b}`;
const maxOf = (a: string, b: string): string => `max(${a}, ${b})`;

function softmaxLike(log: boolean): WgslEmitter<'softmax' | 'logSoftmax'> {
  return (k) => {
    const shape = k.inputs[0]!.shape;
    const { outer, len, inner } = splitAt(shape, normAxis(k.node.attrs.axis, shape.length));
    const rows = outer * inner;
    const at = (j: string): string => `base + ${j} * ${inner}u`;
    const [x, y] = [k.x[0]!, k.y[0]!];
    const xj = load('f32', x, at('j'));
    const base = (r: string): string => `let base = (${r} / ${inner}u) * ${len * inner}u + ${r} % ${inner}u;`;
    if (len >= COOPERATIVE_LEN) {
      return cooperative(rows, len, 'f32', (w) => [
        base('row'),
        `var mx = ${f32Literal(-Infinity)};`,
        `${strided(len, w)} { mx = max(mx, ${xj}); }`,
        treeReduce('rowMax', 'mx', w, 'red', maxOf),
        'var sum = 0.0;',
        `${strided(len, w)} { sum += exp(${xj} - rowMax); }`,
        treeReduce('rowSum', 'sum', w, 'red', add),
        `${strided(len, w)} { ${store('f32', y, at('j'), log ? `${xj} - rowMax - log(rowSum)` : `exp(${xj} - rowMax) / rowSum`)} }`,
      ]);
    }
    const body = [
      guard(rows),
      base('gidx'),
      `var mx = ${f32Literal(-Infinity)};`,
      `for (var j = 0u; j < ${len}u; j++) { mx = max(mx, ${load('f32', x, at('j'))}); }`,
      'var sum = 0.0;',
      `for (var j = 0u; j < ${len}u; j++) { sum += exp(${load('f32', x, at('j'))} - mx); }`,
      log
        ? `for (var j = 0u; j < ${len}u; j++) { ${store('f32', y, at('j'), `${load('f32', x, at('j'))} - mx - log(sum)`)} }`
        : `for (var j = 0u; j < ${len}u; j++) { ${store('f32', y, at('j'), `exp(${load('f32', x, at('j'))} - mx) / sum`)} }`,
    ];
    return { invocations: rows, body: body.join('\n') };
  };
}

const layerNorm: WgslEmitter<'layerNorm'> = (k) => {
  const shape = k.inputs[0]!.shape;
  const d = numel(shape.slice(normAxis(k.node.attrs.axis, shape.length)));
  const rows = d === 0 ? 0 : numel(shape) / d;
  const [x, y] = [k.x[0]!, k.y[0]!];
  const scale = k.inputs[1] ? ` * ${load('f32', k.x[1]!, 'j')}` : '';
  const shift = k.inputs[2] ? ` + ${load('f32', k.x[2]!, 'j')}` : '';
  const xj = load('f32', x, 'base + j');
  const normed = store('f32', y, 'base + j', `(${xj} - mean) * inv${scale}${shift}`);
  const invOf = (v: string): string => `let inv = 1.0 / sqrt(${v} / ${f32Literal(d)} + ${f32Literal(k.node.attrs.epsilon)});`;
  if (d >= COOPERATIVE_LEN) {
    return cooperative(rows, d, 'f32', (w) => [
      `let base = row * ${d}u;`,
      'var part = 0.0;',
      `${strided(d, w)} { part += ${xj}; }`,
      treeReduce('total', 'part', w, 'red', add),
      `let mean = total / ${f32Literal(d)};`,
      'var sq = 0.0;',
      `${strided(d, w)} { let c = ${xj} - mean; sq += c * c; }`,
      treeReduce('v', 'sq', w, 'red', add),
      invOf('v'),
      `${strided(d, w)} { ${normed} }`,
    ]);
  }
  const body = [
    guard(rows),
    `let base = gidx * ${d}u;`,
    'var mean = 0.0;',
    `for (var j = 0u; j < ${d}u; j++) { mean += ${xj}; }`,
    `mean = mean / ${f32Literal(d)};`,
    'var v = 0.0;',
    `for (var j = 0u; j < ${d}u; j++) { let c = ${xj} - mean; v += c * c; }`,
    invOf('v'),
    `for (var j = 0u; j < ${d}u; j++) { ${normed} }`,
  ];
  return { invocations: rows, body: body.join('\n') };
};

function reduce(kind: 'reduceSum' | 'reduceMean' | 'reduceMax' | 'reduceProd'): WgslEmitter<typeof kind> {
  return (k) => {
    const x = k.inputs[0]!;
    const out = k.outputs[0]!;
    const rank = x.shape.length;
    const reduced = new Set(k.node.attrs.axes.length === 0 ? x.shape.map((_, i) => i) : normAxes(k.node.attrs.axes, rank));
    const st = stridesOf(x.shape);
    const kept = x.shape.map((_, i) => i).filter((i) => !reduced.has(i));
    const red = x.shape.map((_, i) => i).filter((i) => reduced.has(i));
    const redShape = red.map((i) => x.shape[i]!);
    const count = numel(redShape);
    const n = numel(out.shape);
    const coop = count >= COOPERATIVE_LEN;
    const outer = decodeOffsets(kept.map((i) => x.shape[i]!), [kept.map((i) => st[i]!)], coop ? 'row' : 'gidx', 'k');
    const inner = decodeOffsets(redShape, [red.map((i) => st[i]!)], 'r', 'q');
    const t = x.dtype === 'f32' ? 'f32' : 'i32';
    const lowest = x.dtype === 'f32' ? f32Literal(-Infinity) : '(-2147483647i - 1i)';
    const init = kind === 'reduceMax' ? lowest : kind === 'reduceProd' ? (t === 'f32' ? '1.0' : '1i') : t === 'f32' ? '0.0' : '0i';
    const combine = kind === 'reduceMax' ? maxOf : kind === 'reduceProd' ? (a: string, b: string) => `${a} * ${b}` : add;
    const fin = (acc: string): string => (kind === 'reduceMean' ? `${acc} / ${f32Literal(count)}` : acc);
    const loop = (header: string): string[] => [
      `var acc: ${t} = ${init};`,
      `${header} {`, inner.code,
      `  let v = ${load(x.dtype, k.x[0]!, `${outer.names[0]} + ${inner.names[0]}`)};`, `  acc = ${combine('acc', 'v')};`, '}',
    ];
    if (coop) {
      return cooperative(n, count, t, (w) => [
        outer.code, ...loop(strided(count, w, 'r')),
        treeReduce('total', 'acc', w, 'red', combine),
        `if (lidx == 0u) { ${store(out.dtype, k.y[0]!, 'row', fin('total'))} }`,
      ]);
    }
    const body = [guard(n), outer.code, ...loop(`for (var r = 0u; r < ${count}u; r++)`), store(out.dtype, k.y[0]!, 'gidx', fin('acc'))];
    return { invocations: n, body: body.join('\n') };
  };
}

/** The row and reduction emitters. */
export const wgslRows = {
  softmax: softmaxLike(false) as WgslEmitter<'softmax'>,
  logSoftmax: softmaxLike(true) as WgslEmitter<'logSoftmax'>,
  layerNorm,
  reduceSum: reduce('reduceSum') as WgslEmitter<'reduceSum'>,
  reduceMean: reduce('reduceMean') as WgslEmitter<'reduceMean'>,
  reduceMax: reduce('reduceMax') as WgslEmitter<'reduceMax'>,
  reduceProd: reduce('reduceProd') as WgslEmitter<'reduceProd'>,
};
