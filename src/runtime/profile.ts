// Where run time goes: a model run repeatedly with a clock read after every kernel. The TS and wasm
// modules are built in observe mode (each kernel reports as it finishes, see CompileOptions.observe)
// and the interpreter reports through onNode, so one node's time is the gap since the report
// before it. Each run is also timed as a whole from outside, in the same loop, so the kernels'
// sum can be held against the measured time (what the kernels miss: binding inputs, allocating
// outputs, the output copies).
import { compile } from '../compile.ts';
import { OpgraphError } from '../errors.ts';
import type { Graph, Node } from '../ir/graph.ts';
import type { Tensor } from '../ir/tensor.ts';
import { inGroup } from '../ops/table.ts';
import { type NamedTensors, resolveWeights } from './bind.ts';
import { interpret } from './interpreter.ts';

/** Backends a profile can time. */
export type ProfileBackend = 'interp' | 'ts' | 'wasm';

/** What share of time a kind of kernel takes: the four the issue asks for, and the rest. */
export type KernelCategory = 'gemm' | 'attention' | 'elementwise' | 'movement' | 'other';

/** One node's kernel and its time summed over the profiled runs. */
export interface KernelTime {
  readonly index: number;
  readonly node: Node;
  /** The kernel that ran it (a TS function or a wasm export; the op under the interpreter), as it reported. */
  kernel: string;
  readonly category: KernelCategory;
  ms: number;
}

/** A profile: kernels in run order, and the runs' measured time. */
export interface Profile {
  readonly backend: ProfileBackend;
  readonly graph: Graph;
  readonly runs: number;
  /** Wall time of the profiled runs, each measured around the whole run call. */
  readonly runMs: number;
  readonly kernels: readonly KernelTime[];
  /** The outputs of the last run. */
  readonly outputs: Record<string, Tensor>;
}

/** Options of profileRun. */
export interface ProfileOptions {
  readonly backend: ProfileBackend;
  readonly weights?: NamedTensors;
  /** Kernel level for ts/wasm (default 2; the graph is taken as already optimised). */
  readonly level?: 0 | 1 | 2;
  /** Runs at least this long in all (default 300 ms), at least `minRuns` (3) and at most `maxRuns` (200). */
  readonly minMs?: number;
  readonly minRuns?: number;
  readonly maxRuns?: number;
  /** wasm: SIMD instruction set and threads. */
  readonly simd?: 'relaxed' | 'plain';
  readonly threads?: number;
}

/** The category of a node's kernel, from the op groups. */
export function kernelCategory(n: Node): KernelCategory {
  if (n.op === 'matmul' || n.op === 'gemm') return 'gemm';
  if (n.op === 'attention') return 'attention';
  if (inGroup(n.op, 'elementwise') || n.op === 'fused') return 'elementwise';
  if (inGroup(n.op, 'movement')) return 'movement';
  return 'other';
}

/** Runs `graph` (after its passes) on `inputs` once to warm up, then profiles repeated runs. */
export async function profileRun(graph: Graph, inputs: NamedTensors, opts: ProfileOptions): Promise<Profile> {
  const slots = new Map<number, KernelTime>();
  graph.nodes.forEach((node, index) => {
    if (node.outputs[0]) slots.set(node.outputs[0].id, { index, node, kernel: node.op, category: kernelCategory(node), ms: 0 });
  });
  let last = 0;
  let counting = false;
  const ran = new Set<KernelTime>();
  const tick = (value: number, kernel: string): void => {
    const now = performance.now();
    const slot = slots.get(value);
    if (counting && slot) {
      slot.ms += now - last;
      slot.kernel = kernel;
      ran.add(slot);
    }
    last = now;
  };
  const runner = await makeRunner(graph, inputs, opts, tick);
  try {
    runner.run(); // warm-up: compiles the kernels' JIT code, not counted
    counting = true;
    const [minMs, minRuns, maxRuns] = [opts.minMs ?? 300, opts.minRuns ?? 3, opts.maxRuns ?? 200];
    let runs = 0;
    let runMs = 0;
    let outputs: Record<string, Tensor> = {};
    while (runs < minRuns || (runMs < minMs && runs < maxRuns)) {
      const t0 = performance.now();
      last = t0;
      outputs = runner.run();
      runMs += performance.now() - t0;
      runs++;
    }
    // Static nodes report while the model is created, before counting starts: they are not in a run.
    const kernels = [...ran].sort((a, b) => a.index - b.index);
    return { backend: opts.backend, graph, runs, runMs, kernels, outputs };
  } finally {
    runner.dispose();
  }
}

interface Runner {
  run(): Record<string, Tensor>;
  dispose(): void;
}

async function makeRunner(graph: Graph, inputs: NamedTensors, opts: ProfileOptions, tick: (value: number, kernel: string) => void): Promise<Runner> {
  if (opts.backend === 'interp') {
    const weights = resolveWeights(graph, opts.weights, {});
    return {
      run: () => {
        tick(-1, '');
        return interpret(graph, inputs, { weights, onNode: (n) => tick(n.outputs[0]?.id ?? -1, n.op) });
      },
      dispose: () => {},
    };
  }
  if (opts.backend !== 'ts' && opts.backend !== 'wasm') throw new OpgraphError(`cannot profile backend ${JSON.stringify(opts.backend)} (profiles: interp, ts, wasm)`);
  const model = await compile(graph, {
    target: opts.backend,
    optimized: true,
    level: opts.level ?? 2,
    ...(opts.weights ? { weights: opts.weights } : {}),
    ...(opts.simd ? { simd: opts.simd } : {}),
    ...(opts.threads ? { threads: opts.threads } : {}),
    observe: (value, kernel) => tick(value, kernel),
  });
  return { run: () => model.run(inputs), dispose: () => model.dispose() };
}
