// The sequence and optional ops, at import (structured.ts): a sequence is a list of values whose
// length is known when the model is read, so every op here rearranges that list, and the only IR
// it emits is the slices, unsqueezes and concats of SplitToSequence and ConcatFromSequence (and
// whatever a SequenceMap body computes). Positions must be known at import (a constant, or an
// input pinned with --const). Out-of-range positions and mismatched element types are errors
// naming the node, as onnxruntime reports them at run time.
import { getNumber } from '../../../ir/tensor.ts';
import { type DType, formatType } from '../../../ir/types.ts';
import type { NodeContext, Val } from '../context.ts';
import { ELEM } from '../schema.ts';
import { kindOfVal, optionalVal, sequenceVal, tensorElem } from '../structured.ts';
import { dtypeOf } from '../tensor.ts';
import type { Lowerings } from './lowering.ts';

/** Input `i` as a sequence: its elements and element dtype. */
function sequence(c: NodeContext, i: number): { items: readonly Val[]; elem: DType } {
  const v = c.value(i);
  if (v.structure?.kind !== 'sequence') c.fail(`input ${i} (${JSON.stringify(c.node.input[i])}) must be a sequence, got ${kindOfVal(v) === 'optional' ? 'an optional' : `a tensor ${c.fmt(v)}`}`);
  return v.structure;
}

/** The element dtype of a value (a tensor's dtype, a structure's element dtype). */
function elemOf(v: Val): DType {
  return v.structure ? v.structure.elem : v.type.dtype;
}

/** Checks that `v` may join a sequence of `elem` (same kind of value, same element dtype). */
function checkElement(c: NodeContext, items: readonly Val[], elem: DType, v: Val, what: string): void {
  const kind = items[0] ? kindOfVal(items[0]) : kindOfVal(v);
  if (kindOfVal(v) !== kind || elemOf(v) !== elem) c.fail(`${what} is ${kindOfVal(v) === 'tensor' ? formatType(v.type) : `a ${kindOfVal(v)} of ${elemOf(v)}`}, but the sequence holds ${kind === 'tensor' ? 'tensors' : `${kind}s`} of ${elem}`);
}

/** A position known at import, in [-n, n) (or [-n, n] when `end` may be named), made non-negative. */
function position(c: NodeContext, i: number, n: number, inclusive: boolean): number {
  const t = c.static(i, 'the position');
  if (t.data.length !== 1) c.fail(`the position must be a scalar, got ${c.fmt(c.input(i))}`);
  const p = getNumber(t, 0);
  const hi = inclusive ? n : n - 1;
  if (p < -n || p > hi) c.fail(`position ${p} is out of range for a sequence of ${n} element(s) (allowed: ${-n} to ${hi})`);
  return p < 0 ? p + n : p;
}

function sequenceConstruct(c: NodeContext): Val[] {
  const items = Array.from({ length: c.inputCount }, (_, i) => c.input(i));
  if (items.length === 0) c.fail('at least one input is required');
  const elem = items[0]!.type.dtype;
  items.forEach((v, i) => checkElement(c, items, elem, v, `input ${i}`));
  return [sequenceVal(items, elem)];
}

function sequenceEmpty(c: NodeContext): Val[] {
  return [sequenceVal([], dtypeOf(c.int('dtype', ELEM.FLOAT), `${c.where} attribute dtype`))];
}

function sequenceAt(c: NodeContext): Val[] {
  const s = sequence(c, 0);
  return [s.items[position(c, 1, s.items.length, false)]!];
}

function sequenceInsert(c: NodeContext): Val[] {
  const s = sequence(c, 0);
  const v = c.value(1);
  checkElement(c, s.items, s.elem, v, 'the inserted value');
  const at = c.maybe(2) ? position(c, 2, s.items.length, true) : s.items.length;
  return [sequenceVal([...s.items.slice(0, at), v, ...s.items.slice(at)], s.elem)];
}

function sequenceErase(c: NodeContext): Val[] {
  const s = sequence(c, 0);
  if (s.items.length === 0) c.fail('the sequence is empty, so there is nothing to erase');
  const at = c.maybe(1) ? position(c, 1, s.items.length, false) : s.items.length - 1;
  return [sequenceVal(s.items.filter((_, k) => k !== at), s.elem)];
}

function sequenceLength(c: NodeContext): Val[] {
  return [c.constant('i64', [], [sequence(c, 0).items.length])];
}

/** SplitToSequence: pieces along `axis` of the sizes `split` gives (none: size 1, then squeezed unless keepdims). */
function splitToSequence(c: NodeContext): Val[] {
  const x = c.input(0);
  const rank = x.type.shape.length;
  const a0 = c.int('axis', 0);
  if (a0 < -rank || a0 >= rank) c.fail(`axis ${a0} is out of range for ${c.fmt(x)}`);
  const axis = a0 < 0 ? a0 + rank : a0;
  const dim = x.type.shape[axis]!;
  const split = c.maybe(1) ? c.static(1, 'split') : undefined;
  let sizes: number[];
  if (!split) sizes = Array.from({ length: dim }, () => 1);
  else if (split.shape.length === 0) {
    const k = getNumber(split, 0);
    if (!(k > 0)) c.fail(`split ${k} must be positive`);
    sizes = Array.from({ length: Math.ceil(dim / k) }, (_, i) => Math.min(k, dim - i * k));
  } else {
    sizes = Array.from({ length: split.data.length }, (_, i) => getNumber(split, i));
    if (sizes.some((n) => n < 0) || sizes.reduce((s, n) => s + n, 0) !== dim) c.fail(`split [${sizes.join(',')}] does not add up to ${dim}, the size of axis ${axis} of ${c.fmt(x)}`);
  }
  const squeeze = !split && c.int('keepdims', 1) === 0;
  let start = 0;
  const items = sizes.map((n) => {
    const piece = c.op1('slice', { starts: [start], ends: [start + n], axes: [axis], steps: [1] }, [x]);
    start += n;
    return squeeze ? c.op1('squeeze', { axes: [axis] }, [piece]) : piece;
  });
  return [sequenceVal(items, x.type.dtype)];
}

/** ConcatFromSequence: the elements joined along `axis`, or stacked along a new one (new_axis = 1). */
function concatFromSequence(c: NodeContext): Val[] {
  const s = sequence(c, 0);
  if (s.items.length === 0) c.fail('the sequence is empty: there is nothing to concatenate');
  if (s.items.some((v) => v.structure)) c.fail('the sequence must hold tensors');
  const stackNew = c.int('new_axis', 0) === 1;
  const rank = s.items[0]!.type.shape.length + (stackNew ? 1 : 0);
  const a0 = c.int('axis', 0);
  if (a0 < -rank || a0 >= rank) c.fail(`axis ${a0} is out of range for ${stackNew ? 'stacking' : 'joining'} rank-${s.items[0]!.type.shape.length} elements`);
  const axis = a0 < 0 ? a0 + rank : a0;
  const parts = stackNew ? s.items.map((v) => c.op1('unsqueeze', { axes: [axis] }, [v])) : s.items;
  return [parts.length === 1 ? parts[0]! : c.op1('concat', { axis }, parts)];
}

/**
 * SequenceMap: the body once per element of the input sequence; each further input is a sequence
 * of the same length (taken element by element) or a value passed whole to every call. Each body
 * output becomes a sequence.
 */
function sequenceMap(c: NodeContext): Val[] {
  const body = c.graph('body');
  const n = sequence(c, 0).items.length;
  const args = Array.from({ length: c.inputCount }, (_, i) => c.value(i));
  args.forEach((v, i) => {
    if (i > 0 && v.structure?.kind === 'sequence' && v.structure.items.length !== n) c.fail(`input ${i} is a sequence of ${v.structure.items.length} element(s), input 0 one of ${n}`);
  });
  const calls = Array.from({ length: n }, (_, k) => c.bodyCall(body, args.map((v) => (v.structure?.kind === 'sequence' ? v.structure.items[k]! : v))));
  return body.output.map((o, j) => {
    const items = calls.map((outs) => outs[j]!);
    const elem = items[0] ? elemOf(items[0]) : tensorElem(o.type, `${c.where}: body output ${JSON.stringify(o.name)}`).dtype;
    return sequenceVal(items, elem);
  });
}

/** Optional: the input wrapped, or an empty optional of the `type` attribute. */
function optional(c: NodeContext): Val[] {
  const v = c.maybeValue(0);
  if (v) return [optionalVal(v, elemOf(v))];
  const t = c.typeProto('type');
  if (!t) c.fail('attribute type is required when there is no input');
  return [optionalVal(undefined, tensorElem(t, `${c.where} attribute type`).dtype)];
}

/** OptionalHasElement: false for an empty optional or an absent input, true for anything else. */
function optionalHasElement(c: NodeContext): Val[] {
  const v = c.maybeValue(0);
  const has = v !== undefined && (v.structure?.kind !== 'optional' || v.structure.item !== undefined);
  return [c.constant('bool', [], [has ? 1 : 0])];
}

/** OptionalGetElement: an optional's value (an error when empty); a tensor or sequence as it is. */
function optionalGetElement(c: NodeContext): Val[] {
  const v = c.value(0);
  if (v.structure?.kind !== 'optional') return [v];
  if (!v.structure.item) c.fail(`the optional ${JSON.stringify(c.node.input[0])} is empty`);
  return [v.structure.item];
}

/** The sequence and optional lowerings. */
export const sequenceLowerings: Lowerings = {
  SequenceConstruct: sequenceConstruct,
  SequenceEmpty: sequenceEmpty,
  SequenceAt: sequenceAt,
  SequenceInsert: sequenceInsert,
  SequenceErase: sequenceErase,
  SequenceLength: sequenceLength,
  SplitToSequence: splitToSequence,
  ConcatFromSequence: concatFromSequence,
  SequenceMap: sequenceMap,
  Optional: optional,
  OptionalHasElement: optionalHasElement,
  OptionalGetElement: optionalGetElement,
};
