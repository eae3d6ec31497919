// fuse-epilogues: bias, residual, scale and activation after a gemm/matmul run in its store (after fuse-attention); shared pass properties.
import { describe, expect, it } from 'vitest';
import { fuseEpilogues } from '../../passes/fuse-elementwise.ts';
import { IRBuilder } from '../../src/ir/builder.ts';
import type { Graph, ValueId } from '../../src/ir/graph.ts';
import { printGraph } from '../../src/ir/print.ts';
import { f32 } from '../../src/ir/tensor.ts';
import { tensorType } from '../../src/ir/types.ts';
import { Rng, randomInputs } from '../codegen/helpers.ts';
import { absorbableLeft, checkPass, describeProperties, prepare, runChecked, weightData } from './harness.ts';

const contraction = (op: string): boolean => op === 'matmul' || op === 'gemm';
const noEpilogueLeft = (g: Graph): void => void expect(absorbableLeft(g, contraction, true)).toEqual([]);

/** relu(gemm(x, W^T, b) + residual): the feed-forward / post-attention shape of a transformer. */
function gemmResidualRelu(): Graph {
  const b = new IRBuilder('gemm_residual_relu');
  const x = b.input('x', tensorType('f32', [3, 4])).id;
  const residual = b.input('residual', tensorType('f32', [3, 5])).id;
  const w = b.weight('w', tensorType('f32', [5, 4]), weightData([5, 4], 14)).id;
  const bias = b.weight('b', tensorType('f32', [5]), weightData([5], 15)).id;
  const y = b.node('gemm', { transA: false, transB: true, alpha: 1, beta: 1 }, [x, w, bias], 'linear')[0]!.id;
  b.output('y', b.node('relu', {}, [b.node('add', {}, [y, residual])[0]!.id])[0]!.id);
  return b.finish();
}

describe('fuse-epilogues', () => {
  it('turns gemm + add(residual) + relu into one gemm with an epilogue program', () => {
    const g = gemmResidualRelu();
    const before = prepare(fuseEpilogues, g);
    expect(printGraph(before)).toMatchInlineSnapshot(`
      "graph "gemm_residual_relu" {
        input %0: f32[3,4] "x"
        input %1: f32[3,5] "residual"
        weight %2: f32[5,4] "w"
        weight %3: f32[5] "b"
        %4: f32[3,5] = gemm %0 %2 %3 {alpha: 1, beta: 1, transA: false, transB: true}  # "linear"
        %5: f32[3,5] = add %4 %1
        %6: f32[3,5] = relu %5
        output "y" = %6
      }
      "
    `);
    const { out, notes } = runChecked(fuseEpilogues, before);
    expect(printGraph(out)).toMatchInlineSnapshot(`
      "graph "gemm_residual_relu" {
        input %0: f32[3,4] "x"
        input %1: f32[3,5] "residual"
        weight %2: f32[5,4] "w"
        weight %3: f32[5] "b"
        %8: f32[3,5] = gemm %0 %2 %3 %1 {alpha: 1, beta: 1, epilogue: relu(add($0, $1)), transA: false, transB: true}  # "linear"
        output "y" = %8
      }
      "
    `);
    expect(notes).toMatchInlineSnapshot(`
      [
        "epilogue: %5 add -> %7",
        "epilogue: %6 relu -> %8",
      ]
    `);
    checkPass(fuseEpilogues, g, randomInputs(g, new Rng(16)));
  });

  it('fuses bias, scale and gelu after a batched matmul, the constant becoming an extra input', () => {
    const b = new IRBuilder('matmul_chain');
    const x = b.input('x', tensorType('f32', [2, 3, 4])).id;
    // B batched too: with an unbatched B, fold-contractions makes this a gemm with the bias as C.
    const w = b.weight('w', tensorType('f32', [2, 4, 6]), weightData([2, 4, 6], 17)).id;
    const bias = b.weight('b', tensorType('f32', [6]), weightData([6], 18)).id;
    const half = b.node('constant', { value: f32([], [0.5]) }, [])[0]!.id;
    let y: ValueId = b.node('matmul', { transA: false, transB: false }, [x, w])[0]!.id;
    y = b.node('mul', {}, [b.node('add', {}, [y, bias])[0]!.id, half])[0]!.id;
    b.output('y', b.node('gelu', { approximate: 'tanh' }, [y])[0]!.id);
    const g = b.finish();
    const { out } = runChecked(fuseEpilogues, prepare(fuseEpilogues, g));
    expect(out.nodes.map((n) => n.op)).toEqual(['constant', 'matmul']);
    const mm = out.nodes[1]!;
    expect(mm.op === 'matmul' && mm.attrs.epilogue?.steps.map((s) => s.op)).toEqual(['add', 'mul', 'gelu']);
    checkPass(fuseEpilogues, g, randomInputs(g, new Rng(19)));
  });

  it('leaves a contraction result alone when something else reads it, or the consumer broadcasts it', () => {
    const b = new IRBuilder('shared');
    const x = b.input('x', tensorType('f32', [3, 4])).id;
    const w = b.input('w', tensorType('f32', [4, 1])).id;
    const y = b.node('matmul', { transA: false, transB: false }, [x, w])[0]!.id;
    const z = b.node('matmul', { transA: false, transB: false }, [x, w])[0]!.id;
    b.output('a', b.node('relu', {}, [y])[0]!.id);
    b.output('y', y);
    b.output('wide', b.node('add', {}, [z, b.input('row', tensorType('f32', [3, 5])).id])[0]!.id);
    const g = b.finish();
    expect(runChecked(fuseEpilogues, g).out).toBe(g);
  });
});

describeProperties(fuseEpilogues, { post: noEpilogueLeft, minChangedAttention: 40 });
