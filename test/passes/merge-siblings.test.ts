// merge-siblings: Q/K/V projections of one input become one gemm over concatenated weights (after fuse-attention and CSE); shared pass properties.
import { describe, expect, it } from 'vitest';
import { mergeSiblings } from '../../passes/merge-siblings.ts';
import { IRBuilder } from '../../src/ir/builder.ts';
import { type Graph, type ValueId, usersOf } from '../../src/ir/graph.ts';
import { printGraph } from '../../src/ir/print.ts';
import { tensorType } from '../../src/ir/types.ts';
import { Rng, randomInputs } from '../codegen/helpers.ts';
import { selfAttention2Heads } from './graphs.ts';
import { checkPass, describeProperties, prepare, runChecked, weightData } from './harness.ts';

/** The header's guarantee: no two mergeable gemms (same A and attributes, weight B and bias, results only reaching attention) remain. */
function noSiblingsLeft(g: Graph): void {
  const users = usersOf(g);
  const weights = new Map(g.weights.map((w) => [w.id, w]));
  const outs = new Set(g.outputs.map((o) => o.id));
  const through = new Set(['reshape', 'transpose', 'squeeze', 'unsqueeze']);
  const onlyAttention = (v: ValueId): boolean => {
    const readers = (users.get(v) ?? []).map((i) => g.nodes[i]!);
    return !outs.has(v) && readers.length > 0 && readers.every((n) => n.op === 'attention' || (through.has(n.op) && onlyAttention(n.outputs[0]!.id)));
  };
  const groups = new Map<string, number>();
  for (const n of g.nodes) {
    if (n.op !== 'gemm' || n.attrs.transA || n.attrs.epilogue || !weights.has(n.inputs[1]!)) continue;
    const c = n.inputs[2];
    if (c !== undefined && (!weights.has(c) || weights.get(c)!.type.shape.length !== 1)) continue;
    if (!onlyAttention(n.outputs[0]!.id)) continue;
    const key = `${n.inputs[0]}|${n.attrs.transB}|${n.attrs.alpha}|${n.attrs.beta}|${c !== undefined}`;
    groups.set(key, (groups.get(key) ?? 0) + 1);
  }
  expect([...groups].filter(([, count]) => count > 1)).toEqual([]);
}

describe('merge-siblings', () => {
  it('merges the Q/K/V projections of a self-attention into one gemm and three slices', () => {
    const g = selfAttention2Heads();
    const before = prepare(mergeSiblings, g);
    expect(printGraph(before)).toMatchInlineSnapshot(`
      "graph "self_attention_2h" {
        input %0: f32[1,3,4] "x"
        weight %1: f32[4,4] "q.weight"
        weight %2: f32[4] "q.bias"
        weight %6: f32[4,4] "k.weight"
        weight %7: f32[4] "k.bias"
        weight %11: f32[4,4] "v.weight"
        weight %12: f32[4] "v.bias"
        %3: f32[1,3,4] = gemm %0 %1 %2 {alpha: 1, beta: 1, transA: false, transB: true}  # "q"
        %4: f32[1,3,2,2] = reshape %3 {shape: [1,3,2,2]}
        %5: f32[1,2,3,2] = transpose %4 {perm: [0,2,1,3]}
        %8: f32[1,3,4] = gemm %0 %6 %7 {alpha: 1, beta: 1, transA: false, transB: true}  # "k"
        %9: f32[1,3,2,2] = reshape %8 {shape: [1,3,2,2]}
        %13: f32[1,3,4] = gemm %0 %11 %12 {alpha: 1, beta: 1, transA: false, transB: true}  # "v"
        %14: f32[1,3,2,2] = reshape %13 {shape: [1,3,2,2]}
        %15: f32[1,2,3,2] = transpose %14 {perm: [0,2,1,3]}
        %25: f32[1,2,3,2] = transpose %9 {perm: [0,2,1,3]}
        %27: f32[1,2,3,2] = attention %5 %25 %15 {batch: 1, causal: false, headDim: 2, heads: 2, k: {offset: 0, strides: [12,6,2,1]}, out: {offset: 0, shape: [1,2,3,2], strides: [12,6,2,1]}, q: {offset: 0, strides: [12,6,2,1]}, scale: 0.7071067690849304, seqK: 3, seqQ: 3, v: {offset: 0, strides: [12,6,2,1]}, valueDim: 2, weights: false}
        %22: f32[1,3,2,2] = transpose %27 {perm: [0,2,1,3]}
        %23: f32[1,3,4] = reshape %22 {shape: [1,3,4]}
        output "y" = %23
      }
      "
    `);
    const { out, notes } = runChecked(mergeSiblings, before);
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
    expect(notes).toMatchInlineSnapshot(`
      [
        "merged %3 gemm "q", %8 gemm "k", %13 gemm "v"",
      ]
    `);
    checkPass(mergeSiblings, g, randomInputs(g, new Rng(11)));
  });

  it('leaves a projection alone when its result is also read outside attention', () => {
    const b = new IRBuilder('escapes');
    const x = b.input('x', tensorType('f32', [3, 4])).id;
    const linear = (seed: number): ValueId =>
      b.node('gemm', { transA: false, transB: true, alpha: 1, beta: 1 }, [x, b.weight(`w${seed}`, tensorType('f32', [4, 4]), weightData([4, 4], seed)).id])[0]!.id;
    const [q, k, v] = [linear(1), linear(2), linear(3)];
    const p = b.node('softmax', { axis: -1 }, [b.node('matmul', { transA: false, transB: true }, [q, k])[0]!.id])[0]!.id;
    b.output('y', b.node('matmul', { transA: false, transB: false }, [p, v])[0]!.id);
    b.output('v', v);
    const g = b.finish();
    const { out } = runChecked(mergeSiblings, prepare(mergeSiblings, g));
    const gemms = out.nodes.filter((n) => n.op === 'gemm');
    expect(gemms.map((n) => n.outputs[0]!.type.shape)).toEqual([[3, 8], [3, 4]]);
    checkPass(mergeSiblings, g, randomInputs(g, new Rng(12)));
  });
});

describeProperties(mergeSiblings, { post: noSiblingsLeft, minChangedAttention: 40 });
