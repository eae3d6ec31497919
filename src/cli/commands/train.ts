// `opgraph train EXAMPLE`: runs a training example's loop, one progress line per epoch, and saves
// the trained state (parameters and optimizer state) as safetensors, atomically.
import { basename } from 'node:path';
import { UsageError } from '../../errors.ts';
import { readSafetensors } from '../../io/safetensors-file.ts';
import { compileTraining } from '../../train/trainer.ts';
import { type OptionSpec, onePositional, optional, parseVerbArgs } from '../args.ts';
import type { Command } from '../command.ts';
import { loadTrainingExample, resolveModelPath } from '../model.ts';

const OPTIONS: OptionSpec = {
  epochs: { type: 'string' },
  backend: { type: 'string' },
  init: { type: 'string' },
  resume: { type: 'string' },
  out: { type: 'string', short: 'o' },
};

const BACKENDS = ['ts', 'wasm', 'wgsl', 'interp'] as const;

export const trainCommand: Command = {
  name: 'train',
  summary: 'train an example (forward, backward, optimizer) and save its weights',
  usage: `opgraph train EXAMPLE [--epochs N] [--backend ts|wasm|wgsl|interp] [--init W.safetensors] [--resume STATE.safetensors] [--out STATE.safetensors]

Trains EXAMPLE (an examples/ name or a path whose module exports the model as its
default and TRAINING: loss output, optimizer, batch, predict, epochs). Prints one
line per epoch: the loss of that epoch's forward pass and its prediction. Then
writes the parameters (PyTorch state_dict names) and optimizer state to OUT
(default EXAMPLE.trained.safetensors), atomically; --resume continues from such a
file. --init starts from given parameters instead (e.g. PyTorch's initial
state_dict). --epochs defaults to the example's own count; --backend to ts.`,
  async run(argv, io) {
    const p = parseVerbArgs('train', argv, OPTIONS);
    if (p.values.help) return io.help(this);
    const model = onePositional('train', p);
    const backend = optional(p, 'backend') ?? 'ts';
    if (!(BACKENDS as readonly string[]).includes(backend)) throw new UsageError(`train: unknown backend ${JSON.stringify(backend)} (available: ${BACKENDS.join(', ')})`);
    const epochsArg = optional(p, 'epochs');
    const epochs = epochsArg === undefined ? undefined : Number(epochsArg);
    if (epochs !== undefined && !(Number.isInteger(epochs) && epochs > 0)) throw new UsageError(`train: --epochs must be a positive integer, got ${JSON.stringify(epochsArg)}`);
    const out = optional(p, 'out') ?? `${basename(resolveModelPath(model), '.ts')}.trained.safetensors`;
    const { graph, training } = await loadTrainingExample(model);
    const trainer = await compileTraining(graph, { loss: training.loss, optimizer: training.optimizer, target: backend as (typeof BACKENDS)[number] });
    try {
      const init = optional(p, 'init');
      if (init) trainer.load(await readSafetensors(init));
      const resume = optional(p, 'resume');
      if (resume) await trainer.restore(resume);
      const total = epochs ?? training.epochs;
      const width = String(total).length;
      for (let e = 1; e <= total; e++) {
        const loss = await trainer.step(training.batch());
        io.out(`epoch ${String(e).padStart(width)}/${total}  loss ${loss.toFixed(6)}  predicted ${JSON.stringify(training.predict(trainer.outputs))}`);
      }
      await trainer.save(out);
      io.err(`saved ${trainer.state().size} tensors (parameters and optimizer state) to ${out}`);
    } finally {
      trainer.destroy();
    }
    return 0;
  },
};
