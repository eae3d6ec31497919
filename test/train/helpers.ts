// The training examples and their PyTorch trajectories (test/fixtures/training/, written by
// scripts/fixtures/training.py), for the trajectory tests of every backend.
import { readFileSync } from 'node:fs';
import type { Graph } from '../../src/ir/graph.ts';
import type { Tensor } from '../../src/ir/tensor.ts';
import { readSafetensors } from '../../src/io/safetensors-file.ts';
import type { Trainer, TrainingExample } from '../../src/train/index.ts';

/** The training examples, by file name. */
export const TRAINING_EXAMPLES = ['train-rnncell', 'train-rnn', 'train-embed-rnn'] as const;

/** One PyTorch trajectory: per-epoch loss and predicted indices, initial and final state_dicts. */
export interface Trajectory {
  readonly loss: readonly number[];
  readonly predicted: readonly (readonly number[])[];
  readonly init: Map<string, Tensor>;
  readonly final: Map<string, Tensor>;
}

const DIR = new URL('../fixtures/training/', import.meta.url).pathname;

export async function loadExample(name: string): Promise<{ model: Graph; training: TrainingExample }> {
  const mod = (await import(`../../examples/${name}.ts`)) as { default: () => Graph; TRAINING: TrainingExample };
  return { model: mod.default(), training: mod.TRAINING };
}

export async function loadTrajectory(fixture: string): Promise<Trajectory> {
  const json = JSON.parse(readFileSync(`${DIR}${fixture}.json`, 'utf8')) as { loss: number[]; predicted: number[][] };
  return { ...json, init: await readSafetensors(`${DIR}${fixture}.init.safetensors`), final: await readSafetensors(`${DIR}${fixture}.final.safetensors`) };
}

/** The predicted string of PyTorch's indices over the seed's dictionary. */
export const asString = (idx: readonly number[]): string => idx.map((i) => 'ehlo'[i]).join('');

/** Runs `epochs` steps; returns each step's loss and prediction. */
export async function train(trainer: Trainer, ex: TrainingExample, epochs: number): Promise<{ loss: number[]; predicted: string[] }> {
  const out = { loss: [] as number[], predicted: [] as string[] };
  for (let e = 0; e < epochs; e++) {
    out.loss.push(await trainer.step(ex.batch()));
    out.predicted.push(ex.predict(trainer.outputs));
  }
  return out;
}
