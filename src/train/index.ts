// Training: the training graph, optimizers and compiled trainers.
export { compileTraining, type Trainer, type TrainingOptions } from './trainer.ts';
export { trainingGraph, type TrainingGraph, type TrainingSpec, slotName, STEP, NEXT } from './graph.ts';
export { adam, sgd, type Optimizer, type AdamOptions, type SgdOptions } from './optimizers.ts';
export type { TrainingExample } from './example.ts';
