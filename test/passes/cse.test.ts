// cse: the shared-Linear self-attention computes its projection once; equal constants merge; shared pass properties.
import { describe, expect, it } from 'vitest';
import { commonSubexpressionElimination as cse } from '../../passes/cse.ts';
import { IRBuilder } from '../../src/ir/builder.ts';
import type { Graph } from '../../src/ir/graph.ts';
import { formatAttrs, printGraph } from '../../src/ir/print.ts';
import { f32 } from '../../src/ir/tensor.ts';
import { tensorType } from '../../src/ir/types.ts';
import { Rng, randomInputs } from '../codegen/helpers.ts';
import { buildExample } from '../example-graphs.ts';
import { checkPass, describeProperties, runChecked } from './harness.ts';

/** No two nodes compute the same op with the same attributes from the same inputs. */
function noDuplicates(g: Graph): void {
  const seen = new Map<string, number>();
  for (const n of g.nodes) {
    const key = `${n.op}|${formatAttrs(n.attrs)}|${n.inputs.join(',')}`;
    expect(seen.get(key), `%${n.outputs[0]?.id} (${n.op}) repeats %${seen.get(key)}`).toBeUndefined();
    seen.set(key, n.outputs[0]?.id ?? -1);
  }
}

/** Constants equal in type and data, one differing in shape, and duplicates only visible after merging. */
function constants(): Graph {
  const b = new IRBuilder('constants');
  const x = b.input('x', tensorType('f32', [2])).id;
  const c = (shape: number[]) => b.node('constant', { value: f32(shape, [0.5, 2].slice(0, shape[0] ?? 1)) }, [])[0]!.id;
  const [c1, c2, c3] = [c([2]), c([2]), c([1])];
  const a1 = b.node('mul', {}, [x, c1])[0]!.id;
  const a2 = b.node('mul', {}, [x, c2])[0]!.id;
  const r1 = b.node('relu', {}, [a1])[0]!.id;
  const r2 = b.node('relu', {}, [a2])[0]!.id;
  b.output('y', b.node('add', {}, [b.node('add', {}, [r1, r2])[0]!.id, c3])[0]!.id);
  return b.finish();
}

describe('cse', () => {
  it('computes the shared nn.Linear of the seed self-attention once', async () => {
    const g = await buildExample('self-attention');
    expect(printGraph(g)).toMatchInlineSnapshot(`
      "graph "self_attention" {
        input %0: f32[2,3,4] "x"
        weight %1: f32[4,4] "linear.weight"
        weight %2: f32[4] "linear.bias"
        %3: f32[2,3,4] = gemm %0 %1 %2 {alpha: 1, beta: 1, transA: false, transB: true}  # "linear"
        %4: f32[2,3,4] = gemm %0 %1 %2 {alpha: 1, beta: 1, transA: false, transB: true}  # "linear"
        %5: f32[2,3,4] = gemm %0 %1 %2 {alpha: 1, beta: 1, transA: false, transB: true}  # "linear"
        %6: f32[2,4,3] = transpose %4 {perm: [0,2,1]}
        %7: f32[2,3,3] = matmul %3 %6 {transA: false, transB: false}
        %8: f32[] = constant {value: f32[](2)}
        %9: f32[2,3,3] = div %7 %8
        %10: f32[2,3,3] = softmax %9 {axis: -1}
        %11: f32[2,3,4] = matmul %10 %5 {transA: false, transB: false}
        output "output" = %11
      }
      "
    `);
    const { out, notes } = runChecked(cse, g);
    expect(printGraph(out)).toMatchInlineSnapshot(`
      "graph "self_attention" {
        input %0: f32[2,3,4] "x"
        weight %1: f32[4,4] "linear.weight"
        weight %2: f32[4] "linear.bias"
        %3: f32[2,3,4] = gemm %0 %1 %2 {alpha: 1, beta: 1, transA: false, transB: true}  # "linear"
        %6: f32[2,4,3] = transpose %3 {perm: [0,2,1]}
        %7: f32[2,3,3] = matmul %3 %6 {transA: false, transB: false}
        %8: f32[] = constant {value: f32[](2)}
        %9: f32[2,3,3] = div %7 %8
        %10: f32[2,3,3] = softmax %9 {axis: -1}
        %11: f32[2,3,4] = matmul %10 %3 {transA: false, transB: false}
        output "output" = %11
      }
      "
    `);
    expect(notes).toEqual(['%4 gemm "linear" is %3', '%5 gemm "linear" is %3']);
    checkPass(cse, g, randomInputs(g, new Rng(2)));
  });

  it('merges equal constants, then the duplicates that exposes, but not constants of another shape', () => {
    const g = constants();
    const { out } = runChecked(cse, g);
    expect(printGraph(out)).toMatchInlineSnapshot(`
      "graph "constants" {
        input %0: f32[2] "x"
        %1: f32[2] = constant {value: f32[2](0.5, 2)}
        %3: f32[1] = constant {value: f32[1](0.5)}
        %4: f32[2] = mul %0 %1
        %6: f32[2] = relu %4
        %8: f32[2] = add %6 %6
        %9: f32[2] = add %8 %3
        output "y" = %9
      }
      "
    `);
    checkPass(cse, g, randomInputs(g, new Rng(3)));
  });

  it('keeps nodes that differ only in attributes', () => {
    const b = new IRBuilder('attrs');
    const x = b.input('x', tensorType('f32', [3, 3])).id;
    const p = b.node('matmul', { transA: false, transB: false }, [x, x])[0]!.id;
    const q = b.node('matmul', { transA: false, transB: true }, [x, x])[0]!.id;
    b.output('y', b.node('sub', {}, [p, q])[0]!.id);
    const g = b.finish();
    expect(runChecked(cse, g).out).toBe(g);
  });
});

describeProperties(cse, { post: noDuplicates });
