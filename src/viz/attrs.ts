// Compact attribute text for drawings: strided accesses summarised ("dense", "view", "bcast"),
// long lists and constants by shape and a few values, elementwise programs as one expression.
// The IR's canonical printer (formatAttrValue) stays exact; this one is for reading a picture.
import type { Node } from '../ir/graph.ts';
import { formatAttrValue, formatProgram } from '../ir/print.ts';
import { type Tensor, toNumbers } from '../ir/tensor.ts';
import { formatType, stridesOf } from '../ir/types.ts';

/** Elements shown of a long list or constant. */
const SHOWN = 4;

interface AccessLike {
  readonly offset: number;
  readonly strides: readonly number[];
}

/** One `key: value` line per attribute (keys sorted), each shortened for a drawing. */
export function compactAttrLines(n: Node): string[] {
  const attrs = n.attrs as Readonly<Record<string, unknown>>;
  if (n.op === 'attention') return attentionLines(n.attrs);
  return Object.keys(attrs).sort().filter((k) => attrs[k] !== undefined).map((k) => `${k}: ${compactValue(attrs[k])}`);
}

/** A value shortened: constants by type and first values, long lists by first values and length. */
export function compactValue(v: unknown): string {
  if (isTensor(v)) return compactTensor(v);
  if (isProgram(v)) return formatProgram(v as Parameters<typeof formatProgram>[0]);
  if (isAccess(v)) return `${v.offset === 0 ? '' : `+${v.offset} `}strides [${v.strides.join(',')}]`;
  if (Array.isArray(v) && v.length > 2 * SHOWN) return `[${v.slice(0, SHOWN).map(compactValue).join(',')},...] (${v.length})`;
  if (Array.isArray(v)) return `[${v.map(compactValue).join(',')}]`;
  return formatAttrValue(v);
}

/** `f32[16,16] 0, -inf, -inf, -inf, ...`; small constants in full. (ASCII only: Graphviz has no font metrics for the rest.) */
function compactTensor(t: Tensor): string {
  const xs = toNumbers(t).map((x) => formatAttrValue(x));
  const shown = xs.length > SHOWN ? [...xs.slice(0, SHOWN), '...'] : xs;
  return `${formatType(t)} ${shown.join(', ')}`;
}

type AttentionAttrs = Extract<Node, { op: 'attention' }>['attrs'];

/** Attention: its sizes on one line, flags on another, and each operand's access as dense, view or broadcast. */
function attentionLines(a: AttentionAttrs): string[] {
  const lines = [`batch ${a.batch}, heads ${a.heads}, q ${a.seqQ}, k ${a.seqK}, d ${a.headDim}${a.valueDim === a.headDim ? '' : `, dv ${a.valueDim}`}`];
  const flags = [`scale ${formatAttrValue(a.scale)}`, ...(a.causal ? ['causal'] : []), ...(a.weights ? ['weights out'] : [])];
  lines.push(flags.join(', '));
  const logical: [string, AccessLike | undefined, number[]][] = [
    ['q', a.q, [a.batch, a.heads, a.seqQ, a.headDim]],
    ['k', a.k, [a.batch, a.heads, a.seqK, a.headDim]],
    ['v', a.v, [a.batch, a.heads, a.seqK, a.valueDim]],
    ['mask', a.mask, [a.batch, a.heads, a.seqQ, a.seqK]],
    ['out', a.out, [a.batch, a.heads, a.seqQ, a.valueDim]],
  ];
  const byKind = new Map<string, string[]>();
  for (const [name, access, shape] of logical) {
    if (!access) continue;
    const kind = accessKind(access, shape);
    byKind.set(kind, [...(byKind.get(kind) ?? []), name]);
  }
  lines.push([...byKind].map(([kind, names]) => `${names.join(', ')}: ${kind}`).join('; '));
  return lines;
}

/** How an access reads a logical tensor: dense (contiguous), bcast (a stride 0) or view (any other strides). */
function accessKind(a: AccessLike, shape: readonly number[]): string {
  const dense = stridesOf(shape);
  if (a.offset === 0 && a.strides.every((s, i) => s === dense[i] || shape[i] === 1)) return 'dense';
  return a.strides.some((s, i) => s === 0 && shape[i]! > 1) ? 'bcast' : 'view';
}

function isTensor(v: unknown): v is Tensor {
  return !!v && typeof v === 'object' && 'data' in v && 'dtype' in v && 'shape' in v;
}

function isProgram(v: unknown): boolean {
  return !!v && typeof v === 'object' && Array.isArray((v as { steps?: unknown }).steps) && typeof (v as { inputs?: unknown }).inputs === 'number';
}

function isAccess(v: unknown): v is AccessLike {
  return !!v && typeof v === 'object' && typeof (v as AccessLike).offset === 'number' && Array.isArray((v as AccessLike).strides);
}
