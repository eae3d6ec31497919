// Next-token training of the GPT-2 example against the real PyTorch code
// (scripts/fixtures/gpt2.py, train()): the same initial state_dict, the same windows of the
// corpus, Adam at the same rate; every step's loss within 1e-4 relative of PyTorch's.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TINY, trainingGraph } from '../../examples/gpt2.ts';
import { tensor } from '../../src/ir/tensor.ts';
import { readSafetensors } from '../../src/io/safetensors-file.ts';
import { adam, compileTraining } from '../../src/train/index.ts';
import { adapterOrReason, skipNote } from '../wgsl/adapter.ts';

const DIR = new URL('../fixtures/gpt2/', import.meta.url).pathname;
const log = JSON.parse(readFileSync(`${DIR}gpt2_tiny.train.json`, 'utf8')) as {
  corpus: string;
  seq: number;
  batch: number;
  steps: number;
  lr: number;
  starts: number[][];
  loss: number[];
};
const init = await readSafetensors(`${DIR}gpt2_tiny.train-init.safetensors`);
const data = [...new TextEncoder().encode(log.corpus)].map((b) => b % TINY.vocab);

/** The step's batch: windows of the corpus at `starts`, and the same windows one token on. */
function batch(starts: readonly number[]) {
  const window = (offset: number) => starts.flatMap((s) => data.slice(s + offset, s + offset + log.seq));
  return {
    tokens: tensor('i32', [log.batch, log.seq], window(0)),
    targets: tensor('i64', [log.batch * log.seq], window(1)),
  };
}

describe('the GPT-2 example trains next-token as PyTorch does', () => {
  it('the fixture is a real trajectory (the loss falls)', () => {
    expect(log.loss).toHaveLength(log.steps);
    expect(log.loss.at(-1)!).toBeLessThan(log.loss[0]! * 0.9);
  });

  it.each(['ts', 'wasm', 'interp'] as const)('on %s: every step within 1e-4 relative', (target) => trainsLikePyTorch(target));
});

const { gpu, reason } = await adapterOrReason();
describe.skipIf(!gpu)(`GPT-2 training on wgsl${skipNote(reason)}`, () => {
  it('every step within 1e-4 relative', { timeout: 300_000 }, () => trainsLikePyTorch('wgsl'));
});

async function trainsLikePyTorch(target: 'ts' | 'wasm' | 'interp' | 'wgsl'): Promise<void> {
  const model = trainingGraph(TINY, log.batch, log.seq);
  const trainer = await compileTraining(model, { loss: 'loss', optimizer: adam({ lr: log.lr }), target });
  trainer.load(init);
  const got: number[] = [];
  for (const starts of log.starts) got.push(await trainer.step(batch(starts)));
  trainer.destroy();
  got.forEach((l, i) => expect(Math.abs(l - log.loss[i]!) / log.loss[i]!, `step ${i + 1}: ${l} vs ${log.loss[i]}`).toBeLessThan(1e-4));
}
