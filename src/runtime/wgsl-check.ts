// Check mode (`opgraph run --backend wgsl --check`): runs the WGSL kernels one at a time, reads
// back what each wrote, and compares it with the reference interpreter's value for the same node.
// Reports the first node whose outputs diverge and the first node whose WGSL outputs hold a NaN or
// an Inf that the interpreter does not produce at that position (a mask's -Infinity is no
// finding). Reading back after each kernel sees every intermediate before the arena reuses its memory,
// so the memory plan stays the one a normal run uses.
import type { WgslProgram } from '../codegen/wgsl/index.ts';
import type { Graph } from '../ir/graph.ts';
import { type Tensor, getNumber, tensor } from '../ir/tensor.ts';
import { stridesOf } from '../ir/types.ts';
import type { OpKind } from '../ops/attrs.ts';
import { type NamedTensors, resolveWeights } from './bind.ts';
import { compareTensors } from './compare.ts';
import { interpret } from './interpreter.ts';
import { type Gpu, assertDevice, createMemory, uploadInputs } from './webgpu.ts';
import { createReadback, encodeKernels, fromWords, submitAndRead } from './webgpu-core.ts';

/** Where in the graph a finding is: the node, which output, and the element's coordinates. */
export interface CheckSite {
  readonly node: number;
  readonly value: number;
  readonly op: OpKind;
  readonly label?: string;
  readonly kernel: string;
  readonly output: number;
  readonly position: readonly number[];
  /** The element on the GPU and in the interpreter. */
  readonly wgsl: number;
  readonly reference: number;
}

/** What check mode found. */
export interface CheckReport {
  /** Kernels run and compared. */
  readonly compared: number;
  /** The first node whose WGSL outputs are not allclose to the interpreter's, with the largest |diff|. */
  readonly divergence?: CheckSite & { readonly maxAbs: number };
  /** The first node whose WGSL outputs hold a NaN or Inf where the interpreter's do not (the first such element). */
  readonly nonFinite?: CheckSite;
  /** Elements that are NaN or Inf on the GPU and the same in the interpreter (not findings). */
  readonly sharedNonFinite: number;
}

/** Tolerances of the comparison (numpy allclose), and the weights (strict unless `strict` is false, as in BindOptions). */
export interface CheckOptions {
  readonly rtol?: number;
  readonly atol?: number;
  readonly weights?: NamedTensors;
  readonly strict?: boolean;
}

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
    let compared = 0;
    let divergence: CheckReport['divergence'];
    let nonFinite: CheckReport['nonFinite'];
    let sharedNonFinite = 0;
    for (const { k, p } of order) {
      assertDevice(device);
      const rb = createReadback(device, k.writes);
      const words = await submitAndRead(device, encodeKernels(device, [p], p.once), mem, rb).finally(() => rb.buffer.destroy());
      if (k.node === undefined) continue;
      const node = graph.nodes[k.node]!;
      compared++;
      node.outputs.forEach((o, out) => {
        const want = reference.get(k.node!)![out]!;
        const got = tensor(o.type.dtype, o.type.shape, fromWords(words, rb.packed[out]!));
        const site = (at: number): CheckSite => ({
          node: k.node!, value: o.id, op: node.op, ...(node.label ? { label: node.label } : {}), kernel: k.name, output: out,
          position: unravel(at, o.type.shape), wgsl: getNumber(got, at), reference: getNumber(want, at),
        });
        if (!divergence) {
          const c = compareTensors(got, want, opts.rtol ?? 1e-4, opts.atol ?? 1e-5);
          if (!c.ok) divergence = { ...site(Math.max(c.worst, 0)), maxAbs: c.maxAbs };
        }
        if (o.type.dtype === 'f32') {
          const { first, shared } = nonFiniteAgainst(got.data as Float32Array, want);
          sharedNonFinite += shared;
          if (!nonFinite && first >= 0) nonFinite = site(first);
        }
      });
    }
    return { compared, sharedNonFinite, ...(divergence ? { divergence } : {}), ...(nonFinite ? { nonFinite } : {}) };
  } finally {
    mem.destroy();
  }
}

/**
 * NaNs and infinities of a GPU result against the interpreter's: the first element (-1 if none)
 * that is NaN or Inf on the GPU but not the same in the interpreter, and how many are the same.
 */
export function nonFiniteAgainst(got: Float32Array, want: Tensor): { first: number; shared: number } {
  let first = -1;
  let shared = 0;
  for (let i = 0; i < got.length; i++) {
    const x = got[i]!;
    if (Number.isFinite(x)) continue;
    const y = getNumber(want, i);
    if (Number.isNaN(x) ? Number.isNaN(y) : x === y) shared++;
    else if (first < 0) first = i;
  }
  return { first, shared };
}

/** Coordinates of flat index `i` in `shape` (row-major). */
function unravel(i: number, shape: readonly number[]): number[] {
  return stridesOf(shape).map((s, d) => Math.floor(i / s) % shape[d]!);
}
