// What a training example module exports beside its model (the default export): how to train
// it, for `opgraph train` and the tests.
import type { Tensor } from '../ir/tensor.ts';
import type { Optimizer } from './optimizers.ts';

/** The `TRAINING` export of a training example. */
export interface TrainingExample {
  /** The model output holding the loss. */
  readonly loss: string;
  readonly optimizer: Optimizer;
  /** The batch every epoch trains on (the model's inputs by name). */
  batch(): Readonly<Record<string, Tensor>>;
  /** The prediction of one epoch, from the model's outputs of that step (e.g. "ohlol"). */
  predict(outputs: Readonly<Record<string, Tensor>>): string;
  /** Epochs the seed program runs. */
  readonly epochs: number;
  /** Its PyTorch trajectory, test/fixtures/training/NAME.{json,init.safetensors,final.safetensors}. */
  readonly fixture?: string;
}
