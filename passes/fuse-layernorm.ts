// Pass: layer-normalisation recognition (the decomposed LayerNormalization of ONNX opset < 17).
//
// Assumes:    shape inference and constant folding have run (the exponent 2 and epsilon are
//             scalar constants).
// Guarantees: no f32 chain (x - mean(x)) / sqrt(mean((x - mean(x))^2) + eps), the square written
//             as pow(., 2) or as a product with itself, both means over the same trailing axes
//             with kept dims and eps a non-negative scalar constant, is left: it is one
//             `layerNorm`. A product by a scale, then a sum with a bias, each shaped as the
//             normalised dims and read only there, are that layerNorm's scale and bias.
// Runs:       after constant folding, before fuse-epilogues and fuse-elementwise (which would
//             absorb the chain's elementwise steps).
import type { Node, ValueId } from '../src/ir/graph.ts';
import { type Shape, sameShape } from '../src/ir/types.ts';
import { normAxes } from '../src/ops/util.ts';
import type { GraphEditor } from '../src/rewrite/editor.ts';
import { rewriteToFixpoint } from '../src/rewrite/driver.ts';
import type { Match, NodePattern, Pattern, Rule } from '../src/rewrite/pattern.ts';
import type { Pass } from './pass.ts';
import { scalarConstant } from './util.ts';

/** The first normalised axis when `n` is a mean with kept dims over the trailing axes [a, rank), else undefined. */
function trailingMeanAxis(n: Node): number | undefined {
  if (n.op !== 'reduceMean' || !n.attrs.keepDims) return undefined;
  const rank = n.outputs[0]!.type.shape.length;
  const axes = n.attrs.axes.length === 0 ? [...Array(rank).keys()] : [...new Set(normAxes(n.attrs.axes, rank))].sort((p, q) => p - q);
  const first = rank - axes.length;
  return axes.every((a, i) => a === first + i) ? first : undefined;
}

/** The normalisation chain of `m` as layerNorm(x), or undefined when a guard fails. */
function normalise(m: Match, ed: GraphEditor): ValueId | undefined {
  const { centred, mean, variance, square } = m.nodes as Record<string, Node>;
  const x = m.values.x!;
  if (ed.typeOf(x).dtype !== 'f32' || m.values.c !== centred!.outputs[0]!.id) return undefined; // the square must be of x - mean(x)
  if (square!.op === 'pow' && scalarConstant(ed, m.values.two) !== 2) return undefined;
  const axis = trailingMeanAxis(mean!);
  if (axis === undefined || trailingMeanAxis(variance!) !== axis) return undefined;
  const epsilon = scalarConstant(ed, m.values.eps);
  if (epsilon === undefined || !(epsilon >= 0) || !sameShape(m.root.outputs[0]!.type.shape, ed.typeOf(x).shape)) return undefined;
  return ed.insertBefore(m.root, 'layerNorm', { axis, epsilon }, [x], mean!.label)[0]!.id;
}

const dropOnes = (s: Shape): Shape => s.slice(s.findIndex((d) => d !== 1) < 0 ? s.length : s.findIndex((d) => d !== 1));

/** layerNorm(x[, scale]) times a scale (or plus a bias) as the layerNorm with that input added. */
function absorbAffine(slot: 1 | 2) {
  return (m: Match, ed: GraphEditor): ValueId | undefined => {
    const [ln, p] = [m.nodes.ln!, m.values.p!];
    if (ln.op !== 'layerNorm' || ln.inputs.length !== slot || ed.typeOf(p).dtype !== 'f32') return undefined;
    const shape = ln.outputs[0]!.type.shape;
    const dims = shape.slice(ln.attrs.axis < 0 ? ln.attrs.axis + shape.length : ln.attrs.axis);
    if (!sameShape(m.root.outputs[0]!.type.shape, shape) || !sameShape(dropOnes(ed.typeOf(p).shape), dropOnes(dims))) return undefined;
    const fitted = sameShape(ed.typeOf(p).shape, dims) ? p : ed.insertBefore(m.root, 'reshape', { shape: [...dims] }, [p], ln.label)[0]!.id;
    return ed.insertBefore(m.root, 'layerNorm', ln.attrs, [...ln.inputs, fitted], ln.label)[0]!.id;
  };
}

const meanOf = (as: string, x: Pattern): NodePattern => ({ op: 'reduceMean', as, inputs: [x] });
const centred: NodePattern = { op: 'sub', as: 'centred', inputs: [{ value: 'x' }, meanOf('mean', { value: 'x' })] };
const SQUARES: readonly [string, NodePattern][] = [
  ['pow', { op: 'pow', as: 'square', inputs: [{ value: 'c' }, { value: 'two' }] }],
  ['mul', { op: 'mul', as: 'square', inputs: [{ value: 'c' }, { value: 'c' }] }],
];
const PLUS_EPS: readonly [string, (v: NodePattern) => NodePattern][] = [
  ['', (v) => ({ op: 'add', inputs: [v, { value: 'eps' }] })],
  ['-eps-first', (v) => ({ op: 'add', inputs: [{ value: 'eps' }, v] })],
];

/** The four spellings of the statistics (square by pow or by mul, eps added on either side). */
const NORMALISE_RULES: Rule[] = SQUARES.flatMap(([sq, square]) =>
  PLUS_EPS.map(([order, plusEps]): Rule => ({
    name: `layernorm-${sq}${order}`,
    reason: `(x - mean x) / sqrt(mean of its square by ${sq} + eps) is layerNorm: one pass per row instead of seven kernels`,
    pattern: { op: 'div', inputs: [centred, { op: 'sqrt', inputs: [plusEps(meanOf('variance', square))] }] },
    rewrite: normalise,
  })),
);

const ln = { op: 'layerNorm', as: 'ln', oneUse: true } as const;

/** The layer-normalisation rules, in the order they are tried. */
export const LAYERNORM_RULES: readonly Rule[] = [
  ...NORMALISE_RULES,
  { name: 'layernorm-scale', reason: 'a per-feature scale of a layerNorm result is its scale input', pattern: { op: 'mul', inputs: [ln, { value: 'p' }] }, rewrite: absorbAffine(1) },
  { name: 'layernorm-scale-first', reason: 'mul is commutative: scale * layerNorm is layerNorm * scale', pattern: { op: 'mul', inputs: [{ value: 'p' }, ln] }, rewrite: absorbAffine(1) },
  { name: 'layernorm-bias', reason: 'a per-feature bias added to a scaled layerNorm result is its bias input', pattern: { op: 'add', inputs: [ln, { value: 'p' }] }, rewrite: absorbAffine(2) },
  { name: 'layernorm-bias-first', reason: 'add is commutative: bias + layerNorm is layerNorm + bias', pattern: { op: 'add', inputs: [{ value: 'p' }, ln] }, rewrite: absorbAffine(2) },
];

export const fuseLayerNorm: Pass = {
  name: 'fuse-layernorm',
  summary: 'the decomposed layer normalisation of opset < 17 exports (mean, sub, pow, mean, add, sqrt, div, then scale and bias) becomes one layerNorm',
  run: (graph, ctx) => rewriteToFixpoint(graph, LAYERNORM_RULES, ctx),
};
