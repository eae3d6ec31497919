// The preview-training domain's Momentum (standard, nesterov; beta applies from T > 0) and Adagrad
// (decayed rate) on hand-worked one-element steps, interpreter and TS backend.
import { describe, expect, it } from 'vitest';
import { compile } from '../../../src/compile.ts';
import { tensor, toNumbers } from '../../../src/ir/tensor.ts';
import { importOnnx } from '../../../src/io/onnx/import.ts';
import { encodeModel } from '../../../src/io/onnx/schema.ts';
import { interpret } from '../../../src/runtime/interpreter.ts';
import { INT64, graph, value } from './model-builder.ts';

const DOMAIN = 'ai.onnx.preview.training';
const flt = (name: string, f: number) => ({ name, type: 1, f });
const str = (name: string, s: string) => ({ name, type: 3, s: new TextEncoder().encode(s) });

function optimizer(op: string, attrs: object[]) {
  const n = { opType: op, domain: DOMAIN, input: ['r', 't', 'x', 'g', 's'], output: ['x2', 's2'], name: op, attribute: attrs };
  const g = graph([n], [value('r', []), value('t', [], INT64), value('x', [1]), value('g', [1]), value('s', [1])], [value('x2', []), value('s2', [])]);
  return importOnnx(encodeModel({ irVersion: 8, opsetImport: [{ domain: '', version: 17 }, { domain: DOMAIN, version: 1 }], graph: g }));
}

async function step(op: string, attrs: object[], t: number, state: number): Promise<number[]> {
  const g = optimizer(op, attrs);
  const inputs = { r: tensor('f32', [], [0.1]), t: tensor('i64', [], [t]), x: tensor('f32', [1], [1]), g: tensor('f32', [1], [2]), s: tensor('f32', [1], [state]) };
  const a = interpret(g, inputs);
  const b = (await compile(g, { target: 'ts' })).run(inputs);
  expect(toNumbers(b.x2!).concat(toNumbers(b.s2!))).toEqual(toNumbers(a.x2!).concat(toNumbers(a.s2!)));
  return toNumbers(a.x2!).concat(toNumbers(a.s2!));
}

describe('preview-training optimizers', () => {
  it('Momentum: v = alpha v + beta g (beta 1 at T = 0); standard x - R v, nesterov x - R (g + alpha v)', async () => {
    const m = (mode: string) => [flt('alpha', 0.5), flt('beta', 0.25), str('mode', mode)];
    const close = (got: number[], want: number[]) => got.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 6));
    close(await step('Momentum', m('standard'), 0, 3), [1 - 0.1 * 3.5, 3.5]);
    close(await step('Momentum', m('standard'), 1, 3), [1 - 0.1 * 2, 2]);
    close(await step('Momentum', m('nesterov'), 1, 3), [1 - 0.1 * (2 + 0.5 * 2), 2]);
  });

  it('Adagrad: h + g^2, and x - R / (1 + T decay) * g / sqrt(h)', async () => {
    const got = await step('Adagrad', [flt('decay_factor', 1)], 1, 5);
    expect(got[0]).toBeCloseTo(1 - (0.1 / 2) * (2 / 3), 6);
    expect(got[1]).toBe(9);
  });
});
