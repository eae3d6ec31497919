// Resource limits of the ONNX loader: a file's headers are checked against these before anything
// proportional to them is allocated, so a lying or hostile file fails with an OnnxError.

/** Limits on what one model may declare. */
export interface OnnxLimits {
  /** Largest tensor (initializer, constant, folded value or graph value) in bytes. */
  readonly maxTensorBytes: number;
  /** Largest element count of any tensor. */
  readonly maxTensorElements: number;
  /** Most nodes in the graph. */
  readonly maxNodes: number;
  /** Highest tensor rank. */
  readonly maxRank: number;
}

/** Defaults: 2 GiB per tensor, 2^29 elements, 100 000 nodes, rank 8. */
export const DEFAULT_ONNX_LIMITS: OnnxLimits = Object.freeze({
  maxTensorBytes: 2 ** 31,
  maxTensorElements: 2 ** 29,
  maxNodes: 100_000,
  maxRank: 8,
});
