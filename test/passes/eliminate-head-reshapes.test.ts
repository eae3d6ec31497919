// eliminate-head-reshapes: head split/merge views and QKV slices become attention strides (after merge-siblings); shared pass properties.
import { describe, expect, it } from 'vitest';
import { eliminateHeadReshapes } from '../../passes/eliminate-head-reshapes.ts';
import { type Graph, producersOf, usersOf } from '../../src/ir/graph.ts';
import { printGraph } from '../../src/ir/print.ts';
import { Rng, randomInputs } from '../codegen/helpers.ts';
import { buildExample } from '../example-graphs.ts';
import { selfAttention2Heads } from './graphs.ts';
import { checkPass, describeProperties, prepare, runChecked } from './harness.ts';

const RESHAPES = new Set(['reshape', 'squeeze', 'unsqueeze']);

/** The part of the guarantee that always applies: reshapes (pure renamings of a buffer) neither feed nor follow attention. */
function noReshapeAroundAttention(g: Graph): void {
  const prod = producersOf(g);
  const users = usersOf(g);
  const outs = new Set(g.outputs.map((o) => o.id));
  const bad: string[] = [];
  for (const n of g.nodes) {
    if (n.op === 'attention') {
      for (const v of n.inputs) if (prod.has(v) && RESHAPES.has(g.nodes[prod.get(v)!]!.op)) bad.push(`attention %${n.outputs[0]!.id} reads reshape %${v}`);
      const y = n.outputs[0]!.id;
      const readers = users.get(y) ?? [];
      if (!outs.has(y) && readers.length === 1 && RESHAPES.has(g.nodes[readers[0]!]!.op)) bad.push(`attention %${y} is reshaped`);
    }
  }
  expect(bad).toEqual([]);
}

describe('eliminate-head-reshapes', () => {
  it('turns head split, head merge and the merged-QKV slices into strided q/k/v/out accesses', () => {
    const g = selfAttention2Heads();
    const before = prepare(eliminateHeadReshapes, g);
    expect(printGraph(before)).toMatchInlineSnapshot(`
      "graph "self_attention_2h" {
        input %0: f32[1,3,4] "x"
        weight %1: f32[4,4] "q.weight"
        weight %2: f32[4] "q.bias"
        weight %6: f32[4,4] "k.weight"
        weight %7: f32[4] "k.bias"
        weight %11: f32[4,4] "v.weight"
        weight %12: f32[4] "v.bias"
        %28: f32[12,4] = concat %1 %6 %11 {axis: 0}  # "q+k+v"
        %29: f32[12] = concat %2 %7 %12 {axis: 0}  # "q+k+v"
        %30: f32[1,3,12] = gemm %0 %28 %29 {alpha: 1, beta: 1, transA: false, transB: true}  # "q+k+v"
        %31: f32[1,3,4] = slice %30 {axes: [-1], ends: [4], starts: [0], steps: [1]}  # "q"
        %32: f32[1,3,4] = slice %30 {axes: [-1], ends: [8], starts: [4], steps: [1]}  # "k"
        %33: f32[1,3,4] = slice %30 {axes: [-1], ends: [12], starts: [8], steps: [1]}  # "v"
        %4: f32[1,3,2,2] = reshape %31 {shape: [1,3,2,2]}
        %5: f32[1,2,3,2] = transpose %4 {perm: [0,2,1,3]}
        %9: f32[1,3,2,2] = reshape %32 {shape: [1,3,2,2]}
        %14: f32[1,3,2,2] = reshape %33 {shape: [1,3,2,2]}
        %15: f32[1,2,3,2] = transpose %14 {perm: [0,2,1,3]}
        %25: f32[1,2,3,2] = transpose %9 {perm: [0,2,1,3]}
        %27: f32[1,2,3,2] = attention %5 %25 %15 {batch: 1, causal: false, headDim: 2, heads: 2, k: {offset: 0, strides: [12,6,2,1]}, out: {offset: 0, shape: [1,2,3,2], strides: [12,6,2,1]}, q: {offset: 0, strides: [12,6,2,1]}, scale: 0.7071067690849304, seqK: 3, seqQ: 3, v: {offset: 0, strides: [12,6,2,1]}, valueDim: 2, weights: false}
        %22: f32[1,3,2,2] = transpose %27 {perm: [0,2,1,3]}
        %23: f32[1,3,4] = reshape %22 {shape: [1,3,4]}
        output "y" = %23
      }
      "
    `);
    const { out, notes } = runChecked(eliminateHeadReshapes, before);
    expect(printGraph(out)).toMatchInlineSnapshot(`
      "graph "self_attention_2h" {
        input %0: f32[1,3,4] "x"
        weight %1: f32[4,4] "q.weight"
        weight %2: f32[4] "q.bias"
        weight %6: f32[4,4] "k.weight"
        weight %7: f32[4] "k.bias"
        weight %11: f32[4,4] "v.weight"
        weight %12: f32[4] "v.bias"
        %28: f32[12,4] = concat %1 %6 %11 {axis: 0}  # "q+k+v"
        %29: f32[12] = concat %2 %7 %12 {axis: 0}  # "q+k+v"
        %30: f32[1,3,12] = gemm %0 %28 %29 {alpha: 1, beta: 1, transA: false, transB: true}  # "q+k+v"
        %44: f32[1,3,4] = attention %30 %30 %30 {batch: 1, causal: false, headDim: 2, heads: 2, k: {offset: 4, strides: [36,2,12,1]}, out: {offset: 0, shape: [1,3,4], strides: [12,2,4,1]}, q: {offset: 0, strides: [36,2,12,1]}, scale: 0.7071067690849304, seqK: 3, seqQ: 3, v: {offset: 8, strides: [36,2,12,1]}, valueDim: 2, weights: false}
        output "y" = %44
      }
      "
    `);
    expect(notes).toMatchInlineSnapshot(`
      [
        "attention-reads-through-view: %27 attention -> %34",
        "attention-writes-through-view: %22 transpose -> %35",
        "attention-writes-through-view: %23 reshape -> %36",
        "attention-reads-through-view: %36 attention -> %37",
        "attention-reads-through-view: %37 attention -> %38",
        "attention-reads-through-view: %38 attention -> %39",
        "attention-reads-through-view: %39 attention -> %40",
        "attention-reads-through-view: %40 attention -> %41",
        "attention-reads-through-view: %41 attention -> %42",
        "attention-reads-through-view: %42 attention -> %43",
        "attention-reads-through-view: %43 attention -> %44",
      ]
    `);
    expect(out.nodes.map((n) => n.op)).toEqual(['concat', 'concat', 'gemm', 'attention']);
    checkPass(eliminateHeadReshapes, g, randomInputs(g, new Rng(13)));
  });

  it('reads the chunks of a packed in_proj (split, as PyTorch MHA writes it) through offsets', async () => {
    // GAP: `split` is not among the views the pass reads through, so nn.TransformerEncoderLayer keeps
    // a copy kernel splitting the packed QKV projection in three (see the pipeline test).
    const g = await buildExample('transformer-encoder-layer');
    const { out } = runChecked(eliminateHeadReshapes, prepare(eliminateHeadReshapes, g));
    const attention = out.nodes.find((n) => n.op === 'attention')!;
    const producers = attention.inputs.map((v) => out.nodes.find((n) => n.outputs.some((o) => o.id === v))?.op);
    expect(producers).toEqual(['gemm', 'gemm', 'gemm']);
  });
});

describeProperties(eliminateHeadReshapes, { post: noReshapeAroundAttention, minChangedAttention: 30 });
