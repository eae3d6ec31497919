// The table format of op test cases: each family's file under cases/ exports a list of these.
import type { OpAttrs, OpKind } from '../../src/ops/attrs.ts';
import type { Tensor } from '../../src/ir/tensor.ts';
import type { TensorType } from '../../src/ir/types.ts';

/** A case whose inputs are evaluated and compared (allclose) with `expect`. */
export interface ValueCase<K extends OpKind = OpKind> {
  readonly name: string;
  readonly op: K;
  readonly attrs: OpAttrs[K];
  readonly inputs: readonly Tensor[];
  readonly expect: readonly Tensor[];
  /** Tolerances for f32 comparisons (defaults rtol 1e-5, atol 1e-6). */
  readonly rtol?: number;
  readonly atol?: number;
}

/** A case whose shape rule must fail with a ShapeError whose message matches `error`. */
export interface ErrorCase<K extends OpKind = OpKind> {
  readonly name: string;
  readonly op: K;
  readonly attrs: OpAttrs[K];
  readonly inputs: readonly TensorType[];
  readonly error: RegExp;
}

export type OpCase = { [K in OpKind]: ValueCase<K> | ErrorCase<K> }[OpKind];

/** Identity helper that keeps each case's attrs typed by its op. */
export function cases<const T extends readonly OpCase[]>(list: T): T {
  return list;
}
