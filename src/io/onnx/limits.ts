// Resource limits of the ONNX loader: the project's load limits (src/io/limits.ts: file size,
// rank, elements, nodes) plus a byte bound per tensor. A file's headers are checked against them
// before anything proportional to them is allocated, so a lying file fails with a LimitError.
import { LimitError } from '../../errors.ts';
import { DEFAULT_LIMITS, type LoadLimits, resolveLimits } from '../limits.ts';

/** Limits on what one model may declare. */
export interface OnnxLimits extends LoadLimits {
  /** Largest tensor (initializer, constant, folded value or graph value) in bytes. */
  readonly maxTensorBytes: number;
}

/** Defaults: the project's DEFAULT_LIMITS and 2 GiB per tensor. */
export const DEFAULT_ONNX_LIMITS: OnnxLimits = Object.freeze({ ...DEFAULT_LIMITS, maxTensorBytes: 2 ** 31 });

/** DEFAULT_ONNX_LIMITS with the given fields overridden (each a non-negative integer). */
export function resolveOnnxLimits(partial: Partial<OnnxLimits> = {}): OnnxLimits {
  const { maxTensorBytes = DEFAULT_ONNX_LIMITS.maxTensorBytes, ...rest } = partial;
  if (!Number.isSafeInteger(maxTensorBytes) || maxTensorBytes < 0) throw new LimitError(`limit maxTensorBytes must be a non-negative integer, got ${maxTensorBytes}`);
  return Object.freeze({ ...resolveLimits(rest), maxTensorBytes });
}
