// Resize and Upsample: the per-axis taps against hand-worked coordinates, the lowering on small
// inputs (integers truncated back, extrapolation, an identity axis left out), and the refusals.
import { describe, expect, it } from 'vitest';
import { OnnxError, UnsupportedOpError } from '../../../src/errors.ts';
import { tensor, toNumbers } from '../../../src/ir/tensor.ts';
import { importOnnx } from '../../../src/io/onnx/import.ts';
import { type AxisResize, isIdentity, resizeTaps } from '../../../src/io/onnx/ops/resize-taps.ts';
import { interpret } from '../../../src/runtime/interpreter.ts';
import { FLOAT, INT64, attr, graph, model, node, value } from './model-builder.ts';

const axis = (over: Partial<AxisResize>): AxisResize => ({
  inLen: 2, outLen: 4, scale: 2, coordinates: 'half_pixel', interpolation: { kind: 'linear' }, antialias: false, excludeOutside: false, roi: [0, 1], ...over,
});
const str = (name: string, s: string) => ({ name, type: 3, s: new TextEncoder().encode(s) });
const floats = (name: string, dims: number[], data: number[]) => ({ name, dims, dataType: FLOAT, floatData: data });
const ints = (name: string, dims: number[], data: number[]) => ({ name, dims, dataType: INT64, int64Data: data });

describe('resize taps', () => {
  it('linear half_pixel 2 -> 4: source coordinates -0.25, 0.25, 0.75, 1.25, edges clamped', () => {
    const t = resizeTaps(axis({}));
    expect(t.count).toBe(2);
    expect(Array.from(t.index)).toEqual([0, 0, 0, 1, 0, 1, 1, 1]);
    expect(Array.from(t.weight)).toEqual([0.25, 0.75, 0.75, 0.25, 0.25, 0.75, 0.75, 0.25]);
  });

  it('nearest rounding modes at source coordinate 0.5 (asymmetric, 1 -> 2 on an axis of 2)', () => {
    const pick = (rounding: 'round_prefer_floor' | 'round_prefer_ceil' | 'floor' | 'ceil') => {
      const t = resizeTaps(axis({ coordinates: 'asymmetric', interpolation: { kind: 'nearest', rounding } }));
      return [0, 1, 2, 3].map((o) => t.index[2 * o + (t.weight[2 * o + 1] === 1 ? 1 : 0)]);
    };
    // x / 2 = 0, 0.5, 1, 1.5
    expect(pick('round_prefer_floor')).toEqual([0, 0, 1, 1]);
    expect(pick('round_prefer_ceil')).toEqual([0, 1, 1, 1]);
    expect(pick('floor')).toEqual([0, 0, 1, 1]);
    expect(pick('ceil')).toEqual([0, 1, 1, 1]);
  });

  it('cubic at an integer coordinate reads one element; align_corners maps the ends onto the ends', () => {
    const t = resizeTaps(axis({ inLen: 3, outLen: 5, scale: 5 / 3, coordinates: 'align_corners', interpolation: { kind: 'cubic', a: -0.75 } }));
    expect(t.count).toBe(4);
    // x = 0 -> 0 and x = 4 -> 2: weight 1 on that element alone.
    expect(Array.from(t.weight.slice(0, 4))).toEqual([0, 0, 1, 0]);
    expect(t.index[2]).toBe(0);
    expect(Array.from(t.weight.slice(16, 20))).toEqual([0, 0, 1, 0]);
    expect(t.index[18]).toBe(2);
    // x = 1 -> 0.5: Keys' weights at distances 1.5, 0.5, 0.5, 1.5 sum to 1.
    const w = Array.from(t.weight.slice(4, 8));
    expect(w[0]).toBeCloseTo(-0.75 * 1.5 ** 3 + 3.75 * 1.5 ** 2 - 6 * 1.5 + 3, 12);
    expect(w.reduce((p, q) => p + q, 0)).toBeCloseTo(1, 12);
  });

  it('antialiased linear downscale by 1/2 spans four taps of a triangle twice as wide', () => {
    const t = resizeTaps(axis({ inLen: 4, outLen: 2, scale: 0.5, antialias: true }));
    expect(t.count).toBe(4);
    // output 0 -> source 0.5: taps -1..2 at distances 1.5, 0.5, 0.5, 1.5 of a half-slope triangle.
    expect(Array.from(t.weight.slice(0, 4))).toEqual([0.125, 0.375, 0.375, 0.125]);
    expect(Array.from(t.index.slice(0, 4))).toEqual([0, 0, 1, 2]);
  });

  it('tf_crop_and_resize marks outputs outside the region; scale 1 half_pixel is the identity', () => {
    const t = resizeTaps(axis({ inLen: 3, outLen: 3, scale: 1, coordinates: 'tf_crop_and_resize', roi: [-0.5, 1] }));
    expect(Array.from(t.outside)).toEqual([1, 0, 0]);
    expect(isIdentity(resizeTaps(axis({ inLen: 3, outLen: 3, scale: 1 })), 3)).toBe(true);
    expect(isIdentity(t, 3)).toBe(false);
  });
});

describe('Resize lowering', () => {
  const resize = (attrs: object[], x: number[], shape: number[], extra: { scales?: number[]; sizes?: number[]; roi?: number[]; elem?: number } = {}) => {
    const inits = [
      ...(extra.roi ? [floats('roi', [extra.roi.length], extra.roi)] : []),
      ...(extra.scales ? [floats('scales', [extra.scales.length], extra.scales)] : []),
      ...(extra.sizes ? [ints('sizes', [extra.sizes.length], extra.sizes)] : []),
    ];
    const inputs = ['x', extra.roi ? 'roi' : '', extra.scales ? 'scales' : '', extra.sizes ? 'sizes' : ''];
    const elem = extra.elem ?? FLOAT;
    const g = importOnnx(model(graph([node('Resize', inputs, ['y'], attrs)], [value('x', shape, elem)], [value('y', [], elem)], inits), 19));
    return { g, y: interpret(g, { x: tensor(elem === FLOAT ? 'f32' : 'i64', shape, x) }).y! };
  };

  it('linear 2 -> 4 on the last axis only: the first axis (scale 1) adds no nodes', () => {
    const { g, y } = resize([str('mode', 'linear')], [0, 4, 10, 20], [2, 2], { scales: [1, 2] });
    expect(y.shape).toEqual([2, 4]);
    expect(toNumbers(y)).toEqual([0, 1, 3, 4, 10, 12.5, 17.5, 20]);
    expect(g.nodes.filter((n) => n.op === 'gather')).toHaveLength(1);
  });

  it('integer input: interpolated in f32, truncated back like the reference astype', () => {
    const { y } = resize([str('mode', 'linear')], [0, 3], [2], { sizes: [4], elem: INT64 });
    expect(y.dtype).toBe('i64');
    // 0.75, 2.25 truncate to 0, 2.
    expect(toNumbers(y)).toEqual([0, 0, 2, 3]);
  });

  it('tf_crop_and_resize writes extrapolation_value outside the roi', () => {
    const attrs = [str('mode', 'linear'), str('coordinate_transformation_mode', 'tf_crop_and_resize'), { name: 'extrapolation_value', type: 1, f: 7 }];
    const { y } = resize(attrs, [0, 10, 20], [3], { roi: [-0.5, 1], sizes: [3] });
    // sources -1 (outside), 0.5, 2
    expect(toNumbers(y)).toEqual([7, 5, 20]);
  });

  it('refuses what it cannot honour, naming the node', () => {
    expect(() => resize([str('mode', 'nearest'), attr.int('antialias', 1)], [1, 2], [2], { scales: [2] })).toThrow(/node "y" \(Resize\): antialias applies to linear and cubic modes only/);
    expect(() => resize([str('mode', 'lanczos')], [1, 2], [2], { scales: [2] })).toThrow(OnnxError);
    expect(() => resize([str('mode', 'linear')], [1, 2], [2])).toThrow(/needs scales or sizes/);
    const crop = [str('mode', 'linear'), str('coordinate_transformation_mode', 'tf_crop_and_resize')];
    expect(() => resize(crop, [1, 2], [2], { roi: [0, 0.5], scales: [2] })).toThrow(UnsupportedOpError);
  });

  it('scales that depend on a graph input are refused: they decide the output shape', () => {
    const m = model(graph([node('Resize', ['x', '', 's'], ['y'])], [value('x', [2]), value('s', [1])], [value('y', [])]), 19);
    expect(() => importOnnx(m)).toThrow(/scales \(input 2, "s"\) must be known at import time/);
  });
});

describe('Upsample', () => {
  const upsample = (mode: string, scales: number[], x: number[], shape: number[]) => {
    const g = importOnnx(model(graph([node('Upsample', ['x', 's'], ['y'], [str('mode', mode)])], [value('x', shape)], [value('y', [])], [floats('s', [scales.length], scales)]), 9));
    return interpret(g, { x: tensor('f32', shape, x) }).y!;
  };

  it('nearest with integer scales repeats; linear interpolates with asymmetric coordinates', () => {
    expect(toNumbers(upsample('nearest', [1, 2], [1, 2, 3, 4], [2, 2]))).toEqual([1, 1, 2, 2, 3, 3, 4, 4]);
    expect(toNumbers(upsample('linear', [2], [0, 8], [2]))).toEqual([0, 4, 8, 8]);
  });

  it('nearest with a fractional scale is refused', () => {
    expect(() => upsample('nearest', [1.5], [1, 2], [2])).toThrow(/only integer scales of 1 or more/);
  });
});
