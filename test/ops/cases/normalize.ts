// Cases for softmax, logSoftmax and layerNorm. Expected values are closed forms worked by hand
// (e.g. softmax([1000,1001]) = [1/(1+e), e/(1+e)]), written with Math.exp/log/sqrt.
import { f32 } from '../../../src/ir/tensor.ts';
import { type DType, type Shape, tensorType } from '../../../src/ir/types.ts';
import { cases } from '../case.ts';

const t = (dtype: DType, shape: Shape) => tensorType(dtype, shape);
const { E, LN2 } = Math;
const LN3 = Math.log(3);
const NaN3 = [NaN, NaN, NaN];
const inf = Infinity;

// softmax([1,2,3]) = [1, e, e^2] / (1 + e + e^2).
const S3 = 1 + E + E * E;
// log-sum-exp of [1,2,3].
const LSE3 = Math.log(E + E ** 2 + E ** 3);
// layerNorm of [1,2,3,4]: mean 2.5, biased variance 1.25.
const EPS = 1e-5;
const z = (x: number) => (x - 2.5) / Math.sqrt(1.25 + EPS);
const ln = (axis: number, epsilon = EPS) => ({ axis, epsilon });

export const normalizeCases = cases([
  // ── softmax values ──
  { name: 'last axis', op: 'softmax', attrs: { axis: -1 }, inputs: [f32([2, 3], [1, 2, 3, 0, 0, 0])], expect: [f32([2, 3], [1 / S3, E / S3, (E * E) / S3, 1 / 3, 1 / 3, 1 / 3])] },
  { name: 'axis 0', op: 'softmax', attrs: { axis: 0 }, inputs: [f32([2, 2], [0, 1, LN3, 1])], expect: [f32([2, 2], [0.25, 0.5, 0.75, 0.5])] },
  {
    name: 'middle axis',
    op: 'softmax', attrs: { axis: 1 },
    inputs: [f32([2, 2, 2], [0, 2, LN3, 2, 0, LN3, LN3, 0])],
    expect: [f32([2, 2, 2], [0.25, 0.5, 0.75, 0.5, 0.25, 0.75, 0.75, 0.25])],
  },
  {
    name: 'large inputs do not overflow',
    op: 'softmax', attrs: { axis: -1 },
    inputs: [f32([2, 2], [1000, 1001, -1000, -1001])],
    expect: [f32([2, 2], [1 / (1 + E), E / (1 + E), E / (1 + E), 1 / (1 + E)])],
  },
  {
    name: '-Infinity is masked; an all -Infinity row is NaN',
    op: 'softmax', attrs: { axis: 1 },
    inputs: [f32([2, 3], [0, -inf, 0, -inf, -inf, -inf])],
    expect: [f32([2, 3], [0.5, 0, 0.5, ...NaN3])],
  },
  // ── softmax errors ──
  { name: 'axis out of range', op: 'softmax', attrs: { axis: 2 }, inputs: [t('f32', [2, 3])], error: /axis 2 is out of range for rank 2/ },
  { name: 'negative axis out of range', op: 'softmax', attrs: { axis: -3 }, inputs: [t('f32', [2, 3])], error: /axis -3 is out of range/ },
  { name: 'i32 input', op: 'softmax', attrs: { axis: 0 }, inputs: [t('i32', [3])], error: /softmax needs f32 inputs, got i32\[3\]/ },
  { name: 'two inputs', op: 'softmax', attrs: { axis: 0 }, inputs: [t('f32', [3]), t('f32', [3])], error: /expects 1 inputs, got 2/ },
  // ── logSoftmax values ──
  { name: 'last axis', op: 'logSoftmax', attrs: { axis: -1 }, inputs: [f32([3], [1, 2, 3])], expect: [f32([3], [1 - LSE3, 2 - LSE3, 3 - LSE3])] },
  { name: 'axis 0', op: 'logSoftmax', attrs: { axis: 0 }, inputs: [f32([2, 2], [0, 1, LN3, 1])], expect: [f32([2, 2], [Math.log(0.25), -LN2, Math.log(0.75), -LN2])] },
  {
    name: 'large inputs do not overflow',
    op: 'logSoftmax', attrs: { axis: 1 },
    inputs: [f32([1, 2], [1000, 1001])],
    expect: [f32([1, 2], [-Math.log(1 + E), 1 - Math.log(1 + E)])],
  },
  {
    name: '-Infinity stays -Infinity; an all -Infinity row is NaN',
    op: 'logSoftmax', attrs: { axis: -1 },
    inputs: [f32([2, 3], [0, -inf, 0, -inf, -inf, -inf])],
    expect: [f32([2, 3], [-LN2, -inf, -LN2, ...NaN3])],
  },
  // ── logSoftmax errors ──
  { name: 'axis out of range', op: 'logSoftmax', attrs: { axis: 1 }, inputs: [t('f32', [4])], error: /axis 1 is out of range for rank 1/ },
  { name: 'i32 input', op: 'logSoftmax', attrs: { axis: 0 }, inputs: [t('i32', [3])], error: /logSoftmax needs f32 inputs/ },
  // ── layerNorm values ──
  {
    name: 'last axis, no scale or bias',
    op: 'layerNorm', attrs: ln(-1),
    inputs: [f32([2, 4], [1, 2, 3, 4, -1, 1, -1, 1])],
    expect: [f32([2, 4], [z(1), z(2), z(3), z(4), ...[-1, 1, -1, 1].map((x) => x / Math.sqrt(1 + EPS))])],
  },
  {
    name: 'scale and bias',
    op: 'layerNorm', attrs: ln(1),
    inputs: [f32([1, 4], [1, 2, 3, 4]), f32([4], [1, 2, 0, -1]), f32([4], [0, 0, 5, 1])],
    expect: [f32([1, 4], [z(1), 2 * z(2), 5, 1 - z(4)])],
  },
  {
    name: 'scale only, over two trailing dims',
    op: 'layerNorm', attrs: ln(1),
    inputs: [f32([1, 2, 2], [1, 2, 3, 4]), f32([2, 2], [1, 1, 2, 2])],
    expect: [f32([1, 2, 2], [z(1), z(2), 2 * z(3), 2 * z(4)])],
  },
  {
    name: 'axis 0 normalises everything',
    op: 'layerNorm', attrs: ln(0),
    inputs: [f32([2, 2], [0, 2, 4, 6])],
    expect: [f32([2, 2], [-3, -1, 1, 3].map((d) => d / Math.sqrt(5 + EPS)))],
  },
  { name: 'epsilon is inside the sqrt', op: 'layerNorm', attrs: ln(-1, 3), inputs: [f32([2], [-1, 1])], expect: [f32([2], [-0.5, 0.5])] },
  { name: 'constant rows give zeros', op: 'layerNorm', attrs: ln(-1), inputs: [f32([1, 3], [5, 5, 5])], expect: [f32([1, 3], [0, 0, 0])] },
  // ── layerNorm errors ──
  { name: 'scale of the wrong shape', op: 'layerNorm', attrs: ln(-1), inputs: [t('f32', [2, 4]), t('f32', [3])], error: /layerNorm scale must have shape \[4\], got \[3\]/ },
  { name: 'scale broadcastable but not exact', op: 'layerNorm', attrs: ln(-1), inputs: [t('f32', [2, 4]), t('f32', [1, 4])], error: /scale must have shape \[4\], got \[1,4\]/ },
  { name: 'bias of the wrong shape', op: 'layerNorm', attrs: ln(0), inputs: [t('f32', [2, 4]), t('f32', [2, 4]), t('f32', [4])], error: /layerNorm bias must have shape \[2,4\], got \[4\]/ },
  { name: 'axis out of range', op: 'layerNorm', attrs: ln(2), inputs: [t('f32', [2, 4])], error: /axis 2 is out of range for rank 2/ },
  { name: 'i32 input', op: 'layerNorm', attrs: ln(-1), inputs: [t('i32', [2, 4])], error: /layerNorm needs f32 inputs/ },
  { name: 'i32 scale', op: 'layerNorm', attrs: ln(-1), inputs: [t('f32', [2, 4]), t('i32', [4])], error: /layerNorm needs f32 inputs/ },
  { name: 'negative epsilon', op: 'layerNorm', attrs: ln(-1, -1), inputs: [t('f32', [2, 4])], error: /epsilon must be a non-negative number, got -1/ },
  { name: 'four inputs', op: 'layerNorm', attrs: ln(-1), inputs: [t('f32', [4]), t('f32', [4]), t('f32', [4]), t('f32', [4])], error: /expects 1 to 3 inputs, got 4/ },
]);
