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

/** Reading or writing a file failed (no space, file-size limit, permissions, a directory in the way): names the file. */
export class IOError extends OpgraphError {
  override name = 'IOError';
}

/** A feature that needs Node (file paths, the TS source emitter) was used in a browser or a worker. */
export class NodeOnlyError extends OpgraphError {
  override name = 'NodeOnlyError';
}

/** A malformed, unsupported or over-limit ONNX model or tensor file; names the node and op when there is one. */
export class OnnxError extends OpgraphError {
  override name = 'OnnxError';
}

/**
 * An ONNX decoder export (past/present keys and values) whose structure opgraph does not
 * understand or cannot prove independent of the past's length; names the input, output or node.
 */
export class OnnxDecoderError extends OnnxError {
  override name = 'OnnxDecoderError';
}

/** Where inside the compiler an internal error happened; each layer adds what it knows. */
export interface InternalErrorSite {
  /** The pass that was running (added by the pipeline runner). */
  readonly pass?: string;
  /** The node being rewritten, as `describeNode` names it (added by the rewrite driver). */
  readonly node?: string;
  /** The rewrite rule that was matching or firing at that node. */
  readonly rule?: string;
}

/**
 * A pass failed on a graph it must accept: a bug in opgraph, not in the model. Names the pass,
 * the node (value id, op, label) and the rule when known:
 * `internal compiler error in pass fuse-attention at node %12 (add) ["attn.0"], rule attention-masked: ...; this is a bug in opgraph`.
 */
export class InternalCompilerError extends OpgraphError {
  override name = 'InternalCompilerError';
  constructor(readonly detail: string, readonly site: InternalErrorSite = {}, options?: { cause?: unknown }) {
    super(`internal compiler error${formatSite(site)}: ${detail}; this is a bug in opgraph`, options);
  }

  /** The same failure with `outer` filling in what this one does not name yet (the inner site wins). */
  within(outer: InternalErrorSite): InternalCompilerError {
    return new InternalCompilerError(this.detail, { ...outer, ...this.site }, { cause: this.cause });
  }
}

function formatSite(s: InternalErrorSite): string {
  const parts = [s.pass && ` in pass ${s.pass}`, s.node && ` at ${s.node}`, s.rule && `, rule ${s.rule}`];
  return parts.filter(Boolean).join('');
}

/**
 * `e`, caught at `site`, as an InternalCompilerError: an internal one is located further, anything
 * else becomes the detail of a new one (its message, with the original kept as `cause`).
 */
export function internalError(e: unknown, site: InternalErrorSite): InternalCompilerError {
  if (e instanceof InternalCompilerError) return e.within(site);
  const detail = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return new InternalCompilerError(detail, site, { cause: e });
}
