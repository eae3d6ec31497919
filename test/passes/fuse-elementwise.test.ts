// fuse-elementwise: chains of elementwise ops become one `fused` kernel (after fuse-epilogues); shared pass properties.
import { describe, expect, it } from 'vitest';
import { fuseElementwise } from '../../passes/fuse-elementwise.ts';
import { IRBuilder } from '../../src/ir/builder.ts';
import type { Graph } from '../../src/ir/graph.ts';
import { printGraph } from '../../src/ir/print.ts';
import { tensorType } from '../../src/ir/types.ts';
import { inGroup } from '../../src/ops/table.ts';
import { Rng, randomInputs } from '../codegen/helpers.ts';
import { absorbableLeft, checkPass, describeProperties, prepare, runChecked } from './harness.ts';

const elementwise = (op: Parameters<typeof inGroup>[0]): boolean => inGroup(op, 'elementwise') && op !== 'identity';
const noChainLeft = (g: Graph): void => void expect(absorbableLeft(g, elementwise, false)).toEqual([]);

/** tanh(x * y + z) - x over f32[2,3]: four elementwise ops, each read once. */
function chain4(): Graph {
  const b = new IRBuilder('chain4');
  const [x, y, z] = ['x', 'y', 'z'].map((n) => b.input(n, tensorType('f32', [2, 3])).id);
  const m = b.node('mul', {}, [x!, y!])[0]!.id;
  const t = b.node('tanh', {}, [b.node('add', {}, [m, z!])[0]!.id])[0]!.id;
  b.output('out', b.node('sub', {}, [t, x!])[0]!.id);
  return b.finish();
}

describe('fuse-elementwise', () => {
  it('turns a 4-op chain into one fused node whose program reads each input once', () => {
    const g = chain4();
    const before = prepare(fuseElementwise, g);
    expect(printGraph(before)).toMatchInlineSnapshot(`
      "graph "chain4" {
        input %0: f32[2,3] "x"
        input %1: f32[2,3] "y"
        input %2: f32[2,3] "z"
        %3: f32[2,3] = mul %0 %1
        %4: f32[2,3] = add %3 %2
        %5: f32[2,3] = tanh %4
        %6: f32[2,3] = sub %5 %0
        output "out" = %6
      }
      "
    `);
    const { out, notes } = runChecked(fuseElementwise, before);
    expect(printGraph(out)).toMatchInlineSnapshot(`
      "graph "chain4" {
        input %0: f32[2,3] "x"
        input %1: f32[2,3] "y"
        input %2: f32[2,3] "z"
        %7: f32[2,3] = fused %0 %2 %1 {program: sub(tanh(add(mul($0, $2), $1)), $0)}
        output "out" = %7
      }
      "
    `);
    expect(notes).toMatchInlineSnapshot(`
      [
        "fuse-chain: %6 sub -> %7",
      ]
    `);
    checkPass(fuseElementwise, g, randomInputs(g, new Rng(20)));
  });

  it('stops at a value read twice, a graph output and a broadcasting consumer', () => {
    const b = new IRBuilder('stops');
    const x = b.input('x', tensorType('f32', [3])).id;
    const shared = b.node('exp', {}, [x])[0]!.id;
    const left = b.node('neg', {}, [shared])[0]!.id;
    const right = b.node('abs', {}, [shared])[0]!.id;
    const out = b.node('sigmoid', {}, [left])[0]!.id;
    const wide = b.node('add', {}, [b.node('relu', {}, [right])[0]!.id, b.input('col', tensorType('f32', [2, 1])).id])[0]!.id;
    b.output('out', out);
    b.output('left', left);
    b.output('wide', wide);
    const g = b.finish();
    const { out: fused } = runChecked(fuseElementwise, g);
    expect(fused.nodes.map((n) => n.op)).toEqual(['exp', 'neg', 'sigmoid', 'fused', 'add']);
    checkPass(fuseElementwise, g, randomInputs(g, new Rng(21)));
  });

  it('keeps integer and boolean intermediates exact (where over a comparison)', () => {
    const b = new IRBuilder('ints');
    const [x, y] = ['x', 'y'].map((n) => b.input(n, tensorType('i32', [4])).id);
    const q = b.node('div', {}, [x!, y!])[0]!.id;
    const cond = b.node('less', {}, [q, b.node('neg', {}, [y!])[0]!.id])[0]!.id;
    b.output('out', b.node('where', {}, [b.node('not', {}, [cond])[0]!.id, q, x!])[0]!.id);
    const g = b.finish();
    const { out } = runChecked(fuseElementwise, g);
    expect(out.nodes.map((n) => n.op)).toEqual(['fused']);
    checkPass(fuseElementwise, g, randomInputs(g, new Rng(22)));
  });
});

describeProperties(fuseElementwise, { post: noChainLeft, minChangedAttention: 5 });
