// Every gradient rule against central finite differences: for each case, the op's outputs are
// weighted by fixed random tensors and summed into a scalar loss; the backward graph's gradient
// (run by the interpreter) must match the numerical derivative of that loss, element by element.
import { describe, expect, it } from 'vitest';
import { gradientGraph } from '../../src/autodiff/index.ts';
import { UnsupportedOpError } from '../../src/errors.ts';
import { IRBuilder } from '../../src/ir/builder.ts';
import { type Tensor, tensor } from '../../src/ir/tensor.ts';
import { tensorType } from '../../src/ir/types.ts';
import { OPS, OP_KINDS } from '../../src/ops/table.ts';
import type { OpKind } from '../../src/ops/attrs.ts';
import { inferNode } from '../../src/ops/infer.ts';
import { interpret } from '../../src/runtime/interpreter.ts';
import { type GradCase, gradCases } from './cases.ts';
import { caseGraph } from './graphs.ts';

/** loss = sum_k sum(out_k * w_k), in doubles, from the op's reference semantics. */
function lossOf(c: GradCase, inputs: readonly Tensor[], weights: readonly Tensor[]): number {
  const types = inferNode(c.op as OpKind, c.attrs as never, inputs);
  const outs = (OPS[c.op].evaluate as (i: readonly Tensor[], a: unknown, t: unknown) => Tensor[])(inputs, c.attrs, types);
  let sum = 0;
  outs.forEach((t, k) => t.data.forEach((v, i) => (sum += Number(v) * (weights[k]!.data[i] as number))));
  return sum;
}

describe('gradient rules match finite differences', () => {
  it.each(gradCases.map((c) => [`${c.op}: ${c.name}`, c] as const))('%s', (_name, c) => {
    const { operands: inputs, weights, graph, wrt, inputs: named } = caseGraph(c);
    const got = interpret(graph, named);
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

describe('a gru without linearBeforeReset (ONNX linear_before_reset = 0)', () => {
  it('is refused with UnsupportedOpError naming the node: gruGrad computes the PyTorch form only', () => {
    const b = new IRBuilder('gru-reset-first');
    const x = [[3, 1, 2], [1, 6, 2], [1, 6, 2], [1, 6], [1, 6], [1, 1, 2]].map((s, i) => b.input(`x${i}`, tensorType('f32', s)).id);
    const [y] = b.node('gru', { hidden: 2, direction: 'forward', linearBeforeReset: false }, x);
    b.output('loss', b.node('reduceSum', { axes: [], keepDims: false }, [y!.id])[0]!.id);
    const g = b.finish();
    expect(() => gradientGraph(g, { loss: 'loss', wrt: ['x1'] })).toThrow(UnsupportedOpError);
    expect(() => gradientGraph(g, { loss: 'loss', wrt: ['x1'] })).toThrow(/cannot differentiate node %\d+ \(gru\): no gradient for a gru without linearBeforeReset/);
  });
});
