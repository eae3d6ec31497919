// fuse-attention: matmul -> scale -> mask -> softmax -> matmul chains become one attention node (after simplify-movement); shared pass properties.
import { describe, expect, it } from 'vitest';
import { fuseAttention } from '../../passes/fuse-attention.ts';
import { IRBuilder } from '../../src/ir/builder.ts';
import { type Graph, type Node, type ValueId, producersOf, usersOf, valueTypes } from '../../src/ir/graph.ts';
import { printGraph } from '../../src/ir/print.ts';
import { f32 } from '../../src/ir/tensor.ts';
import { numel, tensorType } from '../../src/ir/types.ts';
import { Rng, randomInputs } from '../codegen/helpers.ts';
import { checkPass, describeProperties, prepare, runChecked } from './harness.ts';

/** The header's guarantee: no plain PV matmul reads softmax(last axis) of a single-use, [scaled], [masked] Q K^T of rank 2-4 and equal batch dims. */
function noChainLeft(g: Graph): void {
  const prod = producersOf(g);
  const users = usersOf(g);
  const types = valueTypes(g);
  const outs = new Set(g.outputs.map((o) => o.id));
  const at = (v: ValueId): Node | undefined => (prod.has(v) ? g.nodes[prod.get(v)!] : undefined);
  const single = (n: Node): boolean => users.get(n.outputs[0]!.id)?.length === 1 && !outs.has(n.outputs[0]!.id);
  const scalar = (v: ValueId): boolean => {
    const c = at(v);
    return c?.op === 'constant' && c.attrs.value.dtype === 'f32' && numel(c.attrs.value.shape) === 1;
  };
  const left = g.nodes.filter((pv) => {
    if (pv.op !== 'matmul' || pv.attrs.transA || pv.attrs.transB || pv.attrs.epilogue) return false;
    const sm = at(pv.inputs[0]!);
    const rank = pv.outputs[0]!.type.shape.length;
    if (sm?.op !== 'softmax' || (sm.attrs.axis !== -1 && sm.attrs.axis !== rank - 1)) return false;
    let s = at(sm.inputs[0]!);
    if (s?.op === 'add' && single(s)) s = at(s.inputs[0]!);
    if ((s?.op === 'mul' || s?.op === 'div') && single(s) && scalar(s.inputs[1]!)) s = at(s.inputs[0]!);
    if (s?.op !== 'matmul' || !s.attrs.transB || s.attrs.transA || s.attrs.epilogue || !single(s)) return false;
    const shapes = [s.inputs[0]!, s.inputs[1]!, pv.inputs[1]!].map((v) => types.get(v)!.shape);
    const batch = shapes.map((sh) => sh.slice(0, -2).join());
    return rank >= 2 && rank <= 4 && shapes.every((sh) => sh.length === rank) && batch.every((b) => b === batch[0]);
  });
  expect(left.map((n) => `%${n.outputs[0]!.id}`)).toEqual([]);
}

/** The 2-head MHA core on q, k, v of [1, 3, 4]: head split, softmax(q k^T / sqrt 2) v, head merge. */
function mha2(): Graph {
  const b = new IRBuilder('mha2');
  const heads = (name: string): number =>
    b.node('transpose', { perm: [0, 2, 1, 3] }, [b.node('reshape', { shape: [1, 3, 2, 2] }, [b.input(name, tensorType('f32', [1, 3, 4])).id])[0]!.id])[0]!.id;
  const [q, k, v] = [heads('q'), heads('k'), heads('v')];
  const kt = b.node('transpose', { perm: [0, 1, 3, 2] }, [k])[0]!.id;
  const s = b.node('div', {}, [b.node('matmul', { transA: false, transB: false }, [q, kt])[0]!.id, b.node('constant', { value: f32([], [Math.SQRT2]) }, [])[0]!.id])[0]!.id;
  const y = b.node('matmul', { transA: false, transB: false }, [b.node('softmax', { axis: -1 }, [s])[0]!.id, v])[0]!.id;
  b.output('y', b.node('reshape', { shape: [1, 3, 4] }, [b.node('transpose', { perm: [0, 2, 1, 3] }, [y])[0]!.id])[0]!.id);
  return b.finish();
}

/** Rank-3 attention with an additive mask of [3, 5]; the probabilities are an output too (or reduced first). */
function maskedWithWeights(reduceFirst: boolean): Graph {
  const b = new IRBuilder('masked');
  const [q, k, v] = (['q', 'k', 'v'] as const).map((n, i) => b.input(n, tensorType('f32', [2, i === 0 ? 3 : 5, 4])).id);
  const mask = b.input('mask', tensorType('f32', [3, 5])).id;
  const s = b.node('add', {}, [b.node('matmul', { transA: false, transB: true }, [q!, k!])[0]!.id, mask])[0]!.id;
  const p = b.node('softmax', { axis: 2 }, [s])[0]!.id;
  const mean = reduceFirst ? b.node('reduceMean', { axes: [0], keepDims: false }, [p])[0]!.id : p;
  b.output('y', b.node('matmul', { transA: false, transB: false }, [p, v!])[0]!.id);
  b.output('p', mean);
  return b.finish();
}

describe('fuse-attention', () => {
  it('fuses a 2-head MHA (prefix: shape-inference, dce, simplify-movement, cse, constant-folding)', () => {
    const g = mha2();
    const before = prepare(fuseAttention, g);
    expect(printGraph(before)).toMatchInlineSnapshot(`
      "graph "mha2" {
        input %0: f32[1,3,4] "q"
        input %3: f32[1,3,4] "k"
        input %6: f32[1,3,4] "v"
        %1: f32[1,3,2,2] = reshape %0 {shape: [1,3,2,2]}
        %2: f32[1,2,3,2] = transpose %1 {perm: [0,2,1,3]}
        %4: f32[1,3,2,2] = reshape %3 {shape: [1,3,2,2]}
        %7: f32[1,3,2,2] = reshape %6 {shape: [1,3,2,2]}
        %8: f32[1,2,3,2] = transpose %7 {perm: [0,2,1,3]}
        %18: f32[1,2,3,2] = transpose %4 {perm: [0,2,1,3]}
        %19: f32[1,2,3,3] = matmul %2 %18 {transA: false, transB: true}
        %11: f32[] = constant {value: f32[](1.4142135381698608)}
        %12: f32[1,2,3,3] = div %19 %11
        %13: f32[1,2,3,3] = softmax %12 {axis: -1}
        %14: f32[1,2,3,2] = matmul %13 %8 {transA: false, transB: false}
        %15: f32[1,3,2,2] = transpose %14 {perm: [0,2,1,3]}
        %16: f32[1,3,4] = reshape %15 {shape: [1,3,4]}
        output "y" = %16
      }
      "
    `);
    const { out, notes } = runChecked(fuseAttention, before);
    expect(printGraph(out)).toMatchInlineSnapshot(`
      "graph "mha2" {
        input %0: f32[1,3,4] "q"
        input %3: f32[1,3,4] "k"
        input %6: f32[1,3,4] "v"
        %1: f32[1,3,2,2] = reshape %0 {shape: [1,3,2,2]}
        %2: f32[1,2,3,2] = transpose %1 {perm: [0,2,1,3]}
        %4: f32[1,3,2,2] = reshape %3 {shape: [1,3,2,2]}
        %7: f32[1,3,2,2] = reshape %6 {shape: [1,3,2,2]}
        %8: f32[1,2,3,2] = transpose %7 {perm: [0,2,1,3]}
        %18: f32[1,2,3,2] = transpose %4 {perm: [0,2,1,3]}
        %20: f32[1,2,3,2] = attention %2 %18 %8 {batch: 1, causal: false, headDim: 2, heads: 2, k: {offset: 0, strides: [12,6,2,1]}, out: {offset: 0, shape: [1,2,3,2], strides: [12,6,2,1]}, q: {offset: 0, strides: [12,6,2,1]}, scale: 0.7071067932881648, seqK: 3, seqQ: 3, v: {offset: 0, strides: [12,6,2,1]}, valueDim: 2, weights: false}
        %15: f32[1,3,2,2] = transpose %20 {perm: [0,2,1,3]}
        %16: f32[1,3,4] = reshape %15 {shape: [1,3,4]}
        output "y" = %16
      }
      "
    `);
    expect(notes).toMatchInlineSnapshot(`
      [
        "attention-scaled: %14 matmul -> %20",
      ]
    `);
    checkPass(fuseAttention, g, randomInputs(g, new Rng(8)));
  });

  it('takes an additive mask and returns the probabilities as a second output when they are used', () => {
    const g = maskedWithWeights(false);
    const { out } = runChecked(fuseAttention, prepare(fuseAttention, g));
    expect(printGraph(out)).toMatchInlineSnapshot(`
      "graph "masked" {
        input %0: f32[2,3,4] "q"
        input %1: f32[2,5,4] "k"
        input %2: f32[2,5,4] "v"
        input %3: f32[3,5] "mask"
        %8: f32[2,3,4], %9: f32[2,1,3,5] = attention %0 %1 %2 %3 {batch: 2, causal: false, headDim: 4, heads: 1, k: {offset: 0, strides: [20,0,4,1]}, mask: {offset: 0, strides: [0,0,5,1]}, out: {offset: 0, shape: [2,3,4], strides: [12,0,4,1]}, q: {offset: 0, strides: [12,0,4,1]}, scale: 1, seqK: 5, seqQ: 3, v: {offset: 0, strides: [20,0,4,1]}, valueDim: 4, weights: true}
        %10: f32[2,3,5] = reshape %9 {shape: [2,3,5]}
        output "y" = %8
        output "p" = %10
      }
      "
    `);
    checkPass(fuseAttention, g, randomInputs(g, new Rng(9)));
  });

  it('keeps the graph topologically ordered when the probabilities are read before the PV matmul', () => {
    // BUG: the attention node is inserted before the PV matmul, after the reduceMean that reads its
    // probabilities output, so the verifier rejects the result.
    const g = maskedWithWeights(true);
    const out = checkPass(fuseAttention, g, randomInputs(g, new Rng(10))).out;
    expect(out.nodes.filter((n) => n.op === 'attention')).toHaveLength(1);
    expect(out.nodes.filter((n) => n.op === 'softmax' || n.op === 'matmul')).toEqual([]);
  });

  it('handles, instead of throwing, a scale or mask broadcast that widens the logits', () => {
    // BUG: fuse() sizes the attention from Q/K/V but its output from the PV matmul, whose shape the
    // broadcast widened, so insertBefore throws a ShapeError ("does not fill [1,2,3,4] one to one").
    const widened = (scale: boolean): Graph => {
      const b = new IRBuilder(scale ? 'wide_scale' : 'wide_mask');
      const [q, k, v] = (['q', 'k', 'v'] as const).map((n) => b.input(n, tensorType('f32', [2, 3, 4])).id);
      const s = b.node('matmul', { transA: false, transB: true }, [q!, k!])[0]!.id;
      const by = scale ? b.node('constant', { value: f32([1, 1, 1, 1], [0.5]) }, [])[0]!.id : b.input('mask', tensorType('f32', [2, 1, 1, 3])).id;
      const p = b.node('softmax', { axis: -1 }, [b.node(scale ? 'mul' : 'add', {}, [s, by])[0]!.id])[0]!.id;
      b.output('y', b.node('matmul', { transA: false, transB: false }, [p, v!])[0]!.id);
      return b.finish();
    };
    for (const g of [widened(true), widened(false)]) checkPass(fuseAttention, g, randomInputs(g, new Rng(23)));
  });

  it('declines a softmax over another axis and a scale that is not a scalar constant', () => {
    const b = new IRBuilder('declined');
    const [q, k] = [b.input('q', tensorType('f32', [3, 4])).id, b.input('k', tensorType('f32', [3, 4])).id];
    const t = b.input('t', tensorType('f32', [])).id;
    const scores = (): number => b.node('matmul', { transA: false, transB: true }, [q, k])[0]!.id;
    const p0 = b.node('softmax', { axis: 0 }, [scores()])[0]!.id;
    const p1 = b.node('softmax', { axis: -1 }, [b.node('mul', {}, [scores(), t])[0]!.id])[0]!.id;
    b.output('a', b.node('matmul', { transA: false, transB: false }, [p0, k])[0]!.id);
    b.output('b', b.node('matmul', { transA: false, transB: false }, [p1, k])[0]!.id);
    const g = b.finish();
    expect(runChecked(fuseAttention, g).out).toBe(g);
  });
});

describe('fuse-attention: a scalar on Q or K', () => {
  /** softmax((q op c) @ (k op c)^T) @ v, with the scalar on q, on k, or on both (PyTorch scales q before bmm). */
  function prescaled(on: 'q' | 'k' | 'both', op: 'mul' | 'div'): Graph {
    const b = new IRBuilder('prescaled');
    const [q, k, v] = ['q', 'k', 'v'].map((n) => b.input(n, tensorType('f32', [2, 5, 4])).id) as [ValueId, ValueId, ValueId];
    const c = b.node('constant', { value: f32([], [2]) }, [])[0]!.id;
    const scaled = (x: ValueId, yes: boolean): ValueId => (yes ? b.node(op, {}, [x, c])[0]!.id : x);
    const kt = b.node('transpose', { perm: [0, 2, 1] }, [scaled(k, on !== 'q')])[0]!.id;
    const s = b.node('matmul', { transA: false, transB: false }, [scaled(q, on !== 'k'), kt])[0]!.id;
    const p = b.node('softmax', { axis: -1 }, [s])[0]!.id;
    b.output('y', b.node('matmul', { transA: false, transB: false }, [p, v])[0]!.id);
    return b.finish();
  }
  it.each([['q', 'div', 0.5], ['k', 'mul', 2], ['both', 'div', 0.25], ['both', 'mul', 4]] as const)('absorbs it on %s (%s) into the scale', (on, op, scale) => {
    const g = prescaled(on, op);
    const { out } = checkPass(fuseAttention, g, randomInputs(g, new Rng(0x5c)));
    const att = out.nodes.filter((n) => n.op === 'attention');
    expect(out.nodes.map((n) => n.op)).toEqual(['attention']);
    expect(att[0]!.attrs).toMatchObject({ scale });
  });
});

describeProperties(fuseAttention, { post: noChainLeft, minChangedAttention: 60 });
