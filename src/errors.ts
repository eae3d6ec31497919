// Typed errors. Each carries enough context (op, node, shapes, file) to be printed as one line.

const BRAND = Symbol.for('opgraph.error');

/** Base of every error opgraph raises on purpose; the CLI prints `message` alone, without a stack. */
export class OpgraphError extends Error {
  override name = 'OpgraphError';
  /** Brand that survives a second copy of this module (a model loaded as CommonJS gets its own). */
  readonly [BRAND] = true;
}

/** True for any opgraph error, including ones thrown by another loaded copy of this module. */
export function isOpgraphError(e: unknown): e is OpgraphError {
  return e instanceof OpgraphError || (typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[BRAND] === true);
}

/** A shape or dtype rule was violated: names the op and, when known, the node and input types. */
export class ShapeError extends OpgraphError {
  override name = 'ShapeError';
}

/** The graph is not well-formed SSA, or a node's recorded type disagrees with its op's rule. */
export class VerifyError extends OpgraphError {
  override name = 'VerifyError';
}

/** An op kind this build does not know (e.g. from a model file). */
export class UnsupportedOpError extends OpgraphError {
  override name = 'UnsupportedOpError';
}

/** A malformed or out-of-bounds safetensors file. */
export class SafetensorsError extends OpgraphError {
  override name = 'SafetensorsError';
}

/** Inputs or weights given to a run do not match the graph (missing, wrong shape or dtype). */
export class BindingError extends OpgraphError {
  override name = 'BindingError';
}

/** A model module could not be loaded or did not produce a graph. */
export class ModelLoadError extends OpgraphError {
  override name = 'ModelLoadError';
}

/** A file or graph exceeds a configured resource bound (src/io/limits.ts). */
export class LimitError extends OpgraphError {
  override name = 'LimitError';
}

/** Bad command-line usage (exit code 2). */
export class UsageError extends OpgraphError {
  override name = 'UsageError';
}

/** A data-dependent index (gather, embedding lookup) is out of range at run time. */
export class IndexError extends OpgraphError {
  override name = 'IndexError';
}

/** A malformed, unsupported or over-limit ONNX model or tensor file; names the node and op when there is one. */
export class OnnxError extends OpgraphError {
  override name = 'OnnxError';
}
