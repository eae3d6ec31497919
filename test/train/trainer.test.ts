// The trainer API: save + restore continues a run bit for bit; optimizer steps follow PyTorch's
// formulas on a model small enough to check by hand; bad state and bad specs are typed errors.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { F, graph } from '../../src/api/index.ts';
import { BindingError, OpgraphError } from '../../src/errors.ts';
import { type Tensor, f32, tensor } from '../../src/ir/tensor.ts';
import { adam, compileTraining, sgd } from '../../src/train/index.ts';
import { interpret } from '../../src/runtime/interpreter.ts';
import { loadExample, loadTrajectory, train } from './helpers.ts';

describe('save and restore', () => {
  it('continue training exactly as an uninterrupted run', async () => {
    const { model, training } = await loadExample('train-rnn');
    const init = (await loadTrajectory(training.fixture!)).init;
    const opts = { loss: training.loss, optimizer: training.optimizer, target: 'ts' } as const;
    const straight = await compileTraining(model, opts);
    straight.load(init);
    const all = await train(straight, training, 8);

    const first = await compileTraining(model, opts);
    first.load(init);
    await train(first, training, 4);
    const path = join(mkdtempSync(join(tmpdir(), 'opgraph-train-')), 'state.safetensors');
    await first.save(path);
    const second = await compileTraining(model, opts);
    await second.restore(path);
    expect(second.state().get('optimizer.step')!.data[0]).toBe(4);
    const rest = await train(second, training, 4);
    expect(rest.loss).toEqual(all.loss.slice(4));
    for (const [k, t] of straight.state()) expect(Array.from(second.state().get(k)!.data as Float32Array), k).toEqual(Array.from(t.data as Float32Array));
  });
});

/** loss = sum((w * x)^2) over a weight w [3] and input x [3]: d loss / d w = 2 w x^2. */
const quadratic = () =>
  graph('quadratic', (g) => {
    const w = g.param('w', { dtype: 'f32', shape: [3] }, () => f32([3], [1, -2, 0.5]));
    const y = w.mul(g.input('x', [3]));
    return { loss: y.mul(y).sum() };
  });
const x = f32([3], [0.5, 1, 2]);
const grad = (w: number[]): number[] => w.map((v, i) => 2 * v * (x.data as Float32Array)[i]! ** 2);
const values = (t: Tensor): number[] => Array.from(t.data as Float32Array);

describe('optimizers', () => {
  it('sgd with momentum follows b = mu b + g, p -= lr b', async () => {
    const t = await compileTraining(quadratic(), { loss: 'loss', optimizer: sgd({ lr: 0.1, momentum: 0.9 }), target: 'interp' });
    let w = [1, -2, 0.5];
    let b = [0, 0, 0];
    for (let s = 0; s < 3; s++) {
      await t.step({ x });
      b = grad(w).map((g, i) => 0.9 * b[i]! + g);
      w = w.map((v, i) => v - 0.1 * b[i]!);
      values(t.parameters().get('w')!).forEach((v, i) => expect(v).toBeCloseTo(w[i]!, 5));
    }
  });

  it('adam matches torch.optim.Adam for three steps (bias correction, eps after the division)', async () => {
    const [lr, b1, b2, eps] = [0.05, 0.8, 0.9, 1e-3];
    const t = await compileTraining(quadratic(), { loss: 'loss', optimizer: adam({ lr, betas: [b1, b2], eps }), target: 'ts' });
    let w = [1, -2, 0.5];
    let [m, v] = [[0, 0, 0], [0, 0, 0]];
    for (let s = 1; s <= 3; s++) {
      await t.step({ x });
      const g = grad(w);
      m = m.map((mi, i) => b1 * mi + (1 - b1) * g[i]!);
      v = v.map((vi, i) => b2 * vi + (1 - b2) * g[i]! ** 2);
      w = w.map((wi, i) => wi - (lr / (1 - b1 ** s)) * (m[i]! / (Math.sqrt(v[i]!) / Math.sqrt(1 - b2 ** s) + eps)));
      values(t.parameters().get('w')!).forEach((p, i) => expect(p).toBeCloseTo(w[i]!, 5));
      values(t.state().get('optimizer.w.exp_avg_sq')!).forEach((p, i) => expect(p).toBeCloseTo(v[i]!, 4));
    }
  });
});

describe('errors', () => {
  it('rejects state entries it does not have, or of the wrong type', async () => {
    const t = await compileTraining(quadratic(), { loss: 'loss', optimizer: adam(), target: 'interp' });
    expect(() => t.load({ bias: f32([3]) })).toThrow(BindingError);
    expect(() => t.load({ w: f32([2]) })).toThrow(/state entry "w" is f32\[2\], expected f32\[3\]/);
  });

  it('needs a scalar loss output that exists', async () => {
    await expect(compileTraining(quadratic(), { loss: 'nope', optimizer: adam(), target: 'interp' })).rejects.toThrow(/has no output "nope"/);
    const vector = graph('vector', (g) => ({ loss: g.param('w', { dtype: 'f32', shape: [2] }, () => f32([2])).mul(2) }));
    await expect(compileTraining(vector, { loss: 'loss', optimizer: adam(), target: 'interp' })).rejects.toThrow(OpgraphError);
  });

  it('names the node it cannot differentiate through', async () => {
    const model = graph('strided', (g) => {
      const w = g.param('w', { dtype: 'f32', shape: [4] }, () => f32([4], [1, 2, 3, 4]));
      return { loss: w.slice(0, 0, 4, 2).sum() };
    });
    await expect(compileTraining(model, { loss: 'loss', optimizer: adam(), target: 'interp' })).rejects.toThrow(/cannot differentiate node %\d+ \(slice\): no gradient for slice with step 2/);
});
});

describe('crossEntropy', () => {
  it('is PyTorch cross_entropy: mean and sum of -log_softmax at the target', async () => {
    const logits = f32([2, 3], [1, 2, 3, 0.5, -1, 2]);
    const target = tensor('i64', [2], [2, 0]);
    const lse = (r: number[]) => Math.log(r.reduce((s, v) => s + Math.exp(v), 0));
    const nll = [lse([1, 2, 3]) - 3, lse([0.5, -1, 2]) - 0.5];
    for (const reduction of ['mean', 'sum'] as const) {
      const g = graph('ce', (b) => F.crossEntropy(b.input('logits', [2, 3]), b.input('target', [2], 'i64'), { reduction }));
      const got = interpret(g, { logits, target }).output!.data[0]!;
      expect(got).toBeCloseTo(reduction === 'mean' ? (nll[0]! + nll[1]!) / 2 : nll[0]! + nll[1]!, 6);
    }
  });
});
