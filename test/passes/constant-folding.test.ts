// constant-folding: subexpressions of constants become literals, up to FOLD_LIMIT elements; shared pass properties.
import { describe, expect, it } from 'vitest';
import { FOLD_LIMIT, constantFolding } from '../../passes/constant-folding.ts';
import { IRBuilder } from '../../src/ir/builder.ts';
import type { Graph, Node } from '../../src/ir/graph.ts';
import { printGraph } from '../../src/ir/print.ts';
import { f32, tensor, toNumbers } from '../../src/ir/tensor.ts';
import { numel, tensorType } from '../../src/ir/types.ts';
import { Rng, randomInputs } from '../codegen/helpers.ts';
import { checkPass, describeProperties, runChecked } from './harness.ts';

/** No node but a constant reads only constants, unless its result is too big to fold. */
function nothingFoldable(g: Graph): void {
  const constant = new Set(g.nodes.filter((n) => n.op === 'constant').flatMap((n) => n.outputs.map((o) => o.id)));
  const foldable = (n: Node): boolean =>
    n.op !== 'constant' && n.inputs.length > 0 && n.inputs.every((v) => constant.has(v)) && n.outputs.every((o) => numel(o.type.shape) <= FOLD_LIMIT);
  expect(g.nodes.filter(foldable).map((n) => `%${n.outputs[0]!.id} (${n.op})`)).toEqual([]);
}

/** y = x * sqrt([1, 3] + 4) - reduceSum([1, 3]): the constant subexpressions fold, x stays. */
function scaled(): Graph {
  const b = new IRBuilder('scaled');
  const x = b.input('x', tensorType('f32', [3, 2])).id;
  const c = b.node('constant', { value: f32([2], [1, 3]) }, [])[0]!.id;
  const four = b.node('constant', { value: f32([], [4]) }, [])[0]!.id;
  const root = b.node('sqrt', {}, [b.node('add', {}, [c, four])[0]!.id])[0]!.id;
  const sum = b.node('reduceSum', { axes: [], keepDims: false }, [c])[0]!.id;
  b.output('y', b.node('sub', {}, [b.node('mul', {}, [x, root])[0]!.id, sum])[0]!.id);
  return b.finish();
}

describe('constant-folding', () => {
  it('folds each constant subexpression to a literal and drops the constants nothing reads', () => {
    const g = scaled();
    expect(printGraph(g)).toMatchInlineSnapshot(`
      "graph "scaled" {
        input %0: f32[3,2] "x"
        %1: f32[2] = constant {value: f32[2](1, 3)}
        %2: f32[] = constant {value: f32[](4)}
        %3: f32[2] = add %1 %2
        %4: f32[2] = sqrt %3
        %5: f32[] = reduceSum %1 {axes: [], keepDims: false}
        %6: f32[3,2] = mul %0 %4
        %7: f32[3,2] = sub %6 %5
        output "y" = %7
      }
      "
    `);
    const { out, notes } = runChecked(constantFolding, g);
    expect(printGraph(out)).toMatchInlineSnapshot(`
      "graph "scaled" {
        input %0: f32[3,2] "x"
        %10: f32[2] = constant {value: f32[2](2.2360680103302, 2.6457512378692627)}
        %9: f32[] = constant {value: f32[](4)}
        %6: f32[3,2] = mul %0 %10
        %7: f32[3,2] = sub %6 %9
        output "y" = %7
      }
      "
    `);
    expect(notes).toMatchInlineSnapshot(`
      [
        "folded %3 add",
        "folded %5 reduceSum",
        "folded %4 sqrt",
      ]
    `);
    checkPass(constantFolding, g, randomInputs(g, new Rng(4)));
  });

  it(`keeps a node whose result exceeds FOLD_LIMIT (${FOLD_LIMIT}) elements as code`, () => {
    const b = new IRBuilder('big');
    const one = b.node('constant', { value: f32([], [1]) }, [])[0]!.id;
    const big = b.node('expand', { shape: [FOLD_LIMIT + 1] }, [one])[0]!.id;
    const small = b.node('expand', { shape: [FOLD_LIMIT] }, [one])[0]!.id;
    b.output('big', big);
    b.output('small', small);
    const { out } = runChecked(constantFolding, b.finish());
    expect(out.nodes.map((n) => n.op)).toEqual(['constant', 'expand', 'constant']);
    const folded = out.nodes[2]!;
    expect(folded.op === 'constant' && toNumbers(folded.attrs.value).every((v) => v === 1)).toBe(true);
  });

  it('folds integer shape arithmetic exactly', () => {
    const b = new IRBuilder('ints');
    const x = b.input('x', tensorType('i32', [3])).id;
    const c = b.node('constant', { value: tensor('i32', [3], [7, -7, 9]) }, [])[0]!.id;
    const two = b.node('constant', { value: tensor('i32', [], [2]) }, [])[0]!.id;
    b.output('y', b.node('add', {}, [x, b.node('div', {}, [c, two])[0]!.id])[0]!.id);
    const g = b.finish();
    const { out } = runChecked(constantFolding, g);
    const folded = out.nodes.find((n) => n.op === 'constant')!;
    expect(folded.op === 'constant' && [...folded.attrs.value.data]).toEqual([3, -3, 4]);
    checkPass(constantFolding, g, randomInputs(g, new Rng(5)));
  });
});

describeProperties(constantFolding, { post: nothingFoldable });
