// Every gradient rule against central finite differences: for each case, the op's outputs are
// weighted by fixed random tensors and summed into a scalar loss; the backward graph's gradient
// (run by the interpreter) must match the numerical derivative of that loss, element by element.
import { describe, expect, it } from 'vitest';
import { gradientGraph } from '../../src/autodiff/index.ts';
import { IRBuilder } from '../../src/ir/builder.ts';
import { type Tensor, tensor } from '../../src/ir/tensor.ts';
import { numel, tensorType } from '../../src/ir/types.ts';
import { OPS, OP_KINDS } from '../../src/ops/table.ts';
import type { OpKind } from '../../src/ops/attrs.ts';
import { inferNode } from '../../src/ops/infer.ts';
import { interpret } from '../../src/runtime/interpreter.ts';
import { type GradCase, type Operand, gradCases } from './cases.ts';

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

/** loss = sum_k sum(out_k * w_k), in doubles, from the op's reference semantics. */
function lossOf(c: GradCase, inputs: readonly Tensor[], weights: readonly Tensor[]): number {
  const types = inferNode(c.op as OpKind, c.attrs as never, inputs);
  const outs = (OPS[c.op].evaluate as (i: readonly Tensor[], a: unknown, t: unknown) => Tensor[])(inputs, c.attrs, types);
  let sum = 0;
  outs.forEach((t, k) => t.data.forEach((v, i) => (sum += Number(v) * (weights[k]!.data[i] as number))));
  return sum;
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

describe('gradient rules match finite differences', () => {
  it.each(gradCases.map((c) => [`${c.op}: ${c.name}`, c] as const))('%s', (_name, c) => {
    const next = rng(7 + c.name.length * 31);
    const inputs = c.operands.map((o) => draw(o, next));
    const types = inferNode(c.op as OpKind, c.attrs as never, inputs);
    const weights = types.map((t) => tensor('f32', t.shape, Float32Array.from({ length: numel(t.shape) }, () => next() * 2 - 1)));
    const { graph, wrt } = buildGraph(c, inputs, weights);
    const got = interpret(graph, Object.fromEntries(inputs.map((t, i) => [`x${i}`, t])));
    const eps = 1e-2;
    let checked = 0;
    for (const name of wrt) {
      const k = Number(name.slice(1));
      const analytic = got[`grad.${name}`]!.data as Float32Array;
      for (let i = 0; i < analytic.length; i++) {
        const shifted = (delta: number): Tensor[] => inputs.map((t, j) => {
          if (j !== k) return t;
          const data = Float32Array.from(t.data as Float32Array);
          data[i] += delta;
          return tensor('f32', t.shape, data);
        });
        const numeric = (lossOf(c, shifted(eps), weights) - lossOf(c, shifted(-eps), weights)) / (2 * eps);
        expect(Math.abs(analytic[i]! - numeric), `d loss / d ${name}[${i}]: ${analytic[i]} vs ${numeric}`).toBeLessThan(2e-3 + 1e-2 * Math.abs(numeric));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(0);
  });
});

describe('every op declares its gradient', () => {
  it('has a rule with a finite-difference case, or a stated reason for having none', () => {
    const missing = OP_KINDS.filter((k) => {
      const g = OPS[k].grad;
      if (typeof g === 'object') return !(typeof g.none === 'string' && g.none.length > 0);
      return OPS[k].arity.max > 0 && !gradCases.some((c) => c.op === k);
    });
    expect(missing).toEqual([]);
  });
});
