// ONNX ops that the conformance subset does not exercise, on small hand-checked inputs, and the
// folding of a PyTorch-style shape subgraph into a constant reshape.
import { describe, expect, it } from 'vitest';
import { tensor } from '../../../src/ir/tensor.ts';
import { importOnnx } from '../../../src/io/onnx/import.ts';
import { encodeModel } from '../../../src/io/onnx/schema.ts';
import { interpret } from '../../../src/runtime/interpreter.ts';

const vi = (name: string, d?: number[], elemType = 1) => ({ name, type: { tensorType: { elemType, ...(d ? { shape: { dim: d.map((x) => ({ dimValue: x })) } } : {}) } } });
const INT = 2;
const INTS = 7;

function run(opset: number, nodes: object[], inputs: Record<string, number[]>, shapes: Record<string, number[]>, initializer: object[] = []): Record<string, { shape: readonly number[]; data: number[] }> {
  const g = importOnnx(encodeModel({
    irVersion: 8,
    opsetImport: [{ domain: '', version: opset }],
    graph: { name: 'g', node: nodes, input: Object.keys(inputs).map((n) => vi(n, shapes[n])), output: [vi('y')], initializer },
  }));
  const out = interpret(g, Object.fromEntries(Object.entries(inputs).map(([n, xs]) => [n, tensor('f32', shapes[n]!, xs)])));
  return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, { shape: t.shape, data: Array.from(t.data as Float32Array) }]));
}

const X = [-1, 2, -3, 4, -5, 6];
const S = { x: [2, 3], z: [2, 3], w: [2, 3] };

describe('ONNX lowerings outside the conformance subset', () => {
  it('Abs, Max, Min and Sum (variadic)', () => {
    expect(run(17, [{ opType: 'Abs', input: ['x'], output: ['y'] }], { x: X }, S).y!.data).toEqual([1, 2, 3, 4, 5, 6]);
    const Z = [0, 0, 0, 0, 0, 0];
    const W = [1, 1, 1, 1, 1, 1];
    expect(run(17, [{ opType: 'Max', input: ['x', 'z', 'w'], output: ['y'] }], { x: X, z: Z, w: W }, S).y!.data).toEqual([1, 2, 1, 4, 1, 6]);
    expect(run(17, [{ opType: 'Min', input: ['x', 'z'], output: ['y'] }], { x: X, z: Z }, S).y!.data).toEqual([-1, 0, -3, 0, -5, 0]);
    expect(run(17, [{ opType: 'Sum', input: ['x', 'z', 'w'], output: ['y'] }], { x: X, z: Z, w: W }, S).y!.data).toEqual([0, 3, -2, 5, -4, 7]);
  });

  it('Flatten and ReduceMax with attribute axes', () => {
    const flat = run(17, [{ opType: 'Flatten', input: ['x'], output: ['y'], attribute: [{ name: 'axis', type: INT, i: 0 }] }], { x: X }, S).y!;
    expect(flat.shape).toEqual([1, 6]);
    const max = run(17, [{ opType: 'ReduceMax', input: ['x'], output: ['y'], attribute: [{ name: 'axes', type: INTS, ints: [1] }, { name: 'keepdims', type: INT, i: 0 }] }], { x: X }, S).y!;
    expect(max).toEqual({ shape: [2], data: [2, 6] });
  });

  it('Softmax before opset 13 normalises the 2-D coercion at axis, not one dim', () => {
    const x = [0, 0, 0, 0, 0, 0, 0, 0];
    const shapes = { x: [2, 2, 2] };
    const old = run(11, [{ opType: 'Softmax', input: ['x'], output: ['y'], attribute: [{ name: 'axis', type: INT, i: 1 }] }], { x }, shapes).y!;
    expect(old.shape).toEqual([2, 2, 2]);
    expect(old.data).toEqual(Array(8).fill(0.25)); // 4 elements per row of the [2, 4] coercion
    const now = run(13, [{ opType: 'Softmax', input: ['x'], output: ['y'], attribute: [{ name: 'axis', type: INT, i: 1 }] }], { x }, shapes).y!;
    expect(now.data).toEqual(Array(8).fill(0.5));
  });

  it('folds Shape -> Gather -> Unsqueeze -> Concat -> Reshape to one reshape', () => {
    const i64 = (name: string, xs: number[], dims: number[]) => ({ name, dims, dataType: 7, int64Data: xs });
    const nodes = [
      { opType: 'Shape', input: ['x'], output: ['s'] },
      { opType: 'Gather', input: ['s', 'zero'], output: ['d0'], attribute: [{ name: 'axis', type: INT, i: 0 }] },
      { opType: 'Unsqueeze', input: ['d0', 'axes0'], output: ['d0v'] },
      { opType: 'Concat', input: ['d0v', 'minus1'], output: ['shape'], attribute: [{ name: 'axis', type: INT, i: 0 }] },
      { opType: 'Reshape', input: ['x', 'shape'], output: ['y'] },
    ];
    const initializer = [i64('zero', [0], []), i64('axes0', [0], [1]), i64('minus1', [-1], [1])];
    const g = importOnnx(encodeModel({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 17 }],
      graph: { name: 'g', node: nodes, input: [vi('x', [2, 3, 4])], output: [vi('y')], initializer },
    }));
    expect(g.nodes.filter((n) => n.op !== 'constant').map((n) => n.op)).toEqual(['reshape']);
    expect(g.nodes.find((n) => n.op === 'reshape')!.outputs[0]!.type.shape).toEqual([2, 12]);
  });
});

describe('Attention padding', () => {
  const values = (n: number, seed: number) => Array.from({ length: n }, (_, i) => Math.sin(i * 1.7 + seed));
  /** Runs Attention on Q [1,1,2,4], K/V [1,1,S,4] with extra inputs and attributes. */
  function attention(S: number, extra: { mask?: { shape: number[]; data: number[] }; nonpad?: number[]; causal?: boolean }) {
    const inputs: Record<string, number[]> = { Q: values(8, 1), K: values(4 * S, 2), V: values(4 * S, 3) };
    const shapes: Record<string, number[]> = { Q: [1, 1, 2, 4], K: [1, 1, S, 4], V: [1, 1, S, 4] };
    const names = ['Q', 'K', 'V', '', '', '', ''];
    const initializer: object[] = [];
    if (extra.mask) {
      names[3] = 'M';
      initializer.push({ name: 'M', dims: extra.mask.shape, dataType: 1, floatData: extra.mask.data });
    }
    if (extra.nonpad) {
      names[6] = 'L';
      initializer.push({ name: 'L', dims: [extra.nonpad.length], dataType: 6, int32Data: extra.nonpad });
    }
    while (names.at(-1) === '') names.pop();
    const attribute = extra.causal ? [{ name: 'is_causal', type: INT, i: 1 }] : [];
    const g = importOnnx(encodeModel({
      irVersion: 10,
      opsetImport: [{ domain: '', version: 24 }],
      graph: { name: 'g', node: [{ opType: 'Attention', input: names, output: ['y'], attribute }], input: ['Q', 'K', 'V'].map((n) => vi(n, shapes[n])), output: [vi('y')], initializer },
    }));
    const out = interpret(g, Object.fromEntries(Object.entries(inputs).map(([n, xs]) => [n, tensor('f32', shapes[n]!, xs)])));
    return Array.from(out.y!.data as Float32Array);
  }
  const truncated = (causal: boolean) => {
    // The same Q with only the first 2 keys and values.
    const g = importOnnx(encodeModel({
      irVersion: 10,
      opsetImport: [{ domain: '', version: 24 }],
      graph: { name: 'g', node: [{ opType: 'Attention', input: ['Q', 'K', 'V'], output: ['y'], attribute: causal ? [{ name: 'is_causal', type: INT, i: 1 }] : [] }], input: [vi('Q', [1, 1, 2, 4]), vi('K', [1, 1, 2, 4]), vi('V', [1, 1, 2, 4])], output: [vi('y')] },
    }));
    const out = interpret(g, { Q: tensor('f32', [1, 1, 2, 4], values(8, 1)), K: tensor('f32', [1, 1, 2, 4], values(12, 2).slice(0, 8)), V: tensor('f32', [1, 1, 2, 4], values(12, 3).slice(0, 8)) });
    return Array.from(out.y!.data as Float32Array);
  };

  it('a static nonpad_kv_seqlen ignores the padding keys', () => {
    expect(attention(3, { nonpad: [2] })).toEqual(truncated(false));
    expect(attention(3, { nonpad: [2], causal: true })).toEqual(truncated(true));
    expect(attention(3, { nonpad: [3] })).toEqual(attention(3, {}));
  });

  it('a mask shorter than the keys masks the rest', () => {
    expect(attention(3, { mask: { shape: [2, 2], data: [0, 0, 0, 0] } })).toEqual(truncated(false));
  });
});

describe('issue 21 lowerings on hand-checked inputs', () => {
  const i64 = (name: string, xs: number[], dims: number[]) => ({ name, dims, dataType: 7, int64Data: xs });
  const gatherElements = (indices: number[], axis: number) =>
    run(17, [{ opType: 'GatherElements', input: ['x', 'i'], output: ['y'], attribute: [{ name: 'axis', type: INT, i: axis }] }], { x: X }, S, [i64('i', indices, [2, 2])]);

  it('GatherElements picks along the axis, negative indices from the end', () => {
    // x = [[-1, 2, -3], [4, -5, 6]]; indices [2, 2] (narrower than x on the other axis).
    expect(gatherElements([0, 2, -1, 1], 1).y).toEqual({ shape: [2, 2], data: [-1, -3, 6, -5] });
    expect(gatherElements([1, 0, 0, -1], 0).y).toEqual({ shape: [2, 2], data: [4, 2, -1, -5] });
  });

  it('GatherElements with an index out of range is a range error, not another element', () => {
    expect(() => gatherElements([0, 3, 0, 0], 1)).toThrow(/out of range/);
    expect(() => gatherElements([0, -4, 0, 0], 1)).toThrow(/out of range/);
  });

  it('Mod: fmod = 1 on floats is C fmod; fmod = 0 on floats is refused naming the node', () => {
    const mod = (fmod: number) => run(17, [{ opType: 'Mod', name: 'm', input: ['x', 'z'], output: ['y'], attribute: [{ name: 'fmod', type: INT, i: fmod }] }], { x: [5.5, -5.5, 7, -7, 1, 2], z: [2, 2, -3, -3, 4, 4] }, S);
    expect(mod(1).y!.data).toEqual([1.5, -1.5, 1, -1, 1, 2]);
    expect(() => mod(0)).toThrow(/node "m" \(Mod\): fmod must be 1 for floating-point inputs/);
  });

  it('ReduceMin and ReduceLogSumExp (stable for large values) over axis 1', () => {
    const reduce = (opType: string, x: number[]) => run(18, [{ opType, input: ['x', 'a'], output: ['y'], attribute: [{ name: 'keepdims', type: INT, i: 0 }] }], { x }, S, [i64('a', [1], [1])]).y!;
    expect(reduce('ReduceMin', X)).toEqual({ shape: [2], data: [-3, -5] });
    const lse = reduce('ReduceLogSumExp', [100, 100, 100, 0, 0, 0]).data;
    expect(lse[0]).toBeCloseTo(100 + Math.log(3), 4);
    expect(lse[1]).toBeCloseTo(Math.log(3), 5);
  });
});
