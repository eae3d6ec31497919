// Resource limits of the ONNX loader: the project's load limits (src/io/limits.ts: file size,
// rank, elements, nodes) plus a byte bound per tensor. A file's headers are checked against them
// before anything proportional to them is allocated, so a lying file fails with a LimitError.
import { LimitError } from '../../errors.ts';
import { DEFAULT_LIMITS, type LoadLimits, resolveLimits } from '../limits.ts';

/** Limits on what one model may declare. */
export interface OnnxLimits extends LoadLimits {
  /** Largest tensor (initializer, constant, folded value or graph value) in bytes. */
  readonly maxTensorBytes: number;
  /**
   * Largest result (elements) evaluated at import: a bigger one stays a graph node, left to run
   * time, so a 200-byte ConstantOfShape never materialises gigabytes while the model loads.
   */
  readonly maxFoldElements: number;
  /**
   * Most body nodes one Loop or Scan may unroll into (trip count times the body's node count,
   * nested bodies counted once per copy): past it the import is a LimitError naming the node.
   */
  readonly maxUnrolledNodes: number;
}

/** Defaults: the project's DEFAULT_LIMITS, 2 GiB per tensor, folds of up to 2^20 elements, 100 000 unrolled body nodes per loop. */
export const DEFAULT_ONNX_LIMITS: OnnxLimits = Object.freeze({ ...DEFAULT_LIMITS, maxTensorBytes: 2 ** 31, maxFoldElements: 2 ** 20, maxUnrolledNodes: 100_000 });

/** DEFAULT_ONNX_LIMITS with the given fields overridden (each a non-negative integer). */
export function resolveOnnxLimits(partial: Partial<OnnxLimits> = {}): OnnxLimits {
  const { maxTensorBytes = DEFAULT_ONNX_LIMITS.maxTensorBytes, maxFoldElements = DEFAULT_ONNX_LIMITS.maxFoldElements, maxUnrolledNodes = DEFAULT_ONNX_LIMITS.maxUnrolledNodes, ...rest } = partial;
  for (const [k, v] of [['maxTensorBytes', maxTensorBytes], ['maxFoldElements', maxFoldElements], ['maxUnrolledNodes', maxUnrolledNodes]] as const) {
    if (!Number.isSafeInteger(v) || v < 0) throw new LimitError(`limit ${k} must be a non-negative integer, got ${v}`);
  }
  return Object.freeze({ ...resolveLimits(rest), maxTensorBytes, maxFoldElements, maxUnrolledNodes });
}
