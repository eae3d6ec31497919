// Cases for the narrow-float roundings: roundBF16 (8 significant bits, ties to even, overflow to
// ±Inf) and roundLowFloat (float8 and float4 formats, saturating or not, subnormals, no -0 in FNUZ).
import { f32 } from '../../../src/ir/tensor.ts';
import { tensorType } from '../../../src/ir/types.ts';
import { cases } from '../case.ts';

/** Narrow-float cases: values, then the shape-rule errors. */
export const narrowFloatCases = cases([
  {
    name: 'roundBF16: exact values stay, ties go to the even neighbour, other values to the nearest',
    op: 'roundBF16', attrs: {},
    // 1 + 2^-8 ties between 1 and 1 + 2^-7 (even: 1); 1 + 3 * 2^-8 ties between 1 + 2^-7 and 1 + 2^-6 (even: 1 + 2^-6);
    // 1 + 2^-8 + 2^-12 is nearer 1 + 2^-7; -0.1 to the nearest bfloat16 below it in magnitude.
    inputs: [f32([6], [1, 1 + 2 ** -8, 1 + 3 * 2 ** -8, 1 + 2 ** -8 + 2 ** -12, -0.1, 65504])],
    expect: [f32([6], [1, 1, 1 + 2 ** -6, 1 + 2 ** -7, -0.10009765625, 65536])],
  },
  {
    name: 'roundBF16: the largest f32 overflows to Infinity, NaN and -0 pass',
    op: 'roundBF16', attrs: {},
    inputs: [f32([3], [3.4028234663852886e38, NaN, -0])],
    expect: [f32([3], [Infinity, NaN, -0])],
  },
  {
    name: 'roundLowFloat e4m3fn saturating: steps of 1/32 near 0.48, subnormals of 2^-9, overflow to 448, ties to even',
    op: 'roundLowFloat', attrs: { format: 'e4m3fn', saturate: true },
    inputs: [f32([7], [0.47892547, 0.003, 1e6, 464, -Infinity, -1e-7, NaN])],
    expect: [f32([7], [0.46875, 0.00390625, 448, 448, -448, -0, NaN])],
  },
  {
    name: 'roundLowFloat e4m3fn without saturation: past 448 (after rounding) is NaN',
    op: 'roundLowFloat', attrs: { format: 'e4m3fn', saturate: false },
    inputs: [f32([3], [464, 500, Infinity])],
    expect: [f32([3], [448, NaN, NaN])],
  },
  {
    name: 'roundLowFloat e5m2 without saturation keeps Infinity and overflows to it',
    op: 'roundLowFloat', attrs: { format: 'e5m2', saturate: false },
    inputs: [f32([4], [1e6, -Infinity, 0.3, 57344])],
    expect: [f32([4], [Infinity, -Infinity, 0.3125, 57344])],
  },
  {
    name: 'roundLowFloat e4m3fnuz has no -0; e5m2fnuz saturates at 57344',
    op: 'roundLowFloat', attrs: { format: 'e4m3fnuz', saturate: true },
    inputs: [f32([3], [-0, -1e-7, 300])],
    expect: [f32([3], [0, 0, 240])],
  },
  {
    name: 'roundLowFloat e5m2fnuz',
    op: 'roundLowFloat', attrs: { format: 'e5m2fnuz', saturate: false },
    inputs: [f32([2], [1e6, 1.1])],
    expect: [f32([2], [NaN, 1])],
  },
  {
    name: 'roundLowFloat e2m1: ties to even, always saturating, NaN to -0',
    op: 'roundLowFloat', attrs: { format: 'e2m1', saturate: false },
    inputs: [f32([6], [0.25, 0.75, -3.5, 9, NaN, 1.05])],
    expect: [f32([6], [0, 1, -4, 6, -0, 1])],
  },
  { name: 'roundLowFloat of i32', op: 'roundLowFloat', attrs: { format: 'e5m2', saturate: true }, inputs: [tensorType('i32', [2])], error: /roundLowFloat expects f32, got i32/ },
  { name: 'roundBF16 of i32', op: 'roundBF16', attrs: {}, inputs: [tensorType('i32', [2])], error: /roundBF16 expects f32, got i32/ },
]);
