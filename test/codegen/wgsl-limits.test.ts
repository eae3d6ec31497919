// The WGSL kernels stay inside WebGPU's default limits for any shape: at most 256 invocations
// and 16 KiB of workgroup memory per workgroup, at most 65535 workgroups per dispatch dimension,
// and a barrier only where the whole workgroup reaches it; and no invocation declares a private
// array beyond PRIVATE_WORDS (model-sized state lives in the kernel's scratch in `mem`). Checked
// on the generated shader text, so it needs no GPU (the values themselves are checked by
// `npm run test:wgsl`).
import { describe, expect, it } from 'vitest';
import { generateWgsl } from '../../src/codegen/wgsl/index.ts';
import type { Graph } from '../../src/ir/graph.ts';
import { tensorType } from '../../src/ir/types.ts';
import { VALUE_CASES, oneNodeGraph, recurrentGraph } from './helpers.ts';

const WORDS = { f32: 4, i32: 4, u32: 4 } as const;

/**
 * Most words of private (function-scope) arrays one invocation may declare: register blocks and
 * small tiles. GPUs keep private arrays in registers; beyond a few dozen words they spill to slow
 * memory or fail to compile.
 */
const PRIVATE_WORDS = 64;

/** Words of private arrays a shader declares per invocation. */
function privateWords(code: string): number {
  return [...code.matchAll(/var \w+: array<(?:f32|i32|u32), (\d+)>/g)].reduce((s, m) => s + Number(m[1]), 0);
}

/** Invocations per workgroup and bytes of workgroup memory a shader declares. */
function usage(code: string): { size: number; shared: number } {
  const size = Number(/@workgroup_size\((\d+)\)/.exec(code)![1]);
  const shared = [...code.matchAll(/var<workgroup> \w+: array<(f32|i32|u32), (\d+)>/g)].reduce((s, m) => s + WORDS[m[1] as keyof typeof WORDS] * Number(m[2]), 0);
  return { size, shared };
}

/** Every limit a kernel of `graph` breaks, as readable lines (the private bound unless `checkPrivate` is false). */
function limitBreaks(graph: Graph, checkPrivate = true): string[] {
  const out: string[] = [];
  for (const k of generateWgsl(graph).kernels) {
    const { size, shared } = usage(k.code);
    if (size > 256) out.push(`${k.name}: workgroup size ${size}`);
    if (shared > 16384) out.push(`${k.name}: ${shared} bytes of workgroup memory`);
    if (k.dispatch.some((d) => d > 65535)) out.push(`${k.name}: dispatch ${k.dispatch.join('x')}`);
    if (checkPrivate && privateWords(k.code) > PRIVATE_WORDS) out.push(`${k.name}: ${privateWords(k.code)} words of private arrays`);
    // A barrier after an early return of some invocations would be non-uniform.
    const body = k.code.slice(k.code.indexOf('fn main'));
    if (body.includes('workgroupBarrier') && /gidx >= \d+u\) \{ return; \}/.test(body)) out.push(`${k.name}: barrier after a per-invocation return`);
  }
  return out;
}

const f = (shape: number[]) => tensorType('f32', shape);
const NN = { transA: false, transB: false };

describe('WGSL kernels stay inside the default WebGPU limits', () => {
  it('for every op case', () => {
    // Attention is the one kernel still outside the private bound: a query row and its accumulator
    // (head-dim sized) are private arrays of each invocation.
    expect(VALUE_CASES.flatMap((c) => limitBreaks(oneNodeGraph(c.name, c.op, c.attrs, c.inputs), c.op !== 'attention'))).toEqual([]);
  });

  it.each([
    [1, 1, 1], [1, 5000, 3], [5000, 1, 3], [3, 3, 100000], [257, 129, 65], [2048, 2048, 2048], [100000, 8, 8],
  ])('matmul %i x %i over k = %i', (m, n, k) => {
    expect(limitBreaks(oneNodeGraph('mm', 'matmul', NN, [f([m, k]), f([k, n])]))).toEqual([]);
  });

  it('a large matmul uses 16 x 16 invocations and 8 KiB of staged tiles', () => {
    const [k] = generateWgsl(oneNodeGraph('mm', 'matmul', NN, [f([512, 512]), f([512, 512])])).kernels;
    expect(usage(k!.code)).toEqual({ size: 256, shared: 8192 });
    expect(k!.dispatch).toEqual([64, 1]);
  });

  it('a matmul with more than 65535 tiles spreads them over two dispatch dimensions', () => {
    const g = oneNodeGraph('mm', 'matmul', NN, [f([70000, 2, 1]), f([70000, 1, 2])]);
    expect(limitBreaks(g)).toEqual([]);
    expect(generateWgsl(g).kernels[0]!.dispatch).toEqual([65535, 2]);
  });

  it.each([[1, 1], [64, 64], [128, 512], [1000, 1048], [2049, 1], [4000, 4000]])('attention with head dims %i and %i', (hd, dv) => {
    const a = {
      batch: 1, heads: 2, seqQ: 100, seqK: 90, headDim: hd, valueDim: dv, scale: 1, causal: false, weights: false,
      q: { offset: 0, strides: [200 * hd, 100 * hd, hd, 1] }, k: { offset: 0, strides: [180 * hd, 90 * hd, hd, 1] },
      v: { offset: 0, strides: [180 * dv, 90 * dv, dv, 1] }, out: { offset: 0, strides: [200 * dv, 100 * dv, dv, 1], shape: [1, 2, 100, dv] },
    };
    expect(limitBreaks(oneNodeGraph('attn', 'attention', a, [f([1, 2, 100, hd]), f([1, 2, 90, hd]), f([1, 2, 90, dv])]), false)).toEqual([]);
  });

  it.each([[3, 100000], [100000, 3], [70000, 64]])('softmax, layerNorm and reductions over %i rows of %i', (rows, len) => {
    const x = [f([rows, len])];
    const graphs = [
      oneNodeGraph('sm', 'softmax', { axis: -1 }, x),
      oneNodeGraph('ln', 'layerNorm', { axis: -1, epsilon: 1e-5 }, x),
      oneNodeGraph('rs', 'reduceSum', { axes: [1], keepDims: false }, x),
      oneNodeGraph('rm', 'reduceMax', { axes: [0], keepDims: false }, x),
    ];
    expect(graphs.flatMap((g) => limitBreaks(g))).toEqual([]);
  });

  it.each([
    ['lstm', 64, 1, 128, 256, 'forward'], ['lstm', 64, 8, 64, 256, 'bidirectional'], ['gru', 64, 4, 32, 512, 'reverse'], ['rnn', 200, 2, 16, 1024, 'forward'],
  ] as const)('%s and its gradient over T = %i, batch %i, I = %i, H = %i, %s', (op, T, B, I, H, direction) => {
    expect([false, true].flatMap((grad) => limitBreaks(recurrentGraph(op, { T, B, I, H, direction }, grad)))).toEqual([]);
  });

  it('lstmGrad over T = 64, H = 256 keeps its recorded forward pass in scratch words of mem', () => {
    const p = generateWgsl(recurrentGraph('lstm', { T: 64, B: 1, I: 256, H: 256, direction: 'forward' }, true));
    const [k] = p.kernels;
    expect(privateWords(k!.code)).toBe(0);
    const scratch = p.plan.storages[[...p.plan.scratch.values()][0]!]!;
    // Gates (T x 4H), hidden and cell states ((T + 1) x H each), four 4H and three H step arrays.
    expect(scratch.length).toBe(64 * 4 * 256 + 2 * 65 * 256 + 4 * 4 * 256 + 3 * 256);
    expect(p.words).toBeGreaterThanOrEqual(scratch.length);
  });
});
