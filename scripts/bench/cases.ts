// The benchmark's models: one opgraph graph each, with seeded weights and inputs. Every peer gets
// the same weights (by PyTorch state_dict name), the same inputs and the interpreter's output as
// the reference, all written as safetensors under the bench folder (out/bench/<case id>/).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { graph, nn } from '../../src/api/index.ts';
import { Rng } from '../../src/api/init.ts';
import type { Graph } from '../../src/ir/graph.ts';
import { type Tensor, tensor } from '../../src/ir/tensor.ts';
import { numel } from '../../src/ir/types.ts';
import { writeSafetensors } from '../../src/io/safetensors-file.ts';
import { interpret } from '../../src/runtime/interpreter.ts';
import { seedMha } from '../../examples/mha.ts';
import { encoderLayer } from '../../examples/transformer-encoder-layer.ts';
import { smallCnn } from '../../examples/small-cnn.ts';
import { gpt2Block } from '../../examples/gpt2-block.ts';
import { flopsOf } from './measure.ts';

/** Which PyTorch / TensorFlow.js model a case is, with its sizes (read by torch_peer.py and tfjs-models.ts). */
export type CaseSpec =
  | { kind: 'mha'; config: { batch: number; seq: number; dModel: number; heads: number } }
  | { kind: 'encoder'; config: { seq: number; batch: number; dModel: number; heads: number; ff: number } }
  | { kind: 'lstm'; config: { seq: number; batch: number; input: number; hidden: number; layers: number } }
  | { kind: 'gemm'; config: { m: number; k: number; n: number } }
  | { kind: 'cnn'; config: { batch: number; size: number } }
  | { kind: 'gpt2block'; config: { batch: number; seq: number; dModel: number; heads: number } };

/** What peers read from cases.json. */
export type CaseInfo = CaseSpec & {
  readonly id: string;
  readonly title: string;
  /** Input names in the PyTorch forward's argument order. */
  readonly inputs: readonly string[];
  readonly outputShape: readonly number[];
  readonly flops: number;
};

/** A case with its graph, weights, inputs and reference output (in this process only). */
export type Case = CaseInfo & {
  readonly graph: Graph;
  readonly weights: ReadonlyMap<string, Tensor>;
  readonly inputTensors: ReadonlyMap<string, Tensor>;
  readonly reference: Tensor;
};

/** The LSTM case's graph: nn.LSTM over [seq, batch, input] from zero states, its output sequence. */
function lstmGraph({ seq, batch, input, hidden, layers }: Extract<CaseSpec, { kind: 'lstm' }>['config']): Graph {
  return graph('lstm', (g) => new nn.LSTM(input, hidden, { numLayers: layers }).forward(g.input('x', [seq, batch, input])).output);
}

/** x [m, k] @ w [k, n], w a weight. */
function gemmGraph({ m, k, n }: Extract<CaseSpec, { kind: 'gemm' }>['config']): Graph {
  const init = (s: readonly number[], r: Rng): Tensor => tensor('f32', s, Float32Array.from({ length: numel(s) }, () => r.next() - 0.5));
  return graph('gemm', (g) => g.input('x', [m, k]).matmul(g.param('w', { dtype: 'f32', shape: [k, n] }, init)));
}

/** The opgraph graph of a case (its weights carry seeded data; peers bind the saved ones). */
export function graphOf(spec: CaseSpec): Graph {
  switch (spec.kind) {
    case 'mha': return seedMha(spec.config);
    case 'encoder': return encoderLayer(spec.config);
    case 'lstm': return lstmGraph(spec.config);
    case 'gemm': return gemmGraph(spec.config);
    case 'cnn': return smallCnn(spec.config.batch, spec.config.size);
    case 'gpt2block': return gpt2Block(spec.config);
  }
}

const SPECS: (CaseSpec & { id: string; title: string })[] = [
  { id: 'mha_tiny', title: 'seed MHA 1x3x6, 2 heads', kind: 'mha', config: { batch: 1, seq: 3, dModel: 6, heads: 2 } },
  { id: 'mha_seed512', title: 'seed MHA 1x10x512, 8 heads', kind: 'mha', config: { batch: 1, seq: 10, dModel: 512, heads: 8 } },
  { id: 'mha_128', title: 'MHA 1x128x512, 8 heads', kind: 'mha', config: { batch: 1, seq: 128, dModel: 512, heads: 8 } },
  { id: 'encoder', title: 'TransformerEncoderLayer 128x1x512, FFN 2048', kind: 'encoder', config: { seq: 128, batch: 1, dModel: 512, heads: 8, ff: 2048 } },
  { id: 'lstm', title: 'LSTM 2 layers x 256 hidden, 64 steps', kind: 'lstm', config: { seq: 64, batch: 1, input: 256, hidden: 256, layers: 2 } },
  { id: 'gemm', title: 'GEMM 512x512 @ 512x512', kind: 'gemm', config: { m: 512, k: 512, n: 512 } },
  { id: 'gpt2_block', title: 'GPT-2 block 1x128x768, 12 heads (PyTorch writes the mask as a tril buffer, GELU as its tanh formula)', kind: 'gpt2block', config: { batch: 1, seq: 128, dModel: 768, heads: 12 } },
  { id: 'cnn', title: 'small CNN 1x3x224x224 (2 conv + BatchNorm + ReLU + MaxPool, global pool, Linear)', kind: 'cnn', config: { batch: 1, size: 224 } },
];

/** Builds every case: graph, weights (from the graph's seeded initialisers), inputs (seed 42), reference. */
export function buildCases(): Case[] {
  return SPECS.map((spec) => {
    const g = graphOf(spec);
    const weights = new Map(g.weights.map((w) => [w.name, w.data!]));
    const rng = new Rng(42);
    const inputTensors = new Map(g.inputs.map((i) => [i.name, tensor('f32', i.type.shape, Float32Array.from({ length: numel(i.type.shape) }, () => rng.normal()))]));
    const out = interpret(g, inputTensors);
    const reference = out[g.outputs[0]!.name]!;
    return { ...spec, graph: g, weights, inputTensors, reference, inputs: g.inputs.map((i) => i.name), outputShape: reference.shape, flops: flopsOf(g) } as Case;
  });
}

/** Writes cases.json and each case's weights, inputs and reference under `dir`. */
export async function writeCases(dir: string, cases: readonly Case[]): Promise<void> {
  mkdirSync(dir, { recursive: true });
  for (const c of cases) {
    mkdirSync(join(dir, c.id), { recursive: true });
    // A previous run's ONNX export must not stand in for this run's weights.
    rmSync(join(dir, c.id, 'model.onnx'), { force: true });
    await writeSafetensors(join(dir, c.id, 'weights.safetensors'), c.weights);
    await writeSafetensors(join(dir, c.id, 'inputs.safetensors'), c.inputTensors);
    await writeSafetensors(join(dir, c.id, 'reference.safetensors'), { output: c.reference });
  }
  const infos: CaseInfo[] = cases.map(({ id, title, kind, config, inputs, outputShape, flops }) => ({ id, title, kind, config, inputs, outputShape, flops }) as CaseInfo);
  writeFileSync(join(dir, 'cases.json'), JSON.stringify(infos, null, 1));
}
