// A CNN trains as in PyTorch (scripts/fixtures/cnn_models.py, train()): examples/train-cnn.ts from
// PyTorch's initial state_dict, the same three batches cycled for 12 Adam steps (lr 0.03); every
// step's loss within 1e-4 relative of PyTorch's, on the interpreter, TS, wasm and WGSL. The
// backward pass runs the conv, maxPool and adaptive-pool gradients.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { trainingGraph } from '../../examples/train-cnn.ts';
import { tensor } from '../../src/ir/tensor.ts';
import { readSafetensors } from '../../src/io/safetensors-file.ts';
import { adam, compileTraining } from '../../src/train/index.ts';
import { adapterOrReason, skipNote } from '../wgsl/adapter.ts';

const DIR = new URL('../fixtures/cnn/', import.meta.url).pathname;
const log = JSON.parse(readFileSync(`${DIR}train_cnn.json`, 'utf8')) as { batch: number; steps: number; lr: number; loss: number[] };
const init = await readSafetensors(`${DIR}train_cnn.init.safetensors`);
const batches = await readSafetensors(`${DIR}train_cnn.batches.safetensors`);
const [xs, ys] = [batches.get('x')!, batches.get('y')!];

/** Batch `step` of the fixture's three, cycled. */
function batch(step: number) {
  const b = step % xs.shape[0]!;
  const per = log.batch * 144;
  return {
    x: tensor('f32', [log.batch, 1, 12, 12], (xs.data as Float32Array).slice(b * per, (b + 1) * per)),
    labels: tensor('i64', [log.batch], (ys.data as BigInt64Array).slice(b * log.batch, (b + 1) * log.batch)),
  };
}

async function trainsLikePyTorch(target: 'interp' | 'ts' | 'wasm' | 'wgsl'): Promise<void> {
  const trainer = await compileTraining(trainingGraph(log.batch), { loss: 'loss', optimizer: adam({ lr: log.lr }), target });
  trainer.load(init);
  const got: number[] = [];
  for (let step = 0; step < log.steps; step++) got.push(await trainer.step(batch(step)));
  trainer.destroy();
  got.forEach((l, i) => expect(Math.abs(l - log.loss[i]!) / log.loss[i]!, `step ${i + 1}: ${l} vs ${log.loss[i]}`).toBeLessThan(1e-4));
}

describe('examples/train-cnn.ts trains as PyTorch does', () => {
  it('the fixture learns (each batch\'s loss falls between its first and last visit)', () => {
    for (let b = 0; b < 3; b++) expect(log.loss[log.steps - 3 + b]!).toBeLessThan(log.loss[b]!);
  });
  it.each(['interp', 'ts', 'wasm'] as const)('on %s: every step within 1e-4 relative', { timeout: 120_000 }, (target) => trainsLikePyTorch(target));
});

const { gpu, reason } = await adapterOrReason();
describe.skipIf(!gpu)(`CNN training on wgsl${skipNote(reason)}`, () => {
  it('every step within 1e-4 relative', { timeout: 300_000 }, () => trainsLikePyTorch('wgsl'));
});
