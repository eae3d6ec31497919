// Check mode on the wasm backend (`opgraph run --backend wasm --check`): the model runs once, built
// so that every node reports its outputs as it finishes (wasm kernels and the TS kernels over the
// same memory alike), and each is compared with the interpreter's value for that node. The memory
// plan is the one a normal run uses; reading right after each node sees every intermediate before
// the arena reuses its bytes.
import { compile } from '../compile.ts';
import type { Graph, Node } from '../ir/graph.ts';
import { type Tensor, type TensorData, tensor } from '../ir/tensor.ts';
import { resolveWeights, type NamedTensors } from './bind.ts';
import { type CheckOptions, CheckRecorder, type CheckReport } from './check.ts';
import { interpret } from './interpreter.ts';

/** Runs `graph` (after its passes) on the wasm backend node by node beside the interpreter. */
export async function checkWasm(graph: Graph, inputs: NamedTensors, opts: CheckOptions & { readonly simd?: 'relaxed' | 'plain' } = {}): Promise<CheckReport> {
  const weights = resolveWeights(graph, opts.weights, opts);
  const reference = new Map<number, readonly Tensor[]>();
  const nodes = new Map<number, { node: Node; index: number }>();
  graph.nodes.forEach((n, index) => nodes.set(n.outputs[0]!.id, { node: n, index }));
  interpret(graph, inputs, { weights, onNode: (n, outs) => reference.set(n.outputs[0]!.id, outs) });
  const recorder = new CheckRecorder(opts);
  const observe = (value: number, kernel: string, outputs: readonly TensorData[]): void => {
    const at = nodes.get(value);
    const want = reference.get(value);
    if (!at || !want) return; // a node the backend made (none today), or one the interpreter did not run
    const got = at.node.outputs.map((o, k) => tensor(o.type.dtype, o.type.shape, outputs[k]!.slice() as TensorData));
    recorder.record(at.index, at.node, kernel, got, want);
  };
  const model = await compile(graph, { target: 'wasm', optimized: true, weights, observe, ...(opts.simd ? { simd: opts.simd } : {}) });
  try {
    model.run(inputs);
  } finally {
    model.dispose();
  }
  return recorder.report();
}
