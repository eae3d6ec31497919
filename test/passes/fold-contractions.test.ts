// fold-contractions: matmuls with an unbatched B become one gemm over every row of A, biases become
// its C, reshapes of its result move onto A (after fuse-attention); when it must not fire; operands
// that are constants, weights or inputs; shared pass properties.
import { describe, expect, it } from 'vitest';
import { foldContractions } from '../../passes/fold-contractions.ts';
import { PIPELINES, runPipeline } from '../../passes/pipeline.ts';
import { IRBuilder } from '../../src/ir/builder.ts';
import type { Graph, ValueId } from '../../src/ir/graph.ts';
import { printGraph } from '../../src/ir/print.ts';
import { tensorType } from '../../src/ir/types.ts';
import { Rng, randomInputs } from '../codegen/helpers.ts';
import { checkPass, describeProperties, differ, runChecked, weightData } from './harness.ts';

type Operand = 'input' | 'weight' | 'constant';

/** A value of `shape` made as an input, a weight or a constant. */
function operand(b: IRBuilder, kind: Operand, name: string, shape: number[], seed: number): ValueId {
  if (kind === 'input') return b.input(name, tensorType('f32', shape)).id;
  if (kind === 'weight') return b.weight(name, tensorType('f32', shape), weightData(shape, seed)).id;
  return b.node('constant', { value: weightData(shape, seed) }, [], name)[0]!.id;
}

/** matmul(A, B) (+ bias, in either order), with every operand of the given kind. */
function projection(a: [Operand, number[]], bw: [Operand, number[]], opts: { transA?: boolean; transB?: boolean; bias?: [Operand, number[], 'after' | 'before'] } = {}): Graph {
  const b = new IRBuilder('projection');
  const x = operand(b, a[0], 'x', a[1], 1);
  const w = operand(b, bw[0], 'w', bw[1], 2);
  let y = b.node('matmul', { transA: opts.transA ?? false, transB: opts.transB ?? false }, [x, w], 'linear')[0]!.id;
  if (opts.bias) {
    const c = operand(b, opts.bias[0], 'bias', opts.bias[1], 3);
    y = b.node('add', {}, opts.bias[2] === 'after' ? [y, c] : [c, y])[0]!.id;
  }
  b.output('y', y);
  return b.finish();
}

const ops = (g: Graph): string[] => g.nodes.map((n) => n.op);

/** The pass on `g` (alone and after its prefix) agrees with the interpreter; returns the prefixed output. */
function folded(g: Graph): Graph {
  return checkPass(foldContractions, g, randomInputs(g, new Rng(0xf0))).out;
}

describe('fold-contractions', () => {
  it('folds the seq and batch dims of x[8,1,16] @ W[16,12] into one gemm, and the bias into its C', () => {
    const out = folded(projection(['input', [8, 1, 16]], ['weight', [16, 12]], { bias: ['weight', [12], 'before'] }));
    expect(printGraph(out)).toMatchInlineSnapshot(`
      "graph "projection" {
        input %0: f32[8,1,16] "x"
        weight %1: f32[16,12] "w"
        weight %3: f32[12] "bias"
        %6: f32[8,1,12] = gemm %0 %1 %3 {alpha: 1, beta: 1, transA: false, transB: false}  # "linear"
        output "y" = %6
      }
      "
    `);
  });

  it('reads a B with batch dims of size 1 (and transB) as its matrix', () => {
    const out = folded(projection(['input', [2, 3, 16]], ['weight', [1, 12, 16]], { transB: true }));
    expect(ops(out)).toEqual(['reshape', 'gemm']);
    expect(out.nodes[1]!.attrs).toMatchObject({ transB: true, alpha: 1, beta: 0 });
  });

  it('moves the reshape a B with more dims than A leaves behind onto A', () => {
    const out = folded(projection(['input', [3, 16]], ['weight', [1, 1, 16, 12]]));
    expect(ops(out)).toEqual(['reshape', 'reshape', 'gemm']);
    expect(out.nodes[2]!.outputs[0]!.type.shape).toEqual([1, 1, 3, 12]);
  });

  it('keeps transA at rank 2', () => {
    const out = folded(projection(['input', [16, 5]], ['weight', [16, 12]], { transA: true }));
    expect(ops(out)).toEqual(['gemm']);
    expect(out.nodes[0]!.attrs).toMatchObject({ transA: true });
  });

  it('makes reshape(gemm(reshape(x, [rows, k])), [..., n]) one gemm over x (PyTorch out_proj)', () => {
    const b = new IRBuilder('out_proj');
    const x = b.input('x', tensorType('f32', [5, 2, 16])).id;
    const flat = b.node('reshape', { shape: [10, 16] }, [x])[0]!.id;
    const w = b.weight('w', tensorType('f32', [6, 16]), weightData([6, 16], 4)).id;
    const c = b.weight('c', tensorType('f32', [6]), weightData([6], 5)).id;
    const y = b.node('gemm', { transA: false, transB: true, alpha: 1, beta: 1 }, [flat, w, c])[0]!.id;
    b.output('y', b.node('reshape', { shape: [5, 2, 6] }, [y])[0]!.id);
    const out = folded(b.finish());
    expect(ops(out)).toEqual(['gemm']);
    expect(out.nodes[0]!.inputs).toEqual([x, w, c]);
  });

  describe('does not fire', () => {
    const untouched = (g: Graph): void => {
      const { out, notes } = runChecked(foldContractions, g);
      expect(notes).toEqual([]);
      expect(out).toBe(g);
    };
    it('on a B with real batch dims (a batched product)', () => untouched(projection(['input', [3, 4, 16]], ['input', [3, 16, 12]])));
    it('on transA over a batch (its rows are not one M)', () => untouched(projection(['input', [3, 16, 4]], ['weight', [16, 12]], { transA: true })));
    it('on a 1-D B', () => untouched(projection(['input', [3, 16]], ['weight', [16]])));
    it('on i32 operands (gemm is f32)', () => {
      const b = new IRBuilder('int');
      const x = b.input('x', tensorType('i32', [2, 3, 4])).id;
      const w = b.input('w', tensorType('i32', [4, 5])).id;
      b.output('y', b.node('matmul', { transA: false, transB: false }, [x, w])[0]!.id);
      untouched(b.finish());
    });
    it('on a residual add (full-shape C stays for the epilogue) or a reshape that changes the last dim', () => {
      const b = new IRBuilder('residual');
      const x = b.input('x', tensorType('f32', [4, 6])).id;
      const w = b.weight('w', tensorType('f32', [6, 6]), weightData([6, 6], 6)).id;
      const y = b.node('gemm', { transA: false, transB: false, alpha: 1, beta: 0 }, [x, w])[0]!.id;
      b.output('sum', b.node('add', {}, [y, x])[0]!.id);
      const z = b.node('gemm', { transA: false, transB: false, alpha: 1, beta: 0 }, [x, w])[0]!.id;
      b.output('flat', b.node('reshape', { shape: [2, 12] }, [z])[0]!.id);
      untouched(b.finish());
    });
  });

  // Every operand position holding an input, a weight or a constant: the pass and the whole -O2
  // pipeline must agree with -O0 (never assume a producer exists).
  const kinds: Operand[] = ['input', 'weight', 'constant'];
  const combos = kinds.flatMap((a) => kinds.flatMap((w) => kinds.map((c) => [a, w, c] as const)));
  it.each(combos)('A %s, B %s, bias %s: pass and -O2 agree with -O0', (a, w, c) => {
    for (const order of ['after', 'before'] as const) {
      const g = projection([a, [4, 2, 8]], [w, [1, 8, 6]], { bias: [c, [6], order] });
      folded(g);
      const o2 = runPipeline(g, PIPELINES[2], { verify: true }).graph;
      const inputs = randomInputs(g, new Rng(0xf1));
      expect(differ(g, o2, inputs)).toBeUndefined();
    }
  });
});

describeProperties(foldContractions, {
  post: (g) => {
    const left = g.nodes.filter((n) => n.op === 'matmul' && n.inputs.length === 2).filter((n) => {
      const types = new Map([...g.inputs, ...g.weights, ...g.nodes.flatMap((m) => m.outputs)].map((v) => [v.id, v.type]));
      const [a, b] = [types.get(n.inputs[0]!)!, types.get(n.inputs[1]!)!];
      if (n.op !== 'matmul' || n.attrs.epilogue || a.dtype !== 'f32' || a.shape.length < 2 || b.shape.length < 2) return false;
      return b.shape.slice(0, -2).every((d) => d === 1) && !(n.attrs.transA && a.shape.length !== 2);
    });
    expect(left.map((n) => `%${n.outputs[0]!.id}`)).toEqual([]);
  },
});
