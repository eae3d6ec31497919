// A MobileNet-style depthwise-separable block (1x32x112x112: depthwise 3x3 pad 1 + bias + ReLU6,
// then pointwise 1x1 to 64 channels + bias + ReLU6) on the wasm backend at -O2, kernel by kernel,
// with the depthwise conv on the direct depthwise family and, for comparison, on the im2col
// family alone (`im2col`: the family list edited for this process only; run it as its own process):
// `npx tsx scripts/bench/wasm-dwsep.ts [relaxed|plain] [threads] [depthwise|im2col]`. A measurement, not a test.
import { setFlagsFromString } from 'node:v8';
import { PIPELINES, runPipeline } from '../../passes/pipeline.ts';
import { Rng } from '../../src/api/init.ts';
import { IRBuilder } from '../../src/ir/builder.ts';
import type { Graph, ValueId } from '../../src/ir/graph.ts';
import { f32 } from '../../src/ir/tensor.ts';
import { numel, tensorType } from '../../src/ir/types.ts';
import { WASM_FAMILIES } from '../../src/codegen/wasm/index.ts';
import { convKernels } from '../../src/codegen/wasm/kernels/conv.ts';
import { profileRun } from '../../src/runtime/profile.ts';

setFlagsFromString('--experimental-wasm-relaxed-simd');
const simd = (process.argv[2] ?? 'relaxed') as 'relaxed' | 'plain';
const threads = Number(process.argv[3] ?? 1);
const rng = new Rng(42);
const values = (shape: number[], scale: number) => f32(shape, Array.from({ length: numel(shape) }, () => (rng.next() * 2 - 1) * scale));

/** The block: x [1, C, H, W] -> depthwise 3x3 -> ReLU6 -> pointwise to 2C -> ReLU6. */
export function dwsepBlock(c = 32, size = 112): Graph {
  const b = new IRBuilder('dwsep');
  const weight = (name: string, shape: number[], scale: number): ValueId => b.weight(name, tensorType('f32', shape), values(shape, scale)).id;
  const relu6 = (y: ValueId, at: string): ValueId => {
    const [lo, hi] = [b.weight(`${at}.lo`, tensorType('f32', []), f32([], [0])).id, b.weight(`${at}.hi`, tensorType('f32', []), f32([], [6])).id];
    return b.node('min', {}, [b.node('max', {}, [y, lo])[0]!.id, hi])[0]!.id;
  };
  const x = b.input('x', tensorType('f32', [1, c, size, size])).id;
  const dw = b.node('conv', { strides: [1, 1], dilations: [1, 1], pads: [1, 1, 1, 1], group: c }, [x, weight('dw.weight', [c, 1, 3, 3], 0.3), weight('dw.bias', [c], 0.1)], 'dw')[0]!.id;
  const pw = b.node('conv', { strides: [1, 1], dilations: [1, 1], pads: [0, 0, 0, 0], group: 1 }, [relu6(dw, 'dw'), weight('pw.weight', [2 * c, c, 1, 1], 0.2), weight('pw.bias', [2 * c], 0.1)], 'pw')[0]!.id;
  b.output('y', relu6(pw, 'pw'));
  return b.finish();
}

const g = runPipeline(dwsepBlock(), PIPELINES[2]).graph;
const x = g.inputs[0]!;
const inputs = { [x.name]: values([...x.type.shape], 1) };
const weights = Object.fromEntries(g.weights.map((w) => [w.name, w.data!]));
const mode = process.argv[4] ?? 'depthwise';
if (mode === 'im2col') (WASM_FAMILIES as { conv?: unknown }).conv = [convKernels];
const p = await profileRun(g, inputs, { backend: 'wasm', weights, simd, threads, minMs: 1500 });
console.log(`${mode === 'im2col' ? 'im2col family alone' : 'depthwise family first'}, ${simd} SIMD, ${threads} thread(s): ${(p.runMs / p.runs).toFixed(2)} ms a run over ${p.runs} runs`);
for (const k of p.kernels) if (k.ms / p.runs > 0.02) console.log(`  ${(k.ms / p.runs).toFixed(3)} ms  ${k.node.op.padEnd(10)} ${k.node.label ?? ''}`);
