// What a TS kernel emitter receives and returns. A kernel is one exported-nowhere function of
// the generated module, specialised to one node's static shapes.
import type { CodeBlockWriter } from 'ts-morph';
import type { NodeOf } from '../../ir/graph.ts';
import type { TensorType } from '../../ir/types.ts';
import type { OpKind } from '../../ops/attrs.ts';

/** One node to lower, with its operand types. Kernel parameters are `x0..` (inputs) then `y0..` (outputs). */
export interface KernelInput<K extends OpKind> {
  readonly node: NodeOf<K>;
  readonly inputs: readonly TensorType[];
  readonly outputs: readonly TensorType[];
  /** Name of the f64 scratch parameter, when the plan gave the kernel one. */
  readonly scratch?: string;
  /** Straightforward loops instead of register blocking (the -O0 kernels, easy to read and debug). */
  readonly simple?: boolean;
}

/** Writes the body of the kernel function of `input` (its parameters are already declared). */
export type KernelEmitter<K extends OpKind> = (w: CodeBlockWriter, input: KernelInput<K>) => void;

/** Parameter name of input `i`. */
export const inArg = (i: number): string => `x${i}`;
/** Parameter name of output `i`. */
export const outArg = (i: number): string => `y${i}`;
