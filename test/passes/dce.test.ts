// dce: removes nodes no output depends on, keeps the graph's interface; shared pass properties.
import { describe, expect, it } from 'vitest';
import { deadCodeElimination } from '../../passes/dce.ts';
import { IRBuilder } from '../../src/ir/builder.ts';
import type { Graph } from '../../src/ir/graph.ts';
import { printGraph } from '../../src/ir/print.ts';
import { f32 } from '../../src/ir/tensor.ts';
import { tensorType } from '../../src/ir/types.ts';
import { Rng, randomInputs } from '../codegen/helpers.ts';
import { checkPass, describeProperties, runChecked, weightData } from './harness.ts';

/** y = exp(x); a dead chain relu -> neg, a dead constant, a dead matmul, an unused weight and input. */
function withDeadCode(): Graph {
  const b = new IRBuilder('dead');
  const x = b.input('x', tensorType('f32', [2, 3])).id;
  b.input('unused', tensorType('f32', [1]));
  const w = b.weight('w', tensorType('f32', [3, 3]), weightData([3, 3], 1)).id;
  b.weight('spare', tensorType('f32', [2]), weightData([2], 2));
  b.node('neg', {}, [b.node('relu', {}, [x])[0]!.id]);
  b.node('constant', { value: f32([2], [1, 2]) }, []);
  const y = b.node('exp', {}, [x])[0]!.id;
  b.node('matmul', { transA: false, transB: false }, [y, w]);
  b.output('y', y);
  return b.finish();
}

/** Every node has an output some graph output depends on. */
function allLive(g: Graph): void {
  const live = new Set(g.outputs.map((o) => o.id));
  for (const n of [...g.nodes].reverse()) {
    expect(n.outputs.some((o) => live.has(o.id)), `${n.op} %${n.outputs[0]?.id} is dead`).toBe(true);
    n.inputs.forEach((v) => live.add(v));
  }
}

describe('dce', () => {
  it('removes dead chains, constants and contractions; keeps every input and weight', () => {
    const g = withDeadCode();
    expect(printGraph(g)).toMatchInlineSnapshot(`
      "graph "dead" {
        input %0: f32[2,3] "x"
        input %1: f32[1] "unused"
        weight %2: f32[3,3] "w"
        weight %3: f32[2] "spare"
        %4: f32[2,3] = relu %0
        %5: f32[2,3] = neg %4
        %6: f32[2] = constant {value: f32[2](1, 2)}
        %7: f32[2,3] = exp %0
        %8: f32[2,3] = matmul %7 %2 {transA: false, transB: false}
        output "y" = %7
      }
      "
    `);
    const { out, notes } = runChecked(deadCodeElimination, g);
    expect(printGraph(out)).toMatchInlineSnapshot(`
      "graph "dead" {
        input %0: f32[2,3] "x"
        input %1: f32[1] "unused"
        weight %2: f32[3,3] "w"
        weight %3: f32[2] "spare"
        %7: f32[2,3] = exp %0
        output "y" = %7
      }
      "
    `);
    expect(notes).toMatchInlineSnapshot(`
      [
        "removed %4 relu",
        "removed %5 neg",
        "removed %6 constant",
        "removed %8 matmul",
      ]
    `);
    checkPass(deadCodeElimination, g, randomInputs(g, new Rng(1)));
  });

  it('returns the graph itself when nothing is dead, even with unused inputs', () => {
    const g = withDeadCode();
    const live = deadCodeElimination.run(g, { note() {} });
    expect(deadCodeElimination.run(live, { note() {} })).toBe(live);
  });

  it('keeps a multi-output node when only one output is read', () => {
    const b = new IRBuilder('split');
    const x = b.input('x', tensorType('f32', [4])).id;
    const [lo] = b.node('split', { axis: 0, sizes: [1, 3] }, [x]);
    b.output('lo', lo!.id);
    const g = b.finish();
    expect(runChecked(deadCodeElimination, g).out).toBe(g);
  });
});

describeProperties(deadCodeElimination, { post: allLive });
