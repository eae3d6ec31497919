// Sequences and optionals. Shapes are static, so a sequence's length and the shapes of its
// elements are known when the model is read: during import a sequence is a list of values and an
// optional holds one value or none (Val.structure), and the ops on them (ops/sequences.ts)
// rearrange those lists. Nothing structured reaches the IR. A graph input that is a sequence
// becomes one IR input per element, named `x[0]`, `x[1]`, ... (an optional's value keeps the
// optional's name; an empty optional is no input at all); graph outputs are flattened the same
// way. The import's `layouts` option gives each such input's length and shapes, and
// flattenOnnxValue turns a value into the named tensors a run binds.
import { OnnxError } from '../../errors.ts';
import type { Tensor } from '../../ir/tensor.ts';
import { type DType, tensorType } from '../../ir/types.ts';
import type { Emitter, Val } from './context.ts';
import type { OnnxLimits } from './limits.ts';
import type { OnnxOptional, OnnxSequence, OnnxType } from './schema.ts';
import { UnsupportedFeature } from './support.ts';
import { checkShape, dtypeOf, toTensor } from './tensor.ts';

/** A value of an ONNX graph input or output: a tensor, a sequence of values, or an optional one. */
export type OnnxValue = Tensor | { readonly sequence: readonly OnnxValue[] } | { readonly optional: OnnxValue | null };

/** The shape of a structured input: a tensor's shape, a sequence's element layouts, or an optional's (null: empty). */
export type ValueLayout = readonly number[] | { readonly sequence: readonly ValueLayout[] } | { readonly optional: ValueLayout | null };

/** What an ONNX type (or a value of it) is. */
export type OnnxKind = 'tensor' | 'sequence' | 'optional' | 'map' | 'sparse tensor';

/** The kind of a TypeProto (a missing type counts as a tensor, as graph inputs of old exporters are). */
export function kindOfType(t: OnnxType | null | undefined): OnnxKind {
  if (t?.sequenceType) return 'sequence';
  if (t?.optionalType) return 'optional';
  if (t?.mapType?.length) return 'map';
  if (t?.sparseTensorType?.length) return 'sparse tensor';
  return 'tensor';
}

/** `a sequence`, `an optional`: a kind for messages. */
export function article(kind: OnnxKind): string {
  return `${/^[aeiou]/.test(kind) ? 'an' : 'a'} ${kind}`;
}

function isSequence(v: OnnxValue | ValueLayout): v is { readonly sequence: readonly never[] } {
  return typeof v === 'object' && v !== null && 'sequence' in v;
}

function isOptional(v: OnnxValue | ValueLayout): v is { readonly optional: never } {
  return typeof v === 'object' && v !== null && 'optional' in v;
}

/** The IR name of element `k` of the sequence named `name`. */
export function elementName(name: string, k: number): string {
  return `${name}[${k}]`;
}

/**
 * The named tensors a value flattens into, as the imported graph's inputs or outputs are named:
 * `x` for a tensor, `x[0]`, `x[1]`, ... for a sequence's elements (recursively), the optional's
 * own name for its value, nothing for an empty optional.
 */
export function flattenOnnxValue(name: string, v: OnnxValue): [string, Tensor][] {
  if (isSequence(v)) return (v.sequence as readonly OnnxValue[]).flatMap((e, k) => flattenOnnxValue(elementName(name, k), e));
  if (isOptional(v)) return v.optional === null ? [] : flattenOnnxValue(name, v.optional as OnnxValue);
  return [[name, v as Tensor]];
}

/** The layout of a value (what `layouts` takes for an input that will hold it). */
export function layoutOf(v: OnnxValue): ValueLayout {
  if (isSequence(v)) return { sequence: (v.sequence as readonly OnnxValue[]).map(layoutOf) };
  if (isOptional(v)) return { optional: v.optional === null ? null : layoutOf(v.optional as OnnxValue) };
  return (v as Tensor).shape;
}

/** A sequence value during import. */
export function sequenceVal(items: readonly Val[], elem: DType): Val {
  return { type: tensorType(elem, []), structure: { kind: 'sequence', items, elem } };
}

/** An optional value during import (`item` undefined: empty). */
export function optionalVal(item: Val | undefined, elem: DType): Val {
  return { type: tensorType(elem, []), structure: { kind: 'optional', item, elem } };
}

/** The kind of a value during import. */
export function kindOfVal(v: Val): 'tensor' | 'sequence' | 'optional' {
  return v.structure?.kind ?? 'tensor';
}

/** The element type (ONNX and IR) a possibly nested type's tensors have. */
export function tensorElem(t: OnnxType | null | undefined, what: string): { elem: number; dtype: DType } {
  const kind = kindOfType(t);
  if (kind === 'sequence') return tensorElem(t!.sequenceType!.elemType, what);
  if (kind === 'optional') return tensorElem(t!.optionalType!.elemType, what);
  if (kind !== 'tensor') throw new UnsupportedFeature(`${what} holds ${article(kind)}, which opgraph does not support`, `${kind} values`);
  const elem = t?.tensorType?.elemType ?? 0;
  return { elem, dtype: dtypeOf(elem, what) };
}

function layoutText(l: ValueLayout): string {
  return JSON.stringify(l);
}

/**
 * Declares graph input `name` of sequence or optional type `t` from its layout: one IR input per
 * tensor it holds, each checked against the declared element shape (where the model gives one)
 * and the limits. A layout of the wrong form is an error naming the input.
 */
export function declareStructured(em: Emitter, name: string, t: OnnxType | null | undefined, layout: ValueLayout, what: string): Val {
  const kind = kindOfType(t);
  if (kind === 'sequence') {
    if (!isSequence(layout)) throw new OnnxError(`${what} is a sequence, but its layout ${layoutText(layout)} is not { sequence: [...] }`);
    const elemType = t!.sequenceType!.elemType;
    const items = (layout.sequence as readonly ValueLayout[]).map((l, k) => declareStructured(em, elementName(name, k), elemType, l, `${what} element ${k}`));
    return sequenceVal(items, tensorElem(elemType, what).dtype);
  }
  if (kind === 'optional') {
    if (!isOptional(layout)) throw new OnnxError(`${what} is an optional, but its layout ${layoutText(layout)} is not { optional: ... }`);
    const elemType = t!.optionalType!.elemType;
    const item = layout.optional === null ? undefined : declareStructured(em, name, elemType, layout.optional as ValueLayout, what);
    return optionalVal(item, tensorElem(elemType, what).dtype);
  }
  const { elem, dtype } = tensorElem(t, what);
  if (!Array.isArray(layout)) throw new OnnxError(`${what} is a tensor, but its layout ${layoutText(layout)} is not a shape`);
  const shape = layout as readonly number[];
  const dims = t?.tensorType?.shape?.dim;
  if (dims && (dims.length !== shape.length || dims.some((d, i) => d.dimValue !== undefined && d.dimValue !== shape[i]))) {
    throw new OnnxError(`${what}: shape [${shape.join(',')}] does not fit the declared [${dims.map((d) => d.dimValue ?? d.dimParam ?? '?').join(',')}]`);
  }
  checkShape(shape, dtype, what, em.limits);
  const v = em.builder.input(name, tensorType(dtype, shape));
  em.sources.add(v.id);
  return { type: v.type, id: v.id, elem };
}

/**
 * The layout of a structured input of type `t` read off the tensors a run binds (`opgraph run
 * --inputs`), which are named as flattenOnnxValue names them: a sequence's elements are
 * `name[0]`, `name[1]`, ... up to the first index missing; an optional whose tensors are all
 * missing is empty. Undefined when a sequence has no element bound, or an element's tensor is missing.
 */
export function layoutFromBound(name: string, t: OnnxType | null | undefined, shapes: Readonly<Record<string, readonly number[]>>): ValueLayout | undefined {
  const kind = kindOfType(t);
  if (kind === 'sequence') {
    const items: ValueLayout[] = [];
    const has = (prefix: string): boolean => Object.keys(shapes).some((k) => k === prefix || k.startsWith(`${prefix}[`));
    for (let k = 0; has(elementName(name, k)); k++) {
      const l = layoutFromBound(elementName(name, k), t!.sequenceType!.elemType, shapes);
      if (l === undefined) return undefined;
      items.push(l);
    }
    // Nothing bound at all is a missing input, not an empty sequence.
    return items.length > 0 ? { sequence: items } : undefined;
  }
  if (kind === 'optional') return { optional: layoutFromBound(name, t!.optionalType!.elemType, shapes) ?? null };
  return Object.hasOwn(shapes, name) ? shapes[name] : undefined;
}

/** A tensor of a graph output, under its flattened name, with the ONNX element type its declaration gives. */
export interface OutputLeaf {
  readonly name: string;
  readonly val: Val;
  readonly elem: number;
}

/**
 * The tensors of graph output `name` (declared type `t`), named as flattenOnnxValue names them.
 * A value whose kind differs from the declaration is an error naming the output.
 */
export function outputLeaves(name: string, v: Val, t: OnnxType | null | undefined, what: string): OutputLeaf[] {
  const declared = kindOfType(t);
  const actual = kindOfVal(v);
  // An output without a declared type (old exporters) takes the value's kind.
  const typed = t?.tensorType || t?.sequenceType || t?.optionalType;
  if (typed && declared !== actual) throw new OnnxError(`${what} is declared ${article(declared)} but computed as ${article(actual)}`);
  const s = v.structure;
  if (s?.kind === 'sequence') return s.items.flatMap((e, k) => outputLeaves(elementName(name, k), e, t?.sequenceType?.elemType, `${what} element ${k}`));
  if (s?.kind === 'optional') return s.item ? outputLeaves(name, s.item, t?.optionalType?.elemType, what) : [];
  return [{ name, val: v, elem: t?.tensorType?.elemType ?? 0 }];
}

/** Where test data is read from (limits, and external data's folder). */
interface DataSource {
  readonly limits: OnnxLimits;
  readonly baseDir?: string;
}

const SEQ_TENSOR = 1;
const SEQ_SEQUENCE = 3;
const SEQ_OPTIONAL = 5;

/** A SequenceProto as a value (tensors, sequences or optionals; maps are refused). */
export function sequenceValue(s: OnnxSequence, what: string, src: DataSource): OnnxValue {
  if (s.mapValues.length > 0 || s.elemType === 4) throw new UnsupportedFeature(`${what}: a sequence of maps is not supported`, 'map values');
  const items: OnnxValue[] =
    s.elemType === SEQ_SEQUENCE ? s.sequenceValues.map((e, k) => sequenceValue(e, `${what} element ${k}`, src))
      : s.elemType === SEQ_OPTIONAL ? s.optionalValues.map((e, k) => optionalValue(e, `${what} element ${k}`, src))
        : s.tensorValues.map((e, k) => toTensor(e, `${what} element ${k}`, src));
  if (s.elemType !== SEQ_TENSOR && s.elemType !== SEQ_SEQUENCE && s.elemType !== SEQ_OPTIONAL && s.elemType !== 0) {
    throw new OnnxError(`${what}: sequence element type ${s.elemType} is not one of tensor, sequence, optional`);
  }
  return { sequence: items };
}

/** An OptionalProto as a value (empty when it holds nothing). */
export function optionalValue(o: OnnxOptional, what: string, src: DataSource): OnnxValue {
  if (o.mapValue.length > 0) throw new UnsupportedFeature(`${what}: an optional map is not supported`, 'map values');
  if (o.tensorValue) return { optional: toTensor(o.tensorValue, what, src) };
  if (o.sequenceValue) return { optional: sequenceValue(o.sequenceValue, what, src) };
  if (o.optionalValue) return { optional: optionalValue(o.optionalValue, what, src) };
  return { optional: null };
}
