// The WGSL jobs: every op case, every fixture at -O0 and -O2, every example on random inputs and
// the training examples, each compiled to WGSL, run on the WebGPU adapter and compared with the
// expected tensors, the interpreter or PyTorch. wgsl.test.ts runs them; op cases outside the WGSL
// backend's numeric contract (see contract.ts) are reported as skipped with the reason.
import { existsSync } from 'node:fs';
import { compileWgsl } from '../../src/compile.ts';
import { IRBuilder } from '../../src/ir/builder.ts';
import { loadOnnx } from '../../src/io/onnx/import.ts';
import { interpret } from '../../src/runtime/interpreter.ts';
import { compareTensors } from '../../src/runtime/compare.ts';
import { readSafetensors } from '../../src/io/safetensors-file.ts';
import type { Tensor } from '../../src/ir/tensor.ts';
import { contractOf, maskNonFinite } from './contract.ts';
import { type RecurrentShape, VALUE_CASES, namedInputs, oneNodeGraph, randomInputs, randomTensor, recurrentGraph, Rng } from '../codegen/helpers.ts';
import { hostile } from '../codegen/hostile.ts';
import { EXAMPLE_NAMES, FIXTURES_DIR, buildExample, fixtureExamples, fixtureManifest } from '../example-graphs.ts';
import { compileTraining } from '../../src/train/index.ts';
import { TRAINING_EXAMPLES, asString, loadExample, loadTrajectory, train } from '../train/helpers.ts';

/** One job: its name, why it cannot be checked on WGSL (if so), and the check. */
export interface GpuJob {
  readonly name: string;
  readonly skip?: string;
  readonly job: () => Promise<{ ok: boolean; detail: string }>;
}

function compareAll(got: Record<string, Tensor>, want: Record<string, Tensor>, rtol: number, atol: number): { ok: boolean; detail: string } {
  const parts = Object.entries(want).map(([k, w]) => [k, compareTensors(got[k]!, w, rtol, atol)] as const);
  return { ok: parts.every(([, c]) => c.ok), detail: parts.map(([k, c]) => `${k}: ${c.reason ?? `max |diff| ${c.maxAbs.toExponential(1)}`}`).join('; ') };
}

/**
 * Recurrent layers larger than the op cases, with their gradients: the state each invocation keeps
 * in the kernel's scratch (several invocations of a forward kernel at once) checked on real sizes.
 */
const MID_RECURRENT: readonly (readonly ['rnn' | 'lstm' | 'gru', RecurrentShape])[] = [
  ['lstm', { T: 12, B: 3, I: 20, H: 40, direction: 'bidirectional' }],
  ['gru', { T: 10, B: 2, I: 16, H: 36, direction: 'reverse' }],
  ['rnn', { T: 10, B: 2, I: 16, H: 36, direction: 'forward' }],
];

/** Every job: op cases, fixtures at -O0 and -O2, the fixtures' ONNX exports, examples on random inputs. */
export async function wgslJobs(): Promise<GpuJob[]> {
  const list: GpuJob[] = [];
  for (const c of VALUE_CASES) {
    const { skip, finiteOnly, tolerance = 0 } = contractOf(c);
    list.push({
      name: `op ${c.op}: ${c.name}${finiteOnly ? ' (finite elements)' : ''}`,
      ...(skip ? { skip } : {}),
      job: async () => {
        const model = await compileWgsl(oneNodeGraph(c.name, c.op, c.attrs, c.inputs), { level: 0 });
        try {
          const out = await model.run(namedInputs(c.inputs));
          const pairs = c.expect.map((w, i) => (finiteOnly ? maskNonFinite(out[`y${i}`]!, w) : [out[`y${i}`]!, w]));
          const [got, want] = [0, 1].map((k) => Object.fromEntries(pairs.map((p, i) => [`y${i}`, p[k]!])));
          return compareAll(got!, want!, Math.max(c.rtol ?? 1e-5, 1e-5, tolerance), Math.max(c.atol ?? 1e-6, 1e-5, tolerance));
        } finally {
          model.destroy();
        }
      },
    });
  }
  const byFixture = await fixtureExamples();
  for (const fx of fixtureManifest()) {
    for (const level of [0, 2] as const) {
      list.push({
        name: `fixture ${fx.name} -O${level}`,
        job: async () => {
          const g = await buildExample(byFixture[fx.name]!);
          const weights = await readSafetensors(`${FIXTURES_DIR}${fx.weights_file}`);
          const io = await readSafetensors(`${FIXTURES_DIR}${fx.io_file}`);
          const model = await compileWgsl(g, { weights, level });
          try {
            const got = await model.run(new Map(g.inputs.map((i) => [i.name, io.get(i.name)!])));
            return compareAll(got, Object.fromEntries(fx.outputs.map((o) => [o.name, io.get(o.key)!])), 1e-4, 1e-5);
          } finally {
            model.destroy();
          }
        },
      });
    }
  }
  for (const fx of fixtureManifest().filter((f) => existsSync(`${FIXTURES_DIR}${f.name}.onnx`))) {
    list.push({
      name: `onnx export ${fx.name}`,
      job: async () => {
        const io = await readSafetensors(`${FIXTURES_DIR}${fx.io_file}`);
        // Exports with dynamic axes get their sizes from the inputs, as `opgraph run` does.
        const g = await loadOnnx(`${FIXTURES_DIR}${fx.name}.onnx`, { shapes: Object.fromEntries(fx.inputs.map((i) => [i.name, io.get(i.key)!.shape])) });
        const model = await compileWgsl(g, { level: 2 });
        try {
          const got = await model.run(new Map(g.inputs.map((i) => [i.name, io.get(i.name)!])));
          return compareAll(got, Object.fromEntries(fx.outputs.map((o) => [o.name, io.get(o.key)!])), 1e-4, 1e-5);
        } finally {
          model.destroy();
        }
      },
    });
  }
  for (const [op, shape] of MID_RECURRENT) {
    for (const grad of [false, true]) {
      list.push({
        name: `mid-size ${op}${grad ? 'Grad' : ''} (T ${shape.T}, batch ${shape.B}, I ${shape.I}, H ${shape.H}, ${shape.direction}) against the interpreter`,
        job: async () => {
          const g = recurrentGraph(op, shape, grad);
          const rng = new Rng(0x7ec);
          // Weights and biases (x1..x4) as PyTorch initialises them, U(-1/sqrt(H), 1/sqrt(H)); the rest in [-1, 1).
          const inputs = Object.fromEntries(g.inputs.map((v, i) => [v.name, randomTensor(rng, v.type, { range: i >= 1 && i <= 4 ? 1 / Math.sqrt(shape.H) : 1 })]));
          const model = await compileWgsl(g, { level: 0 });
          try {
            return compareAll(await model.run(inputs), interpret(g, inputs), 1e-4, 1e-5);
          } finally {
            model.destroy();
          }
        },
      });
    }
  }
  list.push({
    name: 'an lstm over weights only (a static kernel, run once, with scratch) against the interpreter',
    job: async () => {
      const [b, rng, H] = [new IRBuilder('static-lstm'), new Rng(0x57a), 6];
      const types = recurrentGraph('lstm', { T: 5, B: 2, I: 3, H, direction: 'bidirectional' }, false).inputs.map((v) => v.type);
      const ids = types.map((t, i) => b.weight(`w${i}`, t, randomTensor(rng, t, { range: 1 / Math.sqrt(H) })).id);
      b.node('lstm', { hidden: H, direction: 'bidirectional' }, ids).forEach((v, i) => b.output(`y${i}`, v.id));
      const g = b.finish();
      const model = await compileWgsl(g, { level: 0 });
      try {
        const once = model.program.kernels.filter((k) => k.once).map((k) => k.name);
        const cmp = compareAll(await model.run({}), interpret(g, {}), 1e-5, 1e-6);
        return { ok: cmp.ok && once.length === 1, detail: `kernels run once: ${once.join(', ') || 'none'}; ${cmp.detail}` };
      } finally {
        model.destroy();
      }
    },
  });
  list.push({
    name: 'hostile names (test/codegen/hostile.ts) on random inputs',
    job: async () => {
      const g = hostile();
      const inputs = randomInputs(g, new Rng(0x5ec));
      const model = await compileWgsl(g, { level: 2 });
      try {
        return compareAll(await model.run(inputs), interpret(g, inputs), 1e-4, 1e-5);
      } finally {
        model.destroy();
      }
    },
  });
  for (const name of EXAMPLE_NAMES) {
    list.push({
      name: `example ${name} on random inputs`,
      job: async () => {
        const g = await buildExample(name);
        const inputs = randomInputs(g, new Rng(0x9a5));
        const model = await compileWgsl(g, { level: 2 });
        try {
          return compareAll(await model.run(inputs), interpret(g, inputs), 1e-4, 1e-5);
        } finally {
          model.destroy();
        }
      },
    });
  }
  for (const name of TRAINING_EXAMPLES) {
    list.push({
      name: `training ${name}: 15 epochs against PyTorch`,
      job: async () => {
        const { model, training } = await loadExample(name);
        const ref = await loadTrajectory(training.fixture!);
        const trainer = await compileTraining(model, { loss: training.loss, optimizer: training.optimizer, target: 'wgsl' });
        try {
          trainer.load(ref.init);
          const got = await train(trainer, training, ref.loss.length);
          const worst = Math.max(...got.loss.map((l, e) => Math.abs(l - ref.loss[e]!) / Math.abs(ref.loss[e]!)));
          const same = JSON.stringify(got.predicted) === JSON.stringify(ref.predicted.map(asString));
          return { ok: worst < 1e-4 && same, detail: `worst relative loss error ${worst.toExponential(1)}; predictions ${same ? 'match' : `differ: ${got.predicted.join(' ')}`}` };
        } finally {
          trainer.destroy();
        }
      },
    });
  }
  return list;
}
