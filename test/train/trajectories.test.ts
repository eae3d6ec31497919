// Seed 001's three training programs on the TS backend, from PyTorch's initial weights: every
// epoch's loss within 1e-4 relative of PyTorch's, the same predictions, and the same final
// parameters (to float32 rounding accumulated over 15 Adam steps).
import { describe, expect, it } from 'vitest';
import { compileTraining } from '../../src/train/index.ts';
import { compareTensors } from '../../src/runtime/compare.ts';
import { TRAINING_EXAMPLES, asString, loadExample, loadTrajectory, train } from './helpers.ts';

describe.each(TRAINING_EXAMPLES)('examples/%s.ts reproduces PyTorch', (name) => {
  it.each(['ts', 'interp'] as const)('on %s', async (target) => {
    const { model, training } = await loadExample(name);
    const ref = await loadTrajectory(training.fixture!);
    const trainer = await compileTraining(model, { loss: training.loss, optimizer: training.optimizer, target });
    trainer.load(ref.init);
    const got = await train(trainer, training, training.epochs);
    expect(got.loss).toHaveLength(ref.loss.length);
    got.loss.forEach((l, e) => expect(Math.abs(l - ref.loss[e]!) / Math.abs(ref.loss[e]!), `epoch ${e + 1}: ${l} vs ${ref.loss[e]}`).toBeLessThan(1e-4));
    expect(got.predicted).toEqual(ref.predicted.map(asString));
    for (const [key, want] of ref.final) {
      const c = compareTensors(trainer.parameters().get(key)!, want, 1e-3, 1e-4);
      expect(c.ok, `${key}: ${c.reason ?? c.maxAbs}`).toBe(true);
    }
  });
});
