// The -O2 pipeline as a whole: what the seed models lower to, the trace it records, and agreement with the interpreter.
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ALL_PASSES, PIPELINES, runPipeline } from '../../passes/pipeline.ts';
import type { Graph, Node } from '../../src/ir/graph.ts';
import { Rng, randomInputs } from '../codegen/helpers.ts';
import { EXAMPLE_NAMES, buildExample } from '../example-graphs.ts';
import { leafAttention, leafChain } from '../codegen/leaf-graphs.ts';
import { attentionBlock } from './attention-graphs.ts';
import { differ } from './harness.ts';

/** `g` at -O2, verified after every pass. */
async function lower(name: string): Promise<Graph> {
  return runPipeline(await buildExample(name), PIPELINES[2], { verify: true }).graph;
}

/** True when an attention node of `g` reads a constant or a weight directly (the case issue 15 crashed on). */
function readsLeafOtherThanInput(g: Graph): boolean {
  const weights = new Set(g.weights.map((w) => w.id));
  const constants = new Set(g.nodes.filter((n) => n.op === 'constant').map((n) => n.outputs[0]!.id));
  return g.nodes.some((n) => n.op === 'attention' && n.inputs.some((v) => weights.has(v) || constants.has(v)));
}

/** An op name, with `(epilogue)` for contractions that carry one. */
const opOf = (n: Node): string => ((n.op === 'gemm' || n.op === 'matmul') && n.attrs.epilogue ? `${n.op}(epilogue)` : n.op);

describe('the -O2 pipeline on the seed attention models', () => {
  // A reshape that remains is a view: every opgraph value is a contiguous buffer, so it never copies.
  // Transposes, slices and splits do copy, so none may remain; concat is allowed on weights only
  // (the merged QKV weight, computed once when the model is created).
  it.each(['mha-512', 'embedding-mha', 'self-attention'])('examples/%s.ts has one attention node and no copying movement', async (name) => {
    const g = await lower(name);
    expect(g.nodes.filter((n) => n.op === 'attention')).toHaveLength(1);
    expect(g.nodes.filter((n) => ['transpose', 'slice', 'split', 'expand', 'softmax'].includes(n.op)).map(opOf)).toEqual([]);
    const weights = new Set(g.weights.map((w) => w.id));
    for (const c of g.nodes.filter((n) => n.op === 'concat')) expect(c.inputs.every((v) => weights.has(v))).toBe(true);
  });

  it('embedding-mha projects Q, K and V with one gemm three times as wide, then the output gemm', async () => {
    const g = await lower('embedding-mha');
    expect(g.nodes.filter((n) => n.op === 'gemm').map((n) => n.outputs[0]!.type.shape)).toEqual([[1, 10, 3 * 512], [1, 10, 512]]);
    expect(g.nodes.map(opOf)).toEqual(['gather', 'reshape', 'concat', 'concat', 'gemm', 'attention', 'gemm']);
  });

  it('transformer-encoder-layer lowers to gemm, attention, three gemms with epilogues and two layerNorms', async () => {
    // Fails while the packed in_proj is split by a copy kernel (see eliminate-head-reshapes.test.ts).
    const g = await lower('transformer-encoder-layer');
    expect(g.nodes.map(opOf)).toEqual(['gemm', 'attention', 'gemm(epilogue)', 'layerNorm', 'gemm(epilogue)', 'gemm(epilogue)', 'layerNorm']);
  });
});

describe('runPipeline', () => {
  it('traces every pass: node counts before and after, and its notes', async () => {
    const g = await buildExample('self-attention');
    const { graph, trace } = runPipeline(g, PIPELINES[2], { verify: true });
    expect(trace.map((t) => t.pass)).toEqual(PIPELINES[2].map((p) => p.name));
    expect(trace[0]!.nodesBefore).toBe(g.nodes.length);
    trace.forEach((t, i) => {
      expect(t.nodesAfter).toBe(t.graph.nodes.length);
      if (i > 0) expect(t.nodesBefore).toBe(trace[i - 1]!.nodesAfter);
      if (i > 0 && t.notes.length === 0) expect(t.graph).toBe(trace[i - 1]!.graph);
    });
    expect(trace.at(-1)!.graph).toBe(graph);
    expect(trace.map((t) => `${t.pass}: ${t.nodesBefore} -> ${t.nodesAfter}${t.notes.map((n) => `\n  ${n}`).join('')}`).join('\n')).toMatchInlineSnapshot(`
      "shape-inference: 9 -> 9
      dce: 9 -> 9
      simplify-movement: 9 -> 8
        matmul-transposed-b: %7 matmul -> %12
      constant-folding: 8 -> 8
      fold-pad: 8 -> 8
      cse: 8 -> 6
        %4 gemm "linear" is %3
        %5 gemm "linear" is %3
      fuse-layernorm: 6 -> 6
      fuse-gelu: 6 -> 6
      fuse-attention: 6 -> 2
        attention-scaled: %11 matmul -> %13
      fold-contractions: 2 -> 2
      fold-affine: 2 -> 2
      merge-siblings: 2 -> 2
      eliminate-head-reshapes: 2 -> 2
      fuse-epilogues: 2 -> 2
      fuse-elementwise: 2 -> 2
      dce: 2 -> 2"
    `);
  });

  it('names every pass in ALL_PASSES once, each with a test file of its own', () => {
    const names = ALL_PASSES.map((p) => p.name);
    expect(new Set(names).size).toBe(names.length);
    for (const level of [0, 1, 2] as const) for (const p of PIPELINES[level]) expect(ALL_PASSES).toContain(p);
    const files = readdirSync(new URL('.', import.meta.url));
    expect(names.filter((n) => !files.includes(`${n}.test.ts`))).toEqual([]);
  });

  it.each([1, 2] as const)('keeps the results of every example at -O%i', async (level) => {
    const failures: string[] = [];
    for (const name of EXAMPLE_NAMES) {
      const g = await buildExample(name);
      const why = differ(g, runPipeline(g, PIPELINES[level], { verify: true }).graph, randomInputs(g, new Rng(level)));
      if (why) failures.push(`${name}: ${why}`);
    }
    expect(failures).toEqual([]);
  });

  it.each(EXAMPLE_NAMES)('returns the -O2 graph of examples/%s.ts itself when run on it again', async (name) => {
    // Every pass accepts lowered graphs (attention nodes, epilogues, fused kernels) and finds nothing left to do.
    const once = await lower(name);
    const { graph, trace } = runPipeline(once, PIPELINES[2], { verify: true });
    expect(trace.flatMap((t) => t.notes.map((n) => `${t.pass}: ${n}`))).toEqual([]);
    expect(graph).toBe(once);
  });

  it('keeps the results of 240 random graphs with inputs, weights and constants at every operand position (-O2 against -O0)', () => {
    // Issue 15: a constant mask made eliminate-head-reshapes read the first input of a node that has none.
    const failures: string[] = [];
    let leafFed = 0;
    for (const [family, build] of [['leaf attention', leafAttention], ['leaf chain', leafChain]] as const) {
      for (let seed = 1; seed <= 120; seed++) {
        const { graph, inputs } = build(seed);
        try {
          const [o0, o2] = [PIPELINES[0], PIPELINES[2]].map((p) => runPipeline(graph, p, { verify: true }).graph);
          const why = differ(o0!, o2!, inputs);
          if (why) failures.push(`${family} seed ${seed}: ${why}`);
          if (readsLeafOtherThanInput(o2!)) leafFed++;
        } catch (e) {
          failures.push(`${family} seed ${seed}: ${(e as Error).message.split('\n')[0]}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(leafFed, 'attention nodes reading a constant or a weight').toBeGreaterThanOrEqual(20);
  });

  it('keeps the results of 120 random attention blocks at -O2', () => {
    const failures: string[] = [];
    for (let seed = 1; seed <= 120; seed++) {
      const { graph, inputs } = attentionBlock(seed);
      try {
        const why = differ(graph, runPipeline(graph, PIPELINES[2], { verify: true }).graph, inputs);
        if (why) failures.push(`seed ${seed}: ${why}`);
      } catch (e) {
        failures.push(`seed ${seed}: ${(e as Error).message}`);
      }
    }
    expect(failures).toEqual([]);
  });
});
