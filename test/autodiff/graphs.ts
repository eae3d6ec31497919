// The graphs of the gradient cases: each case's operands drawn deterministically, its outputs
// weighted by fixed random tensors into loss = sum_k sum(out_k * w_k), and the gradient outputs
// `grad.xK` of its f32 operands appended by gradientGraph.
import { gradientGraph } from '../../src/autodiff/index.ts';
import { IRBuilder } from '../../src/ir/builder.ts';
import { type Tensor, tensor } from '../../src/ir/tensor.ts';
import { numel, tensorType } from '../../src/ir/types.ts';
import type { OpKind } from '../../src/ops/attrs.ts';
import { inferNode } from '../../src/ops/infer.ts';
import type { GradCase, Operand } from './cases.ts';

/** A small deterministic generator (xorshift), so every run draws the same operands. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return x / 2 ** 32;
  };
}

function draw(o: Operand, next: () => number): Tensor {
  const n = numel(o.shape);
  if (Array.isArray(o.values)) return tensor(o.dtype ?? 'f32', o.shape, o.values as number[]);
  const lo = o.values === 'positive' ? 0.5 : -1;
  const span = o.values === 'positive' ? 1 : 2;
  return tensor('f32', o.shape, Float32Array.from({ length: n }, () => lo + span * next()));
}

/** The graph: operands as inputs, the op, loss = sum(out_k * w_k); plus its gradient outputs. */
function buildGraph(c: GradCase, inputs: readonly Tensor[], weights: readonly Tensor[]) {
  const b = new IRBuilder(c.name);
  const ids = inputs.map((t, i) => b.input(`x${i}`, tensorType(t.dtype, t.shape)).id);
  const outs = b.node(c.op, c.attrs as never, ids);
  let loss: number | undefined;
  outs.forEach((o, k) => {
    const w = b.node('constant', { value: weights[k]! }, [])[0]!.id;
    const term = b.node('reduceSum', { axes: [], keepDims: false }, [b.node('mul', {}, [o.id, w])[0]!.id])[0]!.id;
    loss = loss === undefined ? term : b.node('add', {}, [loss, term])[0]!.id;
  });
  b.output('loss', loss!);
  const wrt = inputs.flatMap((t, i) => (t.dtype === 'f32' ? [`x${i}`] : []));
  return { graph: gradientGraph(b.finish(), { loss: 'loss', wrt }), wrt };
}

/** A case's operands, output weights, and its graph with gradient outputs (deterministic per case). */
export function caseGraph(c: GradCase) {
  const next = rng(7 + c.name.length * 31);
  const operands = c.operands.map((o) => draw(o, next));
  const types = inferNode(c.op as OpKind, c.attrs as never, operands);
  const weights = types.map((t) => tensor('f32', t.shape, Float32Array.from({ length: numel(t.shape) }, () => next() * 2 - 1)));
  return { operands, weights, ...buildGraph(c, operands, weights), inputs: Object.fromEntries(operands.map((t, i) => [`x${i}`, t])) };
}

