// Check mode's bookkeeping, shared by every backend that can be checked kernel by kernel (WGSL,
// wasm): each node's outputs as the backend wrote them against the interpreter's, the first node
// that diverges and the first NaN or Inf the interpreter does not also produce at that position.
import type { Node } from '../ir/graph.ts';
import { type Tensor, getNumber } from '../ir/tensor.ts';
import { stridesOf } from '../ir/types.ts';
import type { OpKind } from '../ops/attrs.ts';
import type { NamedTensors } from './bind.ts';
import { compareTensors } from './compare.ts';

/** Where in the graph a finding is: the node, which output, and the element's coordinates. */
export interface CheckSite {
  readonly node: number;
  readonly value: number;
  readonly op: OpKind;
  readonly label?: string;
  readonly kernel: string;
  readonly output: number;
  readonly position: readonly number[];
  /** The element as the backend computed it, and in the interpreter. */
  readonly actual: number;
  readonly reference: number;
}

/** What check mode found. */
export interface CheckReport {
  /** Kernels run and compared. */
  readonly compared: number;
  /** The first node whose outputs are not allclose to the interpreter's, with the largest |diff|. */
  readonly divergence?: CheckSite & { readonly maxAbs: number };
  /** The first node whose outputs hold a NaN or Inf where the interpreter's do not (the first such element). */
  readonly nonFinite?: CheckSite;
  /** Elements that are NaN or Inf in the backend and the same in the interpreter (not findings). */
  readonly sharedNonFinite: number;
}

/** Tolerances of the comparison (numpy allclose), and the weights (strict unless `strict` is false, as in BindOptions). */
export interface CheckOptions {
  readonly rtol?: number;
  readonly atol?: number;
  readonly weights?: NamedTensors;
  readonly strict?: boolean;
}

/** Collects findings node by node, in the order the backend ran them. */
export class CheckRecorder {
  private compared = 0;
  private divergence: CheckReport['divergence'];
  private nonFinite: CheckReport['nonFinite'];
  private shared = 0;

  constructor(private readonly opts: CheckOptions = {}) {}

  /** Compares node `index`'s outputs as the backend wrote them (`got`) with the interpreter's (`want`). */
  record(index: number, node: Node, kernel: string, got: readonly Tensor[], want: readonly Tensor[]): void {
    this.compared++;
    node.outputs.forEach((o, out) => {
      const [g, w] = [got[out]!, want[out]!];
      const site = (at: number): CheckSite => ({
        node: index, value: o.id, op: node.op, ...(node.label ? { label: node.label } : {}), kernel, output: out,
        position: unravel(at, o.type.shape), actual: getNumber(g, at), reference: getNumber(w, at),
      });
      if (!this.divergence) {
        const c = compareTensors(g, w, this.opts.rtol ?? 1e-4, this.opts.atol ?? 1e-5);
        if (!c.ok) this.divergence = { ...site(Math.max(c.worst, 0)), maxAbs: c.maxAbs };
      }
      if (o.type.dtype === 'f32') {
        const { first, shared } = nonFiniteAgainst(g.data as Float32Array, w);
        this.shared += shared;
        if (!this.nonFinite && first >= 0) this.nonFinite = site(first);
      }
    });
  }

  report(): CheckReport {
    const { compared, divergence, nonFinite } = this;
    return { compared, sharedNonFinite: this.shared, ...(divergence ? { divergence } : {}), ...(nonFinite ? { nonFinite } : {}) };
  }
}

/**
 * NaNs and infinities of a backend's result against the interpreter's: the first element (-1 if
 * none) that is NaN or Inf in the backend but not the same in the interpreter, and how many are the same.
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
