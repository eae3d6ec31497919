// WGSL row kernels: softmax, logSoftmax and layerNorm (one invocation per row), and the
// reductions (one invocation per output element, reduced dims in row-major order).
import { numel, stridesOf } from '../../../ir/types.ts';
import { normAxes, normAxis, splitAt } from '../../../ops/util.ts';
import { type WgslEmitter, decodeOffsets, guard } from '../kernel.ts';
import { f32Literal, load, store } from '../types.ts';

function softmaxLike(log: boolean): WgslEmitter<'softmax' | 'logSoftmax'> {
  return (k) => {
    const shape = k.inputs[0]!.shape;
    const { outer, len, inner } = splitAt(shape, normAxis(k.node.attrs.axis, shape.length));
    const rows = outer * inner;
    const at = (j: string): string => `base + ${j} * ${inner}u`;
    const [x, y] = [k.x[0]!, k.y[0]!];
    const body = [
      guard(rows),
      `let base = (gidx / ${inner}u) * ${len * inner}u + gidx % ${inner}u;`,
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
  const body = [
    guard(rows),
    `let base = gidx * ${d}u;`,
    'var mean = 0.0;',
    `for (var j = 0u; j < ${d}u; j++) { mean += ${load('f32', x, 'base + j')}; }`,
    `mean = mean / ${f32Literal(d)};`,
    'var v = 0.0;',
    `for (var j = 0u; j < ${d}u; j++) { let c = ${load('f32', x, 'base + j')} - mean; v += c * c; }`,
    `let inv = 1.0 / sqrt(v / ${f32Literal(d)} + ${f32Literal(k.node.attrs.epsilon)});`,
    `for (var j = 0u; j < ${d}u; j++) { ${store('f32', y, 'base + j', `(${load('f32', x, 'base + j')} - mean) * inv${scale}${shift}`)} }`,
  ];
  return { invocations: rows, body: body.join('\n') };
};

function reduce(kind: 'reduceSum' | 'reduceMean' | 'reduceMax'): WgslEmitter<typeof kind> {
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
    const outer = decodeOffsets(kept.map((i) => x.shape[i]!), [kept.map((i) => st[i]!)], 'gidx', 'k');
    const inner = decodeOffsets(redShape, [red.map((i) => st[i]!)], 'r', 'q');
    const t = x.dtype === 'f32' ? 'f32' : 'i32';
    const lowest = x.dtype === 'f32' ? f32Literal(-Infinity) : '(-2147483647i - 1i)';
    const init = kind === 'reduceMax' ? lowest : t === 'f32' ? '0.0' : '0i';
    const step = kind === 'reduceMax' ? 'acc = max(acc, v);' : 'acc += v;';
    const fin = kind === 'reduceMean' ? `acc / ${f32Literal(count)}` : 'acc';
    const body = [
      guard(n), outer.code,
      `var acc: ${t} = ${init};`,
      `for (var r = 0u; r < ${count}u; r++) {`, inner.code,
      `  let v = ${load(x.dtype, k.x[0]!, `${outer.names[0]} + ${inner.names[0]}`)};`, `  ${step}`, '}',
      store(out.dtype, k.y[0]!, 'gidx', fin),
    ];
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
};
