// simplify-movement: transposes compose and cancel, reshapes compose, last-two-dims transposes become matmul flags; shared pass properties.
import { describe, expect, it } from 'vitest';
import { fuseEpilogues } from '../../passes/fuse-elementwise.ts';
import { SILENT } from '../../passes/pass.ts';
import { simplifyMovement } from '../../passes/simplify-movement.ts';
import { IRBuilder } from '../../src/ir/builder.ts';
import { type Graph, type Node, producersOf } from '../../src/ir/graph.ts';
import { printGraph } from '../../src/ir/print.ts';
import { sameShape, tensorType } from '../../src/ir/types.ts';
import { Rng, randomInputs } from '../codegen/helpers.ts';
import { checkPass, describeProperties, differ, runChecked } from './harness.ts';

/** The header's guarantee: what no node of the output may be. */
function canonical(g: Graph): void {
  const prod = producersOf(g);
  const producer = (v: number): Node | undefined => (prod.has(v) ? g.nodes[prod.get(v)!] : undefined);
  const types = new Map(g.nodes.flatMap((n) => n.outputs.map((o) => [o.id, o.type.shape] as const)));
  for (const v of [...g.inputs, ...g.weights]) types.set(v.id, v.type.shape);
  const bad = g.nodes.filter((n) => {
    const p = producer(n.inputs[0] ?? -1);
    if (n.op === 'identity' || n.op === 'squeeze' || n.op === 'unsqueeze') return true;
    if (n.op === 'concat') return n.inputs.length === 1;
    if (n.op === 'transpose') return n.attrs.perm.every((d, i) => d === i) || p?.op === 'transpose';
    if (n.op === 'reshape') return p?.op === 'reshape' || sameShape(types.get(n.inputs[0]!)!, n.outputs[0]!.type.shape);
    if (n.op !== 'matmul') return false;
    return n.inputs.some((v) => {
      const t = producer(v);
      return t?.op === 'transpose' && t.attrs.perm.at(-1)! < t.attrs.perm.at(-2)!;
    });
  });
  expect(bad.map((n) => `%${n.outputs[0]!.id} (${n.op})`)).toEqual([]);
}

/** Transposes that compose, cancel and are identities; squeeze/unsqueeze/reshape chains; an identity op. */
function movement(): Graph {
  const b = new IRBuilder('movement');
  const x = b.input('x', tensorType('f32', [2, 3, 4])).id;
  const one = <K extends 'transpose' | 'reshape' | 'unsqueeze' | 'squeeze' | 'identity'>(op: K, attrs: object, v: number): number =>
    b.node(op, attrs as never, [v])[0]!.id;
  const t = one('transpose', { perm: [0, 2, 1] }, one('transpose', { perm: [1, 0, 2] }, x));
  const back = one('transpose', { perm: [2, 0, 1] }, t);
  const still = one('transpose', { perm: [0, 1, 2] }, one('identity', {}, back));
  const flat = one('reshape', { shape: [6, 4] }, one('unsqueeze', { axes: [0] }, still));
  const same = one('reshape', { shape: [3, 2, 4] }, one('squeeze', { axes: [] }, t));
  b.output('flat', flat);
  b.output('t', same);
  return b.finish();
}

/** scores = q @ k^T for rank-4 heads, with k^T written as two transposes (PyTorch's `k.transpose(1,2).transpose(-2,-1)`). */
function scores(): Graph {
  const b = new IRBuilder('scores');
  const q = b.input('q', tensorType('f32', [1, 2, 3, 4])).id;
  const k = b.input('k', tensorType('f32', [1, 3, 2, 4])).id;
  const heads = b.node('transpose', { perm: [0, 2, 1, 3] }, [k])[0]!.id;
  const kt = b.node('transpose', { perm: [0, 1, 3, 2] }, [heads])[0]!.id;
  const a = b.input('a', tensorType('f32', [5, 3])).id;
  const at = b.node('transpose', { perm: [1, 0] }, [a])[0]!.id;
  const s = b.node('matmul', { transA: false, transB: false }, [q, kt])[0]!.id;
  b.output('s', s);
  b.output('ata', b.node('matmul', { transA: false, transB: false }, [at, a])[0]!.id);
  return b.finish();
}

describe('simplify-movement', () => {
  it('composes transposes, cancels inverse pairs, and leaves one reshape per chain', () => {
    const g = movement();
    expect(printGraph(g)).toMatchInlineSnapshot(`
      "graph "movement" {
        input %0: f32[2,3,4] "x"
        %1: f32[3,2,4] = transpose %0 {perm: [1,0,2]}
        %2: f32[3,4,2] = transpose %1 {perm: [0,2,1]}
        %3: f32[2,3,4] = transpose %2 {perm: [2,0,1]}
        %4: f32[2,3,4] = identity %3
        %5: f32[2,3,4] = transpose %4 {perm: [0,1,2]}
        %6: f32[1,2,3,4] = unsqueeze %5 {axes: [0]}
        %7: f32[6,4] = reshape %6 {shape: [6,4]}
        %8: f32[3,4,2] = squeeze %2 {axes: []}
        %9: f32[3,2,4] = reshape %8 {shape: [3,2,4]}
        output "flat" = %7
        output "t" = %9
      }
      "
    `);
    const { out, notes } = runChecked(simplifyMovement, g);
    expect(printGraph(out)).toMatchInlineSnapshot(`
      "graph "movement" {
        input %0: f32[2,3,4] "x"
        %10: f32[3,4,2] = transpose %0 {perm: [1,2,0]}
        %12: f32[6,4] = reshape %0 {shape: [6,4]}
        %9: f32[3,2,4] = reshape %10 {shape: [3,2,4]}
        output "flat" = %12
        output "t" = %9
      }
      "
    `);
    expect(notes.length).toBeGreaterThan(0);
    checkPass(simplifyMovement, g, randomInputs(g, new Rng(6)));
  });

  it('drops a concat of a single input', () => {
    const b = new IRBuilder('one');
    const x = b.input('x', tensorType('f32', [1, 4, 4])).id;
    const c = b.node('concat', { axis: 0 }, [x])[0]!.id;
    b.output('y', b.node('relu', {}, [c])[0]!.id);
    const g = b.finish();
    const { out } = runChecked(simplifyMovement, g);
    expect(out.nodes.map((n) => n.op)).toEqual(['relu']);
    canonical(out);
    checkPass(simplifyMovement, g, randomInputs(g, new Rng(8)));
  });

  it('folds a last-two-dims transpose into matmul transB (and transA), keeping the rest of the permutation', () => {
    const g = scores();
    expect(printGraph(g)).toMatchInlineSnapshot(`
      "graph "scores" {
        input %0: f32[1,2,3,4] "q"
        input %1: f32[1,3,2,4] "k"
        input %4: f32[5,3] "a"
        %2: f32[1,2,3,4] = transpose %1 {perm: [0,2,1,3]}
        %3: f32[1,2,4,3] = transpose %2 {perm: [0,1,3,2]}
        %5: f32[3,5] = transpose %4 {perm: [1,0]}
        %6: f32[1,2,3,3] = matmul %0 %3 {transA: false, transB: false}
        %7: f32[3,3] = matmul %5 %4 {transA: false, transB: false}
        output "s" = %6
        output "ata" = %7
      }
      "
    `);
    const { out, notes } = runChecked(simplifyMovement, g);
    expect(printGraph(out)).toMatchInlineSnapshot(`
      "graph "scores" {
        input %0: f32[1,2,3,4] "q"
        input %1: f32[1,3,2,4] "k"
        input %4: f32[5,3] "a"
        %9: f32[1,2,3,4] = transpose %1 {perm: [0,2,1,3]}
        %10: f32[1,2,3,3] = matmul %0 %9 {transA: false, transB: true}
        %11: f32[3,3] = matmul %4 %4 {transA: true, transB: false}
        output "s" = %10
        output "ata" = %11
      }
      "
    `);
    expect(notes).toMatchInlineSnapshot(`
      [
        "transpose-compose: %3 transpose -> %8",
        "matmul-transposed-b: %6 matmul -> %10",
        "matmul-transposed-a: %7 matmul -> %11",
      ]
    `);
    checkPass(simplifyMovement, g, randomInputs(g, new Rng(7)));
  });

  it('keeps the epilogue inputs of a matmul whose transposed operand it folds', () => {
    // BUG: flipOperand rebuilds the matmul from inputs 0 and 1 only, so a matmul that already has an
    // epilogue (here after --passes fuse-epilogues,simplify-movement) loses the residual it reads.
    const b = new IRBuilder('epilogue_operand');
    const x = b.input('x', tensorType('f32', [3, 4])).id;
    const wt = b.node('transpose', { perm: [1, 0] }, [b.input('w', tensorType('f32', [5, 4])).id])[0]!.id;
    const y = b.node('matmul', { transA: false, transB: false }, [x, wt])[0]!.id;
    b.output('y', b.node('add', {}, [y, b.input('r', tensorType('f32', [3, 5])).id])[0]!.id);
    const g = fuseEpilogues.run(b.finish(), SILENT);
    expect(g.nodes.map((n) => n.op)).toEqual(['transpose', 'matmul']);
    const { out } = runChecked(simplifyMovement, g);
    expect(out.nodes.map((n) => `${n.op} ${n.inputs.length}`)).toEqual(['matmul 3']);
    expect(differ(g, out, randomInputs(g, new Rng(24)))).toBeUndefined();
  });
});

describeProperties(simplifyMovement, { post: canonical });
