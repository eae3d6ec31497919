// The canonical text form of the IR: `%3: f32[2,4] = matmul %1 %2 {transB: true}`.
// Errors, snapshots and `opgraph print` all use it; DOT reuses formatAttrs.
import type { Graph, Node } from './graph.ts';
import { type Tensor, toNumbers } from './tensor.ts';
import { formatType } from './types.ts';

/** Largest constant printed in full; bigger ones print as a type and a digest. */
const MAX_INLINE_ELEMENTS = 8;

/** Formats one attribute value deterministically. Names and strings are JSON-quoted, never raw. */
export function formatAttrValue(v: unknown): string {
  if (isTensor(v)) return formatConstant(v);
  if (isProgram(v)) return formatProgram(v);
  if (Array.isArray(v)) return `[${v.map(formatAttrValue).join(',')}]`;
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : v > 0 ? 'inf' : v < 0 ? '-inf' : 'nan';
  if (typeof v === 'boolean') return String(v);
  if (v && typeof v === 'object') {
    return `{${Object.keys(v).sort().map((k) => `${k}: ${formatAttrValue((v as Record<string, unknown>)[k])}`).join(', ')}}`;
  }
  return String(v);
}

/** `{axis: 1, keepDims: false}`, keys sorted; empty string for no attributes. */
export function formatAttrs(attrs: object): string {
  const keys = Object.keys(attrs).sort();
  if (keys.length === 0) return '';
  return `{${keys.map((k) => `${k}: ${formatAttrValue((attrs as Record<string, unknown>)[k])}`).join(', ')}}`;
}

function formatConstant(t: Tensor): string {
  if (t.data.length <= MAX_INLINE_ELEMENTS) return `${formatType(t)}(${toNumbers(t).join(', ')})`;
  return `${formatType(t)}(#${digest(t)})`;
}

/** A short, stable content digest of a tensor (FNV-1a over its bytes). */
export function digest(t: Tensor): string {
  const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** The shape of an elementwise program (declared in src/ops/program.ts, which imports this file's helpers). */
interface ProgramLike {
  readonly inputs: number;
  readonly steps: readonly { readonly op: string; readonly attrs: object; readonly args: readonly number[] }[];
}

function isProgram(v: unknown): v is ProgramLike {
  return !!v && typeof v === 'object' && Array.isArray((v as ProgramLike).steps) && typeof (v as ProgramLike).inputs === 'number';
}

/**
 * An elementwise program as one expression over its inputs `$0, $1, ...`:
 * `relu(add($0, $1))`; step attributes appear in brackets, `cast[to: "i32"]($0)`.
 */
export function formatProgram(p: ProgramLike): string {
  const exprs: string[] = Array.from({ length: p.inputs }, (_, i) => `$${i}`);
  for (const s of p.steps) {
    const attrs = formatAttrs(s.attrs);
    exprs.push(`${s.op}${attrs ? `[${attrs.slice(1, -1)}]` : ''}(${s.args.map((a) => exprs[a] ?? `?${a}`).join(', ')})`);
  }
  return exprs[exprs.length - 1]!;
}

function isTensor(v: unknown): v is Tensor {
  return !!v && typeof v === 'object' && 'data' in v && 'dtype' in v && 'shape' in v;
}

/** One node in canonical form. */
export function formatNode(n: Node): string {
  const outs = n.outputs.map((o) => `%${o.id}: ${formatType(o.type)}`).join(', ');
  const ins = n.inputs.map((i) => ` %${i}`).join('');
  const attrs = formatAttrs(n.attrs);
  const label = n.label === undefined ? '' : `  # ${JSON.stringify(n.label)}`;
  return `${outs} = ${n.op}${ins}${attrs ? ' ' + attrs : ''}${label}`;
}

/** A node named on one line for traces and notes: `%12 add "attn.0"` (no label, no quotes). */
export function nodeRef(n: Node): string {
  const id = n.outputs[0] === undefined ? '' : `%${n.outputs[0].id} `;
  return `${id}${n.op}${n.label === undefined ? '' : ` ${JSON.stringify(n.label)}`}`;
}

/** The whole graph in canonical form. Names are JSON-quoted so hostile names stay on one line. */
export function printGraph(g: Graph): string {
  const lines: string[] = [];
  lines.push(`graph ${JSON.stringify(g.name)} {`);
  for (const i of g.inputs) lines.push(`  input %${i.id}: ${formatType(i.type)} ${JSON.stringify(i.name)}`);
  for (const w of g.weights) {
    const data = w.data ? '' : ' (unbound)';
    lines.push(`  weight %${w.id}: ${formatType(w.type)} ${JSON.stringify(w.name)}${data}`);
  }
  for (const n of g.nodes) lines.push(`  ${formatNode(n)}`);
  for (const o of g.outputs) lines.push(`  output ${JSON.stringify(o.name)} = %${o.id}`);
  lines.push('}');
  return lines.join('\n') + '\n';
}
