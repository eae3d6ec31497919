// The lowering context: ONNX values as IR values or import-time constants, and the one place
// where a node is emitted. A node whose inputs are all constants is evaluated at import by the
// op's own `evaluate` (the interpreter's semantics), so shape subgraphs fold to constants.
import { LimitError, OnnxError, isOpgraphError } from '../../errors.ts';
import type { IRBuilder } from '../../ir/builder.ts';
import type { ValueId } from '../../ir/graph.ts';
import { type Tensor, getNumber, tensor } from '../../ir/tensor.ts';
import { DTYPE_BYTES, type DType, type Shape, type TensorType, formatType, numel } from '../../ir/types.ts';
import type { OpAttrs, OpKind } from '../../ops/attrs.ts';
import { inferNode } from '../../ops/infer.ts';
import { OPS } from '../../ops/table.ts';
import type { OnnxLimits } from './limits.ts';
import { ATTR, type OnnxAttribute, type OnnxGraph, type OnnxNode, type OnnxType } from './schema.ts';
import { MissingFeatures, UnsupportedFeature } from './support.ts';
import { checkShape, toTensor } from './tensor.ts';

/**
 * An ONNX value during import: an IR value (`id`), or a tensor known at import (`value`). An
 * initializer is known at import too, and becomes a graph weight (under its ONNX name) only
 * when a graph node reads it.
 */
export interface Val {
  readonly type: TensorType;
  readonly id?: ValueId;
  readonly value?: Tensor;
  /** Set for an initializer: its weight name. */
  readonly initializer?: string;
  /** Label of the constant node this value becomes (a Constant node's output name), if not its reader's. */
  readonly label?: string;
  /** The ONNX element type a graph input or initializer declares (CastLike reads it). */
  readonly elem?: number;
  /** Set for a value whose producer is unsupported: its readers are only checked for support. */
  readonly poisoned?: true;
  /**
   * Set for a sequence or an optional (structured.ts): its elements are values of their own, and
   * `type` only carries the element dtype. Only the ops that take such values read them.
   */
  readonly structure?: Structure;
}

/** A sequence of values (`elem`: the element dtype, for an empty one), or an optional that holds one or none. */
export type Structure =
  | { readonly kind: 'sequence'; readonly items: readonly Val[]; readonly elem: DType }
  | { readonly kind: 'optional'; readonly item: Val | undefined; readonly elem: DType };

/** The value of an output whose node (or an input's producer) is unsupported. */
export const POISONED: Val = { type: { dtype: 'f32', shape: [] }, poisoned: true };

/**
 * True when a node reading `v` may be evaluated at import. Float initializers are weights that
 * `run --weights` may replace, so they stay in the graph; integer and boolean ones (axes, shapes,
 * indices) fold like constants.
 */
/** A name from the model as messages print it: plain identifiers as they are, anything else quoted and escaped. */
export function printable(name: string): string {
  return /^[A-Za-z0-9_.:-]+$/.test(name) ? name : JSON.stringify(name);
}

/** `node "name" (Op)`: how errors name an ONNX node (every string from the file escaped). */
export function describeNode(n: OnnxNode): string {
  return `node ${JSON.stringify(n.name || n.output.find((o) => o) || '?')} (${printable(n.opType)})`;
}

function foldable(v: Val): boolean {
  return v.id === undefined && v.value !== undefined && !(v.initializer !== undefined && v.type.dtype === 'f32');
}

/**
 * A value that must be known at import is computed at run time; names the ONNX value and the
 * graph inputs it is computed from (`inputs`, filled in by the importer, which sees the whole
 * model): pinning those with `constants` makes the value known.
 */
export class OnnxDynamicError extends OnnxError {
  constructor(message: string, readonly value: string, readonly inputs: readonly string[] = [value]) {
    super(message);
  }
}

/** Shared state of one import: the builder, limits, and constants already emitted as nodes. */
export class Emitter {
  private readonly materialized = new WeakMap<Val, ValueId>();

  constructor(readonly builder: IRBuilder, readonly limits: OnnxLimits, readonly baseDir: string | undefined, readonly maxMemoryBytes = Infinity) {}

  /** Bytes of tensors materialised so far (initializers, constants, folded values). */
  private held = 0;

  /** Counts `bytes` about to be materialised against the memory budget (LimitError naming `what`). */
  account(bytes: number, what: string): void {
    this.held += bytes;
    if (this.held > this.maxMemoryBytes) {
      throw new LimitError(`${what}: the tensors materialised while importing reach ${this.held} bytes, over the limit maxMemoryBytes = ${this.maxMemoryBytes} (--max-memory or maxMemoryBytes to change)`);
    }
  }

  /** Unsupported features met so far (the import reports them all at the end). */
  readonly missing = new MissingFeatures();

  /** Lowers a subgraph (an If branch) in an outer scope and returns its outputs (set by the importer). */
  lowerGraph: (g: OnnxGraph, scope: ReadonlyMap<string, Val>) => Val[] = () => {
    throw new OnnxError('subgraphs are not supported here');
  };

  /** A constant value (not yet in the graph; emitted when a graph node reads it, labelled `label` if given). */
  constant(t: Tensor, label?: string): Val {
    return { type: { dtype: t.dtype, shape: t.shape }, value: t, ...(label ? { label } : {}) };
  }

  /** Graph inputs and weights (values no node defines). */
  readonly sources = new Set<ValueId>();

  /** The IR value of `v`: a constant node, or a weight for an initializer, the first time it is read. */
  idOf(v: Val, label: string): ValueId {
    if (v.id !== undefined) return v.id;
    let id = this.materialized.get(v);
    if (id === undefined) {
      if (v.initializer !== undefined) {
        id = this.builder.weight(v.initializer, v.type, v.value).id;
        this.sources.add(id);
      } else {
        id = this.builder.node('constant', { value: v.value! }, [], v.label ?? label)[0]!.id;
      }
      this.materialized.set(v, id);
    }
    return id;
  }

  /**
   * Applies IR op `kind`: evaluated at import when every input is known (see `foldable`), else
   * appended to the graph. Output sizes are checked against the limits first.
   */
  op<K extends OpKind>(kind: K, attrs: OpAttrs[K], inputs: readonly Val[], label: string): Val[] {
    const types = inferNode(kind, attrs, inputs.map((v) => v.type), `${kind}`);
    for (const t of types) checkShape(t.shape, t.dtype, `result of ${kind}`, this.limits);
    // A result over the fold limit is left to run time (its inputs become constant nodes).
    if (inputs.every(foldable) && types.every((t) => numel(t.shape) <= this.limits.maxFoldElements)) {
      this.account(types.reduce((n, t) => n + numel(t.shape) * DTYPE_BYTES[t.dtype], 0), `folded result of ${kind}`);
      const outs = OPS[kind].evaluate(inputs.map((v) => v.value!), attrs, types);
      return outs.map((t) => this.constant(t));
    }
    const ids = inputs.map((v) => this.idOf(v, label));
    return this.builder.node(kind, attrs, ids, label).map((o) => ({ type: o.type, id: o.id }));
  }
}

/** One ONNX node being lowered: its inputs, attributes, opset and errors that name it. */
export class NodeContext {
  constructor(
    readonly em: Emitter,
    readonly node: OnnxNode,
    readonly opset: number,
    private readonly inputs: readonly (Val | undefined)[],
    private readonly scope: ReadonlyMap<string, Val> = new Map(),
  ) {}

  /** Lowers the subgraph in attribute `name` (an If branch), its outer names resolved in this node's scope. */
  branch(name: string): Val[] {
    const a = this.typed(name, ATTR.GRAPH, 'a graph');
    if (!a?.g) this.fail(`attribute ${name} (a graph) is required`);
    return this.em.lowerGraph(a.g, this.scope);
  }

  /**
   * The subgraph in attribute `name` (a Loop or Scan body), for callers that lower it with
   * `bodyCall` once per iteration.
   */
  graph(name: string): OnnxGraph {
    const a = this.typed(name, ATTR.GRAPH, 'a graph');
    if (!a?.g) this.fail(`attribute ${name} (a graph) is required`);
    return a.g;
  }

  /** Lowers `body` once with its inputs bound to `args` (in order), outer names resolved in this node's scope. */
  bodyCall(body: OnnxGraph, args: readonly Val[]): Val[] {
    if (body.input.length !== args.length) this.fail(`the body takes ${body.input.length} inputs, but the node gives it ${args.length}`);
    const scope = new Map(this.scope);
    body.input.forEach((inp, i) => scope.set(inp.name, args[i]!));
    return this.em.lowerGraph(body, scope);
  }

  /** `node "name" (Op)`: how errors name this node. */
  get where(): string {
    return describeNode(this.node);
  }

  get label(): string {
    return this.node.name || `${this.node.opType}:${this.node.output[0] ?? ''}`;
  }

  /**
   * Throws an error for a feature of this node the importer lacks (an attribute value, an
   * input); `feature` groups it in the report (`clip` -> `LSTM clip`).
   */
  unsupported(feature: string, message: string): never {
    throw new UnsupportedFeature(`${this.where}: ${message}`, `${printable(this.node.opType)} ${feature}`);
  }

  /** Throws an OnnxError naming the node. */
  fail(message: string): never {
    throw new OnnxError(`${this.where}: ${message}`);
  }

  /** Number of input slots (including empty optional ones). */
  get inputCount(): number {
    return this.inputs.length;
  }

  /** Input `i` (a tensor), or undefined when it is absent or empty (an omitted optional input). */
  maybe(i: number): Val | undefined {
    const v = this.inputs[i];
    if (v?.structure) this.fail(`input ${i} (${JSON.stringify(this.node.input[i])}) is ${v.structure.kind === 'sequence' ? 'a sequence' : 'an optional'}, where the op takes a tensor`);
    return v;
  }

  /** Input `i` (a tensor), which must be present. */
  input(i: number): Val {
    const v = this.maybe(i);
    if (!v) this.fail(`input ${i} is required`);
    return v;
  }

  /** Input `i` of any kind (a tensor, a sequence or an optional), or undefined when it is absent. */
  maybeValue(i: number): Val | undefined {
    return this.inputs[i];
  }

  /** Input `i` of any kind, which must be present. */
  value(i: number): Val {
    const v = this.inputs[i];
    if (!v) this.fail(`input ${i} is required`);
    return v;
  }

  /** Input `i` as a tensor known at import (a constant, folded value or initializer). */
  static(i: number, what: string): Tensor {
    const v = this.input(i);
    if (!v.value) {
      const name = this.node.input[i]!;
      throw new OnnxDynamicError(`${this.where}: ${what} (input ${i}, ${JSON.stringify(name)}) must be known at import time: shapes are static, but it depends on graph inputs`, name);
    }
    return v.value;
  }

  /** Input `i` as numbers known at import, or undefined when the optional input is absent. */
  staticInts(i: number, what: string): number[] | undefined {
    if (!this.maybe(i)) return undefined;
    const t = this.static(i, what);
    return Array.from({ length: t.data.length }, (_, k) => getNumber(t, k));
  }

  /** Applies an IR op (folding constants); errors from its shape rule name this node. */
  op<K extends OpKind>(kind: K, attrs: OpAttrs[K], inputs: readonly Val[]): Val[] {
    try {
      return this.em.op(kind, attrs, inputs, this.label);
    } catch (e) {
      if (e instanceof LimitError && !e.message.startsWith(this.where)) throw new LimitError(`${this.where}: ${e.message}`);
      if (isOpgraphError(e) && !e.message.startsWith(this.where)) this.fail(e.message);
      throw e;
    }
  }

  /** Single-output form of `op`. */
  op1<K extends OpKind>(kind: K, attrs: OpAttrs[K], inputs: readonly Val[]): Val {
    return this.op(kind, attrs, inputs)[0]!;
  }

  /** A constant tensor. */
  constant(dtype: DType, shape: Shape, data: readonly number[]): Val {
    return this.em.constant(tensor(dtype, shape, data));
  }

  /** A scalar constant of `dtype` (f32 by default). */
  scalar(x: number, dtype: DType = 'f32'): Val {
    return this.constant(dtype, [], [x]);
  }

  // ── attributes ──

  private attr(name: string): OnnxAttribute | undefined {
    return this.node.attribute.find((a) => a.name === name);
  }

  has(name: string): boolean {
    return this.attr(name) !== undefined;
  }

  private typed(name: string, type: number, label: string): OnnxAttribute | undefined {
    const a = this.attr(name);
    if (a && a.refAttrName) this.fail(`attribute ${name} refers to a function attribute, which is not supported`);
    if (a && a.type !== type && a.type !== 0) this.fail(`attribute ${name} must be ${label}`);
    return a;
  }

  int(name: string, dflt: number): number {
    return this.typed(name, ATTR.INT, 'an int')?.i ?? dflt;
  }

  float(name: string, dflt: number): number {
    return this.typed(name, ATTR.FLOAT, 'a float')?.f ?? dflt;
  }

  ints(name: string): number[] | undefined {
    return this.typed(name, ATTR.INTS, 'a list of ints')?.ints;
  }

  floats(name: string): number[] | undefined {
    return this.typed(name, ATTR.FLOATS, 'a list of floats')?.floats;
  }

  string(name: string, dflt: string): string {
    const a = this.typed(name, ATTR.STRING, 'a string');
    return a ? new TextDecoder().decode(a.s) : dflt;
  }

  strings(name: string): string[] | undefined {
    return this.typed(name, ATTR.STRINGS, 'a list of strings')?.strings.map((s) => new TextDecoder().decode(s));
  }

  /** A TYPE_PROTO attribute (Optional's `type`), if present. */
  typeProto(name: string): OnnxType | undefined {
    return this.typed(name, ATTR.TYPE_PROTO, 'a type')?.tp ?? undefined;
  }

  tensor(name: string): Tensor | undefined {
    const a = this.typed(name, ATTR.TENSOR, 'a tensor');
    return a?.t ? toTensor(a.t, `${this.where} attribute ${name}`, { limits: this.em.limits, ...(this.em.baseDir ? { baseDir: this.em.baseDir } : {}) }) : undefined;
  }

  /** `f32[2,3]` of a value, for messages. */
  fmt(v: Val): string {
    return formatType(v.type);
  }

  /** Element count of a value. */
  numel(v: Val): number {
    return numel(v.type.shape);
  }
}
