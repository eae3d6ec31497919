// One decoding call of an ONNX export, imported at concrete sizes (seq new tokens after `past`
// cached ones) and run through fuse-attention, as the body of a DecoderModel. Each attention
// over Concat(past, new) becomes the context's attention over the KV cache (cacheWrite at the
// run-time position, the causal mask over the cache), each constant equal to the new tokens'
// positions (past, past + 1, ...: what Shape(past) -> Range folds to) becomes ctx.positions,
// the token ids and position_ids inputs become the tokens and positions, and every other node is
// replayed as it is. What does not fit is refused, naming the node: a past read other than by
// its Concat, a present that is not that Concat, a Concat read other than as an attention's keys
// or values, an attention whose mask is not exactly the causal one at this past length.
import { OnnxDecoderError } from '../../errors.ts';
import { type Graph, type Node, type NodeOf, type ValueId, producersOf, usersOf } from '../../ir/graph.ts';
import { nodeRef } from '../../ir/print.ts';
import { type Tensor, getNumber } from '../../ir/tensor.ts';
import { type Shape, type TensorType, formatType, numel, sameShape, sameType, stridesOf } from '../../ir/types.ts';
import type { Access } from '../../ops/access.ts';
import type { GraphBuilder } from '../../api/builder.ts';
import { CACHE_PREFIX, type DecodeContext } from '../../api/decoding.ts';
import type { Sym } from '../../api/sym.ts';
import type { DecoderInterface } from './interface.ts';

/** An attention over a past and the new keys and values, to run over the cache `name`. */
interface CacheAttention {
  readonly name: string;
  readonly q: ValueId;
  readonly k: ValueId;
  readonly v: ValueId;
  readonly scale: number;
}

/** An imported call and how to replay it. */
export interface CallPlan {
  readonly graph: Graph;
  readonly iface: DecoderInterface;
  readonly seq: number;
  readonly past: number;
  readonly caches: ReadonlyMap<Node, CacheAttention>;
  /** Constant nodes holding the new tokens' positions. */
  readonly positions: ReadonlySet<Node>;
  /** The nodes the logits need, the replaced attentions reading only q and the new k and v. */
  readonly live: ReadonlySet<Node>;
  readonly logits: ValueId;
}

const at = (n: Node): string => `node ${nodeRef(n)}`;

function refuse(iface: DecoderInterface, message: string): never {
  throw new OnnxDecoderError(`${iface.file}: ${message}`);
}

/** Reads how `g` (the export at seq and past, through fuse-attention) decodes; refuses what it does not understand. */
export function planCall(g: Graph, iface: DecoderInterface, seq: number, past: number): CallPlan {
  const users = usersOf(g);
  const producers = producersOf(g);
  const readers = (v: ValueId): Node[] => (users.get(v) ?? []).map((i) => g.nodes[i]!);
  const outputIds = new Set(g.outputs.map((o) => o.id));
  const no: (why: string) => never = (why) => refuse(iface, why);
  // Each past is read by one Concat(past, new, axis 2): the present.
  const concats = new Map<ValueId, { past: string; fresh: ValueId }>();
  for (const p of iface.pasts) {
    const input = g.inputs.find((i) => i.name === p.name) ?? no(`past input ${JSON.stringify(p.name)} is not read by the graph`);
    const rs = readers(input.id);
    const c = rs[0];
    const ok = rs.length === 1 && c!.op === 'concat' && c!.inputs.length === 2 && c!.inputs[0] === input.id && c!.inputs[1] !== input.id && (c!.attrs.axis + 4) % 4 === 2;
    if (!ok) no(`past input ${JSON.stringify(p.name)} is read by ${rs.length ? rs.map(at).join(', ') : 'nothing'}; a decoder's past is read only by Concat(past, new keys or values, axis 2), the present`);
    concats.set(c!.outputs[0]!.id, { past: p.name, fresh: c!.inputs[1]! });
  }
  // Each present output is one of those Concats, and each Concat is a present.
  const presented = new Set<ValueId>();
  for (const name of iface.presents) {
    const id = g.outputs.find((o) => o.name === name)!.id;
    const p = producers.get(id);
    const src = p !== undefined && g.nodes[p]!.op === 'identity' ? g.nodes[p]!.inputs[0]! : id;
    if (!concats.has(src)) no(`output ${JSON.stringify(name)} is not Concat(past, new, axis 2) of a past input; the presents of a decoder export append the new keys or values to the past`);
    presented.add(src);
  }
  for (const [id, c] of concats) if (!presented.has(id)) no(`the Concat of past ${JSON.stringify(c.past)} is no graph output: the export has no present for it`);
  const caches = cacheAttentions(g, iface, concats, readers, outputIds, producers, seq, past);
  const logits = g.outputs.find((o) => o.name === iface.logits)!.id;
  const { live, positions } = liveNodes(g, logits, caches, seq, past);
  const lt = g.nodes[producers.get(logits) ?? -1]?.outputs.find((o) => o.id === logits)?.type;
  if (!lt || lt.shape.length !== 3 || lt.shape[0] !== 1 || lt.shape[1] !== seq) no(`output ${JSON.stringify(iface.logits)} is ${lt ? formatType(lt) : 'not a node result'}; a decoder's logits are [batch, seq, vocab], one row per new token`);
  const pastIds = new Set(g.inputs.filter((i) => iface.pasts.some((p) => p.name === i.name)).map((i) => i.id));
  for (const n of live) {
    if (!caches.has(n) && n.inputs.some((v) => concats.has(v) || pastIds.has(v))) no(`${at(n)} reads the past keys or values other than through a fused attention`);
  }
  return { graph: g, iface, seq, past, caches, positions, live, logits };
}

/** The attentions over the Concats, each checked: dense q, k, v, no weights output, the causal mask. */
function cacheAttentions(
  g: Graph, iface: DecoderInterface, concats: ReadonlyMap<ValueId, { past: string; fresh: ValueId }>, readers: (v: ValueId) => Node[],
  outputIds: ReadonlySet<ValueId>, producers: ReadonlyMap<ValueId, number>, seq: number, past: number,
): Map<Node, CacheAttention> {
  const no: (why: string) => never = (why) => refuse(iface, why);
  const found = new Map<Node, { k?: ValueId; v?: ValueId }>();
  for (const [id, c] of concats) {
    for (const r of readers(id)) {
      if (r.op === 'identity' && outputIds.has(r.outputs[0]!.id)) continue; // the present
      if (r.op !== 'attention') no(`the keys or values of past ${JSON.stringify(c.past)} are read by ${at(r)}, not by a fused attention (fuse-attention fuses softmax(q k^T * scale + mask) v with a 0/-inf or additive mask; a mask filled with a finite value, or keys repeated for grouped heads, is not fused)`);
      const slot = r.inputs.indexOf(id);
      if ((slot !== 1 && slot !== 2) || r.inputs.lastIndexOf(id) !== slot) no(`${at(r)} reads the keys or values of past ${JSON.stringify(c.past)} other than as its keys or values`);
      if (readers(id).filter((x) => x.op === 'attention').length > 1) no(`the keys or values of past ${JSON.stringify(c.past)} are read by several attentions (${readers(id).map(at).join(', ')}); each cache has one`);
      const entry = found.get(r) ?? {};
      entry[slot === 1 ? 'k' : 'v'] = id;
      found.set(r, entry);
    }
  }
  const out = new Map<Node, CacheAttention>();
  const names = new Set<string>();
  for (const [n, kv] of found) {
    const a = n as NodeOf<'attention'>;
    if (kv.k === undefined || kv.v === undefined) no(`${at(n)} attends over a past for its ${kv.k === undefined ? 'values' : 'keys'} only`);
    if (a.attrs.weights) no(`${at(n)} also outputs its attention probabilities, which the cached attention does not compute`);
    const q = a.inputs[0]!;
    const shapes = [typeOf(g, q), typeOf(g, kv.k), typeOf(g, kv.v)].map((t) => t.shape);
    const dense = ([a.attrs.q, a.attrs.k, a.attrs.v] as const).every((acc, i) => isDense(acc, shapes[i]!)) && isDense(a.attrs.out, a.attrs.out.shape) && sameShape(a.attrs.out.shape, n.outputs[0]!.type.shape);
    if (!dense || shapes[0]!.length !== 4 || shapes[0]![2] !== seq || a.attrs.batch !== 1) no(`${at(n)} reads q, k or v through strides, or its q is not [1, heads, ${seq}, head_dim]; only a plain attention over [batch, heads, seq, head_dim] is understood`);
    checkCausal(a, g, producers, seq, past, iface);
    const key = concats.get(kv.k)!.past;
    const stem = key.replace(/[._-]?key$/i, '') || key;
    const name = names.has(stem) ? key : stem;
    names.add(name);
    out.set(n, { name, q, k: concats.get(kv.k)!.fresh, v: concats.get(kv.v)!.fresh, scale: a.attrs.scale });
  }
  return out;
}

function typeOf(g: Graph, v: ValueId): TensorType {
  const i = g.inputs.find((x) => x.id === v);
  if (i) return i.type;
  for (const n of g.nodes) for (const o of n.outputs) if (o.id === v) return o.type;
  return g.weights.find((w) => w.id === v)!.type;
}

function isDense(acc: Access, shape: Shape): boolean {
  const st = stridesOf(shape);
  return acc.offset === 0 && acc.strides.length === st.length && acc.strides.every((s, i) => s === st[i] || shape[i] === 1);
}

/** Query i (at position past + i) may attend key j exactly when j <= past + i, and the mask adds nothing else. */
function checkCausal(n: NodeOf<'attention'>, g: Graph, producers: ReadonlyMap<ValueId, number>, seq: number, past: number, iface: DecoderInterface): void {
  const a = n.attrs;
  if (a.seqQ !== seq || a.seqK !== past + seq) refuse(iface, `${at(n)} attends ${a.seqQ} queries over ${a.seqK} keys; a decoding call of ${seq} token(s) after ${past} attends over ${past + seq}`);
  let mask: Tensor | undefined;
  if (a.mask) {
    const p = g.nodes[producers.get(n.inputs[3]!) ?? -1];
    if (p?.op !== 'constant') refuse(iface, `${at(n)}: its mask is computed at run time, not a constant of the sizes; only the causal mask is understood (an attention_mask input is pinned to all ones)`);
    mask = p.attrs.value;
  }
  const s = a.mask?.strides ?? [0, 0, 0, 0];
  for (let h = 0; h < a.heads; h++) {
    for (let i = 0; i < seq; i++) {
      for (let j = 0; j < past + seq; j++) {
        const m = mask ? getNumber(mask, a.mask!.offset + h * s[1]! + i * s[2]! + j * s[3]!) : 0;
        if (m !== 0 && m !== -Infinity) refuse(iface, `${at(n)}: its mask adds ${m} (query ${i}, key ${j}); only the causal 0/-inf mask is understood`);
        const masked = m === -Infinity || (a.causal && j > i);
        if (masked !== j > past + i) refuse(iface, `${at(n)}: its mask is not causal at past ${past}: query ${i} (position ${past + i}) ${masked ? 'may not' : 'may'} attend key ${j}`);
      }
    }
  }
}

/** A constant holding past, past + 1, ..., past + seq - 1 (any shape of seq elements, any numeric dtype). */
function isPositions(n: Node, seq: number, past: number): boolean {
  if (n.op !== 'constant' || n.attrs.value.dtype === 'bool' || numel(n.attrs.value.shape) !== seq) return false;
  const t = n.attrs.value;
  for (let i = 0; i < seq; i++) if (getNumber(t, i) !== past + i) return false;
  return true;
}

/** The nodes `logits` needs (backwards from it), a replaced attention needing only q and the new k and v. */
function liveNodes(g: Graph, logits: ValueId, caches: ReadonlyMap<Node, CacheAttention>, seq: number, past: number): { live: Set<Node>; positions: Set<Node> } {
  const need = new Set<ValueId>([logits]);
  const live = new Set<Node>();
  const positions = new Set<Node>();
  for (let i = g.nodes.length - 1; i >= 0; i--) {
    const n = g.nodes[i]!;
    if (!n.outputs.some((o) => need.has(o.id))) continue;
    live.add(n);
    if (isPositions(n, seq, past)) positions.add(n);
    const c = caches.get(n);
    const deps = c ? [c.q, c.k, c.v] : positions.has(n) ? [] : n.inputs;
    for (const d of deps) need.add(d);
  }
  return { live, positions };
}

/** Replays `plan` into `b`: the body of a DecoderModel's forward, returning the logits. */
export function replayCall(plan: CallPlan, b: GraphBuilder, tokens: Sym, ctx: DecodeContext): Sym {
  const { graph: g, iface } = plan;
  const vals = new Map<ValueId, Sym>();
  const positionsAs = (t: TensorType): Sym => {
    const p = ctx.positions.dtype === t.dtype ? ctx.positions : ctx.positions.to(t.dtype);
    return sameShape(p.shape, t.shape) ? p : p.reshape(...t.shape);
  };
  for (const i of g.inputs) {
    if (i.name === iface.tokens.name) vals.set(i.id, tokens.dtype === i.type.dtype ? tokens : tokens.to(i.type.dtype));
    else if (i.name === iface.positionIds?.name) vals.set(i.id, positionsAs(i.type));
  }
  const used = new Set([...plan.live].flatMap((n) => n.inputs));
  for (const w of g.weights) {
    if (!used.has(w.id)) continue;
    if (w.name.startsWith(CACHE_PREFIX)) refuse(iface, `initializer ${JSON.stringify(w.name)} is named like a KV cache weight (${CACHE_PREFIX}...)`);
    const data = w.data;
    if (!data) refuse(iface, `initializer ${JSON.stringify(w.name)} has no data`);
    vals.set(w.id, b.param(w.name, w.type, () => data));
  }
  const get = (v: ValueId): Sym => vals.get(v) ?? refuse(iface, `value %${v} is needed by the logits but is not the token ids, a weight or a node result the decoder replays`);
  for (const n of g.nodes) {
    if (!plan.live.has(n)) continue;
    b.scoped(n.label ?? '', () => {
      const c = plan.caches.get(n);
      let outs: Sym[];
      if (c) outs = [ctx.attend(c.name, get(c.q), get(c.k), get(c.v), { scale: c.scale })];
      else if (plan.positions.has(n)) outs = [positionsAs(n.outputs[0]!.type)];
      else outs = b.op(n.op, n.attrs, n.inputs.map(get));
      n.outputs.forEach((o, i) => {
        if (!sameType(outs[i]!.type, o.type)) refuse(iface, `${at(n)}: replayed as ${formatType(outs[i]!.type)}, imported as ${formatType(o.type)}`);
        vals.set(o.id, outs[i]!);
      });
    });
  }
  return get(plan.logits);
}
