// Graph inputs -> IR inputs with static shapes. A declared size is used as it is; a free one (a
// dim_param, or `?` with neither dim_value nor dim_param) takes its size from, in order: the
// input's full shape (`shapes`), the named dimension (`dims`, like onnxruntime's free dimension
// overrides), or the tensors a run will bind (`runShapes`). Inputs pinned by `constants` become
// constants. Sizes still unknown are one error listing each of them and the option that gives it.
import { OnnxError, UnsupportedOpError } from '../../errors.ts';
import { UnsupportedFeature } from './support.ts';
import { type Tensor, tensor } from '../../ir/tensor.ts';
import { type DType, numel, tensorType } from '../../ir/types.ts';
import { type Emitter, POISONED, type Val } from './context.ts';
import type { OnnxGraph, OnnxValueInfo } from './schema.ts';
import { checkShape, dtypeOf } from './tensor.ts';
import { type ValueLayout, article, declareStructured, kindOfType, layoutFromBound } from './structured.ts';

/** A value for a pinned input: a number (a scalar or one-element input), numbers, or a tensor. */
export type ConstantValue = number | readonly number[] | Tensor;

/** How the sizes of graph inputs are given (see OnnxImportOptions). */
export interface InputSizes {
  readonly shapes?: Readonly<Record<string, readonly number[]>>;
  readonly dims?: Readonly<Record<string, number>>;
  readonly runShapes?: Readonly<Record<string, readonly number[]>>;
  readonly constants?: ReadonlyMap<string, ConstantValue>;
  /** Lengths and element shapes of sequence and optional inputs (structured.ts). */
  readonly layouts?: Readonly<Record<string, ValueLayout>>;
}

/** A size nobody gave: which input, which axis, and its dim_param if it has one. */
export interface UnknownDim {
  readonly input: string;
  readonly axis: number;
  readonly param?: string;
}

/** Import failed because input sizes are unknown; `unknown` lists each one (empty when what is missing is a sequence or optional input's layout). */
export class UnknownDimError extends OnnxError {
  constructor(message: string, readonly unknown: readonly UnknownDim[]) {
    super(message);
  }
}

interface Declared {
  readonly info: OnnxValueInfo;
  readonly what: string;
  readonly dtype: DType;
  /** dim_value, or the dim_param's name (string), or null for `?`. */
  readonly dims: readonly (number | string | null)[] | undefined;
}

function declare(info: OnnxValueInfo, file: string): Declared {
  const what = `${file}: graph input ${JSON.stringify(info.name)}`;
  const tt = info.type?.tensorType;
  if (!tt) throw new OnnxError(`${what} has no tensor type`);
  const dims = tt.shape?.dim.map((d) => (d.dimValue !== undefined ? d.dimValue : d.dimParam ? d.dimParam : null));
  return { info, what, dtype: dtypeOf(tt.elemType, what), dims };
}

/** Binds named dimensions from a full shape, checking the declared sizes; a conflict is an error. */
function bindShape(d: Declared, shape: readonly number[], source: string, bound: Map<string, { size: number; from: string }>): void {
  if (d.dims && shape.length !== d.dims.length) throw new OnnxError(`${d.what}: ${source} gives shape [${shape.join(',')}] of rank ${shape.length}, the model declares rank ${d.dims.length}`);
  d.dims?.forEach((dim, i) => {
    const n = shape[i]!;
    if (typeof dim === 'number' && dim !== n) throw new OnnxError(`${d.what}: ${source} gives shape [${shape.join(',')}], which differs from the declared size ${dim} at axis ${i}`);
    if (typeof dim !== 'string') return;
    const prior = bound.get(dim);
    if (prior && prior.size !== n) throw new OnnxError(`${d.what}: dimension ${JSON.stringify(dim)} is ${n} by ${source} but ${prior.size} by ${prior.from}`);
    if (!prior) bound.set(dim, { size: n, from: source });
  });
}

/** True when `shape` fits the declaration (rank and declared sizes). */
function fits(d: Declared, shape: readonly number[]): boolean {
  return !d.dims || (shape.length === d.dims.length && d.dims.every((dim, i) => typeof dim !== 'number' || dim === shape[i]));
}

/** The tensor a pinned input becomes: the declared dtype, the declared shape (free sizes inferred). */
function pinned(d: Declared, v: ConstantValue): Tensor {
  if (!(typeof v === 'number' || Array.isArray(v))) return v as Tensor;
  const values: readonly number[] = typeof v === 'number' ? [v] : v;
  if (d.dtype !== 'f32' && values.some((x) => !Number.isInteger(x))) throw new OnnxError(`${d.what}: constant [${values.join(',')}] is not integral, the input is ${d.dtype}`);
  let shape: number[] = [values.length];
  if (d.dims) {
    const known = numel(d.dims.map((x) => (typeof x === 'number' ? x : 1)));
    const free = d.dims.filter((x) => typeof x !== 'number').length;
    const fill = free === 0 ? 1 : free === 1 && known > 0 && values.length % known === 0 ? values.length / known : 1;
    shape = d.dims.map((x) => (typeof x === 'number' ? x : fill));
  }
  if (numel(shape) !== values.length) throw new OnnxError(`${d.what}: constant has ${values.length} value(s), which does not fit the declared shape [${d.dims!.map((x) => x ?? '?').join(',')}]`);
  return tensor(d.dtype, shape, values);
}

/** The error for sizes nobody gave, with the flag (and API option) that gives each; a name is listed once. */
function unknownError(file: string, unknown: readonly UnknownDim[], decl: ReadonlyMap<string, Declared>, bound: ReadonlyMap<string, { size: number }>): UnknownDimError {
  const parts: string[] = [];
  const seen = new Set<string>();
  for (const u of unknown) {
    if (u.param !== undefined) {
      if (seen.has(u.param)) continue;
      seen.add(u.param);
      const where = unknown.filter((w) => w.param === u.param).map((w) => `${JSON.stringify(w.input)} axis ${w.axis}`);
      parts.push(`free dimension ${JSON.stringify(u.param)} (graph input ${where.join(', ')}): give --dim ${u.param}=N`);
      continue;
    }
    if (seen.has(`input ${u.input}`)) continue;
    seen.add(`input ${u.input}`);
    const dims = decl.get(u.input)!.dims!.map((x) => (typeof x === 'number' ? String(x) : x !== null && bound.has(x) ? String(bound.get(x)!.size) : 'N'));
    const axes = unknown.filter((w) => w.input === u.input && w.param === undefined).map((w) => w.axis);
    parts.push(`graph input ${JSON.stringify(u.input)} axis ${axes.join(', ')} (unnamed): give --shape ${u.input}=${dims.join(',')}`);
  }
  return new UnknownDimError(`${file}: ${parts.length} input size(s) unknown, and shapes are static: ${parts.join('; ')} (API: loadOnnx's dims and shapes options; run takes them from its --inputs)`, unknown);
}

/**
 * A sequence or optional graph input: its IR inputs from the layout the caller gives (an error
 * naming the input and the option when there is none).
 */
function declareStructuredInput(info: OnnxValueInfo, kind: string, sizes: InputSizes, em: Emitter, file: string, values: Map<string, Val>): void {
  const what = `${file}: graph input ${JSON.stringify(info.name)}`;
  if (kind !== 'sequence' && kind !== 'optional') throw new UnsupportedFeature(`${what} is ${article(kind as 'map')}, which opgraph does not support`, `${kind} inputs`);
  // `opgraph run` binds the flattened tensors (`xs[0]`, `xs[1]`): their shapes give the layout.
  const layout = sizes.layouts?.[info.name] ?? (sizes.runShapes ? layoutFromBound(info.name, info.type, sizes.runShapes) : undefined);
  if (layout === undefined) {
    const example = kind === 'sequence' ? '{ sequence: [[2, 3], [4, 3]] }' : '{ optional: [2, 3] } or { optional: null }';
    // A size nobody gave, as a free dimension is (onnxSupport then scans the file instead).
    throw new UnknownDimError(`${what} is ${article(kind)}, and shapes are static: give its layout (loadOnnx's layouts option, e.g. ${example}; opgraph run reads it from the input tensors named ${JSON.stringify(`${info.name}[0]`)}, ${JSON.stringify(`${info.name}[1]`)}, ...)`, []);
  }
  values.set(info.name, declareStructured(em, info.name, info.type, layout, what));
}

/** Declares the graph inputs that are not initializers: IR inputs, or constants for pinned ones. */
export function declareInputs(graph: OnnxGraph, em: Emitter, sizes: InputSizes, file: string, values: Map<string, Val>): void {
  const decl = new Map<string, Declared>();
  const structured = new Set<string>();
  for (const info of graph.input) {
    if (values.has(info.name)) continue;
    try {
      const kind = kindOfType(info.type);
      if (kind !== 'tensor') {
        declareStructuredInput(info, kind, sizes, em, file, values);
        structured.add(info.name);
        continue;
      }
      decl.set(info.name, declare(info, file));
    } catch (e) {
      if (!(e instanceof UnsupportedOpError)) throw e;
      em.missing.record(e); // an unsupported element type: its readers are only checked for support
      values.set(info.name, POISONED);
    }
  }
  const params = new Set([...decl.values()].flatMap((d) => (d.dims ?? []).filter((x): x is string => typeof x === 'string')));
  for (const [name, v] of Object.entries(sizes.dims ?? {})) {
    if (!params.has(name)) throw new OnnxError(`${file}: --dim ${name}: the model has no free dimension ${JSON.stringify(name)} (its free dimensions: ${[...params].join(', ') || 'none'})`);
    if (!Number.isSafeInteger(v) || v < 0) throw new OnnxError(`${file}: --dim ${name}=${v} is not a size`);
  }
  for (const name of Object.keys(sizes.layouts ?? {})) {
    if (!structured.has(name)) throw new OnnxError(`${file}: layout of ${JSON.stringify(name)}: the model has no sequence or optional input of that name (its inputs: ${[...decl.keys(), ...structured].join(', ')})`);
  }
  for (const name of [...Object.keys(sizes.shapes ?? {}), ...(sizes.constants?.keys() ?? [])]) {
    if (structured.has(name)) throw new OnnxError(`${file}: graph input ${JSON.stringify(name)} is a sequence or optional: its sizes come from the layouts option, and it cannot be pinned to a constant`);
    if (!decl.has(name)) throw new OnnxError(`${file}: ${JSON.stringify(name)} is not a graph input of the model (its inputs: ${[...decl.keys()].join(', ')})`);
  }
  const bound = new Map(Object.entries(sizes.dims ?? {}).map(([k, size]) => [k, { size, from: `--dim ${k}` }]));
  for (const [name, shape] of Object.entries(sizes.shapes ?? {})) bindShape(decl.get(name)!, shape, `--shape ${name}`, bound);
  const given = new Map(Object.entries(sizes.shapes ?? {}));
  const resolved = (d: Declared): boolean => !!d.dims && d.dims.every((x) => typeof x === 'number' || (typeof x === 'string' && bound.has(x)));
  for (const [name, d] of decl) {
    const shape = sizes.runShapes?.[name];
    if (shape && !given.has(name) && !sizes.constants?.has(name) && !resolved(d) && fits(d, shape)) {
      bindShape(d, shape, `the input tensor ${JSON.stringify(name)}`, bound);
      given.set(name, shape);
    }
  }
  const unknown: UnknownDim[] = [];
  const shapes = new Map<string, number[]>();
  for (const [name, d] of decl) {
    if (sizes.constants?.has(name)) continue;
    const shape = given.get(name) ?? d.dims?.map((x, axis) => {
      if (typeof x === 'number') return x;
      if (x !== null && bound.has(x)) return bound.get(x)!.size;
      unknown.push({ input: name, axis, ...(x !== null ? { param: x } : {}) });
      return 0;
    });
    if (!shape) throw new OnnxError(`${d.what} has no declared shape: shapes are static, give it (--shape ${name}=..., API: shapes)`);
    shapes.set(name, [...shape]);
  }
  if (unknown.length > 0) throw unknownError(file, unknown, decl, bound);
  for (const [name, d] of decl) {
    const c = sizes.constants?.get(name);
    if (c !== undefined) {
      values.set(name, { ...em.constant(pinned(d, c)), elem: d.info.type?.tensorType?.elemType ?? 0 });
      continue;
    }
    const shape = shapes.get(name)!;
    checkShape(shape, d.dtype, d.what, em.limits);
    const v = em.builder.input(name, tensorType(d.dtype, shape));
    em.sources.add(v.id);
    values.set(name, { type: v.type, id: v.id, elem: d.info.type?.tensorType?.elemType ?? 0 });
  }
}
