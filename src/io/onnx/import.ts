// ONNX model -> IR graph. Decodes the file with protobufjs (schema.ts), turns initializers into
// weights, checks the graph (opsets, missing references, cycles, limits), and lowers each node in
// dependency order through the op table in ops/. Everything known at import folds to constants.
import { baseName, nodeOnly } from '../../host/node.ts';
import { OnnxError, UnsupportedOpError, isOpgraphError } from '../../errors.ts';
import type { Graph } from '../../ir/graph.ts';
import type { Tensor } from '../../ir/tensor.ts';
import { IRBuilder } from '../../ir/builder.ts';
import { tensorType } from '../../ir/types.ts';
import { verifyGraph } from '../../ir/verify.ts';
import { Emitter, NodeContext, OnnxDynamicError, POISONED, type Val, describeNode, printable } from './context.ts';
import { UnsupportedFeature } from './support.ts';
import { checkLimit } from '../limits.ts';
import { type OnnxLimits, resolveOnnxLimits } from './limits.ts';
import { LOWERINGS, TRAINING_DOMAIN } from './ops/index.ts';
import { type OnnxGraph, type OnnxModel, type OnnxNode, decodeModel } from './schema.ts';
import { type ConstantValue, type InputSizes, declareInputs } from './inputs.ts';
import { modelDir, toTensor } from './tensor.ts';
import { refusal } from './ops/control.ts';
import { prescanModel } from './prescan.ts';
import { narrowSteps } from './narrow.ts';
import { type ValueLayout, outputLeaves } from './structured.ts';
import { checkGraphMemory } from '../../codegen/budget.ts';
import { resolveMaxMemory } from '../memory.ts';

/** Opset versions of the default domain this importer reads. */
export const OPSET_RANGE = { min: 7, max: 28 } as const;

/**
 * Below opset 7 (numpy broadcasting, and most ops' current attributes, arrived there) a model is read
 * only when every default-domain node is one of these ops, whose opset-1 definitions compute what
 * the lowerings compute; any other node is refused naming its op and the opset.
 */
const SINCE_OPSET_1: ReadonlySet<string> = new Set(['Not', 'Identity', 'Transpose', 'Shape', 'Size']);

/** Options of the ONNX importer. */
export interface OnnxImportOptions {
  /** Resource limits (defaults: DEFAULT_ONNX_LIMITS, i.e. the project's DEFAULT_LIMITS plus maxTensorBytes). */
  readonly limits?: Partial<OnnxLimits>;
  /** Folder external data is resolved from (loadOnnx sets it to the model's folder). */
  readonly baseDir?: string;
  /** Name for messages and the graph (default: the graph's own name). */
  readonly name?: string;
  /**
   * Full shapes of graph inputs by name (CLI `--shape x=2,16`): they give the input's free
   * dimensions (and every dimension of that name); declared sizes must agree.
   */
  readonly shapes?: Readonly<Record<string, readonly number[]>>;
  /**
   * Sizes of named free dimensions (an input's `dim_param`, CLI `--dim batch=2`), like
   * onnxruntime's free dimension overrides. A name the model does not declare is an error.
   */
  readonly dims?: Readonly<Record<string, number>>;
  /**
   * Values pinning graph inputs (CLI `--const sr=16000`): the input becomes a constant, so
   * everything downstream of it folds (an If on it is inlined). A number or a list of numbers
   * takes the input's declared dtype and shape; a Tensor is used as it is.
   */
  readonly constants?: Readonly<Record<string, ConstantValue>>;
  /**
   * Shapes of the tensors a run will bind, by input name (`opgraph run` passes its `--inputs`):
   * used only for inputs whose sizes are still unknown; names the model lacks, and shapes that
   * do not fit the declaration, are ignored (binding the run reports them).
   */
  readonly runShapes?: Readonly<Record<string, readonly number[]>>;
  /**
   * Lengths and element shapes of sequence and optional graph inputs, by name: a sequence input
   * `x` becomes IR inputs `x[0]`, `x[1]`, ... (`{ x: { sequence: [[2, 3], [4, 3]] } }`), an
   * optional one its value's input or none (`{ optional: [2, 3] }`, `{ optional: null }`).
   * Sequence and optional outputs are flattened the same way; `flattenOnnxValue` names a value's
   * tensors as the graph does, and `layoutOf` gives a value's layout.
   */
  readonly layouts?: Readonly<Record<string, ValueLayout>>;
  /** The same as `constants`, as a map of tensors (kept for existing callers). */
  readonly constantInputs?: ReadonlyMap<string, Tensor>;
  /** The same as `shapes` (kept for existing callers). */
  readonly inputShapes?: Readonly<Record<string, readonly number[]>>;
  /**
   * The aggregate memory budget in bytes: the tensors materialised while importing, then the
   * imported graph's memory plan (weights + constants + arena + outputs), each a LimitError
   * over it. Default: a quarter of the machine's memory (src/io/memory.ts).
   */
  readonly maxMemoryBytes?: number;
}

/** The input-size options in one form: shapes and constants merged with their older spellings. */
function inputSizes(opts: OnnxImportOptions): InputSizes {
  const constants = new Map<string, ConstantValue>([...(opts.constantInputs ?? []), ...Object.entries(opts.constants ?? {})]);
  const shapes = { ...opts.inputShapes, ...opts.shapes };
  return { shapes, constants, ...(opts.dims ? { dims: opts.dims } : {}), ...(opts.runShapes ? { runShapes: opts.runShapes } : {}), ...(opts.layouts ? { layouts: opts.layouts } : {}) };
}

/**
 * Reads and imports an .onnx file (external data resolved relative to its folder), or imports
 * serialized bytes. `opts.shapes`, `opts.dims` and `opts.constants` give sizes and values the
 * model leaves free: `loadOnnx('vad.onnx', { dims: { batch: 1 }, constants: { sr: 16000 } })`.
 */
export async function loadOnnx(path: string | Uint8Array, opts: OnnxImportOptions = {}): Promise<Graph> {
  if (typeof path !== 'string') return importOnnx(path, opts);
  const bytes = await readOnnxFile(path, opts.limits);
  return importOnnx(bytes, { baseDir: modelDir(path), name: baseName(path), ...opts });
}

/** The bytes of an .onnx file, its size checked against the limits' maxFileBytes before it is read. */
export async function readOnnxFile(path: string, limits?: Partial<OnnxLimits>): Promise<Uint8Array> {
  const { readFile, stat } = nodeOnly('node:fs/promises', `loading an ONNX model from a path (${JSON.stringify(path)})`, 'in a page, pass its bytes (loadOnnxUrl or importOnnx)');
  checkLimit(resolveOnnxLimits(limits), 'maxFileBytes', (await stat(path)).size, `${path}: file size`);
  return readFile(path);
}

/** Imports a serialized ONNX model. */
export function importOnnx(bytes: Uint8Array, opts: OnnxImportOptions = {}): Graph {
  const limits: OnnxLimits = resolveOnnxLimits(opts.limits);
  const file = opts.name ?? 'model';
  // Counts checked on the wire before the decoder builds any object.
  prescanModel(bytes, limits, file);
  let model: OnnxModel;
  try {
    model = decodeModel(bytes);
  } catch (e) {
    throw new OnnxError(`${file}: not a valid ONNX model (${e instanceof Error ? e.message : String(e)})`);
  }
  const graph = model.graph;
  if (!graph || (graph.node.length === 0 && graph.output.length === 0)) throw new OnnxError(`${file}: not a valid ONNX model (no graph)`);
  const opsets = readOpsets(model, file);
  checkLimit(limits, 'maxNodes', graph.node.length, `${file}: node count`);
  if (graph.sparseInitializer.length > 0) throw new OnnxError(`${file}: sparse initializers are not supported`);
  const b = new IRBuilder(graph.name || file);
  const maxMemory = resolveMaxMemory(opts.maxMemoryBytes);
  const em = new Emitter(b, limits, opts.baseDir, maxMemory);
  const values = declareValues(graph, em, opts, file);
  em.lowerGraph = (sub, scope) => lowerSubgraph(sub, scope, em, opsets, file);
  try {
    for (const node of dependencyOrder(graph, values, file)) lowerNode(node, em, opsets, values);
  } catch (e) {
    if (e instanceof OnnxDynamicError) throw new OnnxDynamicError(e.message, e.value, upstreamInputs(graph, e.value));
    throw e;
  }
  em.missing.throwIfAny(file);
  const used = new Set<number>();
  const names = new Set<string>();
  for (const out of graph.output) {
    const v = values.get(out.name);
    if (!v) throw new OnnxError(`${file}: graph output ${JSON.stringify(out.name)} is not produced by any node`);
    // A sequence or optional output is its tensors, named as flattenOnnxValue names them.
    for (const leaf of outputLeaves(out.name, v, out.type, `${file}: graph output ${JSON.stringify(out.name)}`)) {
      if (names.has(leaf.name)) throw new OnnxError(`${file}: graph output ${JSON.stringify(leaf.name)} is defined twice`);
      names.add(leaf.name);
      let id = em.idOf(leaf.val, leaf.name);
      // An output of a type held wider (FLOAT16 in f32, INT8/16 and UINT8/16 in i32) is brought back into it.
      for (const step of narrowSteps(leaf.elem, b.typeOf(id).dtype)) {
        const operands = step.operand ? [id, b.node('constant', { value: step.operand }, [], leaf.name)[0]!.id] : [id];
        id = b.node(step.op, step.attrs as never, operands, leaf.name)[0]!.id;
      }
      // Each output gets a node result of its own (not an input, a weight, or another output's value).
      if (em.sources.has(id) || used.has(id)) id = b.node('identity', {}, [id], leaf.name)[0]!.id;
      used.add(id);
      b.output(leaf.name, id);
    }
  }
  const g = b.finish();
  verifyGraph(g);
  checkGraphMemory(g, maxMemory);
  return g;
}

/** Opset version per domain; the default domain must be within 1 to OPSET_RANGE.max (below OPSET_RANGE.min only for SINCE_OPSET_1 ops). */
function readOpsets(model: OnnxModel, file: string): Map<string, number> {
  const opsets = new Map<string, number>();
  for (const o of model.opsetImport) opsets.set(o.domain === 'ai.onnx' ? '' : o.domain, o.version);
  const v = opsets.get('');
  // A valid model of an opset outside the range is refused (unsupported), not malformed.
  if (v !== undefined && (v < 1 || v > OPSET_RANGE.max)) throw new UnsupportedFeature(`${file}: opset ${v} is not supported (supported: ${OPSET_RANGE.min} to ${OPSET_RANGE.max}, and 1 to 6 for ${[...SINCE_OPSET_1].join(', ')})`, `opset ${v}`);
  const t = opsets.get(TRAINING_DOMAIN);
  if (t !== undefined && t !== 1) throw new OnnxError(`${file}: opset ${t} of ${TRAINING_DOMAIN} is not supported (supported: 1)`);
  return opsets;
}

/** Initializers become known values (weights once a node reads them); the other graph inputs become inputs. */
function declareValues(graph: OnnxGraph, em: Emitter, opts: OnnxImportOptions, file: string): Map<string, Val> {
  const values = new Map<string, Val>();
  const src = { limits: em.limits, account: (bytes: number, what: string) => em.account(bytes, what), ...(opts.baseDir ? { baseDir: opts.baseDir } : {}) };
  for (const init of graph.initializer) {
    if (!init.name) throw new OnnxError(`${file}: an initializer has no name`);
    if (values.has(init.name)) throw new OnnxError(`${file}: initializer ${JSON.stringify(init.name)} is defined twice`);
    let data: Tensor;
    try {
      data = toTensor(init, `${file}: initializer`, src);
    } catch (e) {
      if (!(e instanceof UnsupportedOpError)) throw e;
      em.missing.record(e);
      values.set(init.name, POISONED);
      continue;
    }
    values.set(init.name, { type: tensorType(data.dtype, data.shape), value: data, initializer: init.name, elem: init.dataType });
  }
  declareInputs(graph, em, inputSizes(opts), file, values);
  return values;
}

/** A subgraph (an If branch) lowered in `scope`: its initializers are constants, outer names resolve to the scope's values. */
function lowerSubgraph(sub: OnnxGraph, scope: ReadonlyMap<string, Val>, em: Emitter, opsets: ReadonlyMap<string, number>, file: string): Val[] {
  const values = new Map(scope);
  const src = { limits: em.limits, ...(em.baseDir ? { baseDir: em.baseDir } : {}) };
  for (const init of sub.initializer) values.set(init.name, em.constant(toTensor(init, `${file}: subgraph ${JSON.stringify(sub.name)} initializer`, src)));
  for (const node of dependencyOrder(sub, values, file)) lowerNode(node, em, opsets, values);
  return sub.output.map((o) => values.get(o.name) ?? (() => {
    throw new OnnxError(`${file}: subgraph ${JSON.stringify(sub.name)}: output ${JSON.stringify(o.name)} is not produced by any node`);
  })());
}

/**
 * The graph inputs (not initializers) that value `name` is computed from, through every node of
 * the model, subgraph nodes and the outer names their bodies read included: what `constants`
 * must pin for the value to be known at import.
 */
function upstreamInputs(graph: OnnxGraph, name: string): string[] {
  const producer = new Map<string, OnnxNode>();
  const walk = (g: OnnxGraph): void => {
    for (const n of g.node) {
      for (const o of n.output) if (o && !producer.has(o)) producer.set(o, n);
      for (const a of n.attribute) for (const sub of [...(a.g ? [a.g] : []), ...a.graphs]) walk(sub);
    }
  };
  walk(graph);
  const inits = new Set(graph.initializer.map((t) => t.name));
  const inputs = new Set(graph.input.map((i) => i.name).filter((n) => !inits.has(n)));
  const found: string[] = [];
  const seen = new Set<string>();
  const stack = [name];
  while (stack.length) {
    const v = stack.pop()!;
    if (seen.has(v)) continue;
    seen.add(v);
    if (inputs.has(v)) found.push(v);
    const n = producer.get(v);
    if (n) stack.push(...n.input.filter((i) => i), ...outerNames(n));
  }
  return found.sort();
}

/** Names a node's subgraphs read from outer scopes (not defined inside them), recursively. */
function outerNames(node: OnnxNode): string[] {
  const names = new Set<string>();
  const visit = (g: OnnxGraph, outer: ReadonlySet<string>): void => {
    const defined = new Set([...outer, ...g.initializer.map((t) => t.name), ...g.input.map((i) => i.name), ...g.node.flatMap((n) => n.output)]);
    for (const n of g.node) {
      for (const i of n.input) if (i && !defined.has(i)) names.add(i);
      for (const a of n.attribute) for (const sub of [...(a.g ? [a.g] : []), ...a.graphs]) visit(sub, defined);
    }
    for (const o of g.output) if (!defined.has(o.name)) names.add(o.name);
  };
  for (const a of node.attribute) for (const sub of [...(a.g ? [a.g] : []), ...a.graphs]) visit(sub, new Set());
  return [...names];
}

/**
 * The nodes in an order where every input is defined first (Kahn's algorithm). A reference to a
 * name nothing defines, and a cycle, are errors naming a node.
 */
function dependencyOrder(graph: OnnxGraph, known: ReadonlyMap<string, Val>, file: string): OnnxNode[] {
  const producer = new Map<string, number>();
  graph.node.forEach((n, i) => {
    for (const o of n.output) {
      if (!o) continue;
      if (producer.has(o) || known.has(o)) throw new OnnxError(`${file}: ${describeNode(n)}: output ${JSON.stringify(o)} is defined twice`);
      producer.set(o, i);
    }
  });
  const waiting = graph.node.map(() => 0);
  const readers = new Map<number, number[]>();
  graph.node.forEach((n, i) => {
    for (const name of new Set([...n.input.filter((x) => x), ...outerNames(n)])) {
      if (known.has(name)) continue;
      const p = producer.get(name);
      if (p === undefined) throw new OnnxError(`${file}: ${describeNode(n)}: input ${JSON.stringify(name)} is not defined by any node, initializer or graph input`);
      waiting[i]!++;
      const list = readers.get(p);
      if (list) list.push(i);
      else readers.set(p, [i]);
    }
  });
  const ready = graph.node.flatMap((_, i) => (waiting[i] === 0 ? [i] : []));
  const order: OnnxNode[] = [];
  for (let k = 0; k < ready.length; k++) {
    const i = ready[k]!;
    order.push(graph.node[i]!);
    for (const r of readers.get(i) ?? []) if (--waiting[r]! === 0) ready.push(r);
  }
  if (order.length < graph.node.length) {
    const stuck = graph.node.find((_, i) => waiting[i]! > 0)!;
    throw new OnnxError(`${file}: ${describeNode(stuck)}: the graph has a cycle through this node`);
  }
  return order;
}

/**
 * Lowers one node; any failure becomes one error naming it. An unsupported op or feature is
 * recorded instead (em.missing) and the node's outputs are poisoned: their readers are only
 * checked for support, so one import finds everything the model needs.
 */
function lowerNode(node: OnnxNode, em: Emitter, opsets: ReadonlyMap<string, number>, values: Map<string, Val>): void {
  const domain = node.domain === 'ai.onnx' ? '' : node.domain;
  const lower = LOWERINGS[domain ? `${domain}:${node.opType}` : node.opType];
  const opset = opsets.get(domain);
  const poison = (e?: UnsupportedOpError): void => {
    if (e) em.missing.record(e);
    for (const name of node.output) if (name) values.set(name, POISONED);
  };
  const op = printable(domain ? `${domain}.${node.opType}` : node.opType);
  if (!lower) return poison(new UnsupportedFeature(`${describeNode(node)}: op ${op} is not supported${refusal(domain, node.opType)}`, `op ${op}`));
  if (opset === undefined) throw new OnnxError(`${describeNode(node)}: the model imports no opset for domain ${JSON.stringify(domain)}`);
  if (domain === '' && opset < OPSET_RANGE.min && !SINCE_OPSET_1.has(node.opType)) {
    return poison(new UnsupportedFeature(`${describeNode(node)}: op ${op} at opset ${opset} is not supported (opsets ${OPSET_RANGE.min} to ${OPSET_RANGE.max}; below ${OPSET_RANGE.min} only ${[...SINCE_OPSET_1].join(', ')})`, `opset ${opset}`));
  }
  const inputs = node.input.map((name) => (name ? values.get(name)! : undefined));
  if (inputs.some((v) => v?.poisoned) || outerNames(node).some((n) => values.get(n)?.poisoned)) return poison();
  const c: NodeContext = new NodeContext(em, node, opset, inputs, values);
  let outs: readonly (Val | undefined)[];
  try {
    outs = lower(c);
  } catch (e) {
    if (e instanceof UnsupportedOpError) return poison(e);
    if (isOpgraphError(e)) throw e;
    throw new OnnxError(`${describeNode(node)}: internal error: ${e instanceof Error ? e.message : String(e)}`);
  }
  node.output.forEach((name, i) => {
    if (!name) return;
    const v = outs[i];
    if (!v) c.fail(`output ${i} (${JSON.stringify(name)}) is not supported`);
    values.set(name, v);
  });
}

/** Names of a model's graph inputs that are not initializers, in order (how test data sets bind them). */
export function onnxInputNames(bytes: Uint8Array, file = 'model'): string[] {
  let model: OnnxModel;
  try {
    model = decodeModel(bytes);
  } catch (e) {
    throw new OnnxError(`${file}: not a valid ONNX model (${e instanceof Error ? e.message : String(e)})`);
  }
  const inits = new Set(model.graph?.initializer.map((t) => t.name));
  return (model.graph?.input ?? []).map((i) => i.name).filter((n) => !inits.has(n));
}
