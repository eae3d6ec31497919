// Check mode (`opgraph run --backend wgsl --check`): runs the WGSL kernels one at a time, reads
// back what each wrote, and compares it with the reference interpreter's value for the same node.
// The shared CheckRecorder (check.ts) reports the first node whose outputs diverge and the first
// whose outputs hold a NaN or an Inf that the interpreter does not produce at that position (a
// mask's -Infinity is no finding). Reading back after each kernel sees every intermediate before the arena reuses its memory,
// so the memory plan stays the one a normal run uses.
import type { WgslProgram } from '../codegen/wgsl/index.ts';
import type { Graph } from '../ir/graph.ts';
import { type Tensor, tensor } from '../ir/tensor.ts';
import { type NamedTensors, resolveWeights } from './bind.ts';
import { type CheckOptions, CheckRecorder, type CheckReport } from './check.ts';
import { interpret } from './interpreter.ts';
import { type Gpu, assertDevice, createMemory, uploadInputs } from './webgpu.ts';
import { createReadback, encodeKernels, fromWords, submitAndRead } from './webgpu-core.ts';

export type { CheckOptions, CheckReport, CheckSite } from './check.ts';

/** Runs `program` (generated from `graph`) kernel by kernel on `gpu`, comparing with the interpreter. */
export async function checkWgsl(gpu: Gpu, graph: Graph, program: WgslProgram, inputs: NamedTensors, opts: CheckOptions = {}): Promise<CheckReport> {
  const reference = new Map<number, readonly Tensor[]>();
  const index = new Map(graph.nodes.map((n, i) => [n, i]));
  const weights = resolveWeights(graph, opts.weights, opts);
  interpret(graph, inputs, { weights, onNode: (n, outs) => reference.set(index.get(n)!, outs) });
  const { device } = gpu;
  const { mem, pipelines } = await createMemory(gpu, graph, program, weights);
  try {
    uploadInputs(gpu, graph, program, mem, inputs);
    // The order of a real run: once-kernels at creation, then the others.
    const order = program.kernels.map((k, i) => ({ k, p: pipelines[i]! })).sort((a, b) => Number(b.k.once) - Number(a.k.once));
    const recorder = new CheckRecorder(opts);
    for (const { k, p } of order) {
      assertDevice(device);
      const rb = createReadback(device, k.writes);
      const words = await submitAndRead(device, encodeKernels(device, [p], p.once), mem, rb).finally(() => rb.buffer.destroy());
      if (k.node === undefined) continue;
      const node = graph.nodes[k.node]!;
      const got = node.outputs.map((o, out) => tensor(o.type.dtype, o.type.shape, fromWords(words, rb.packed[out]!)));
      recorder.record(k.node, node, k.name, got, reference.get(k.node)!);
    }
    return recorder.report();
  } finally {
    mem.destroy();
  }
}
