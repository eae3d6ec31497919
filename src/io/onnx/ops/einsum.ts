// Einsum lowered onto transpose, reshape, slice, reduceSum and matmul. Each operand first loses
// its repeated labels (diagonals) and the labels only it carries (sums); operands are then
// contracted pairwise by one batched matmul each; the result is summed and transposed into the
// output's label order.
import { numel } from '../../../ir/types.ts';
import type { NodeContext, Val } from '../context.ts';
import type { Lowerings } from './lowering.ts';

/** A value with one label per dim. */
interface Term {
  readonly v: Val;
  readonly labels: string[];
}

/** Splits the equation into input label lists and the output's; `...` becomes one label per broadcast dim. */
function parse(c: NodeContext, equation: string, ranks: readonly number[]): { inputs: string[][]; output: string[] } {
  const eq = equation.replace(/\s+/g, '');
  const [lhs, rhs] = eq.includes('->') ? eq.split('->') as [string, string] : [eq, undefined];
  const terms = lhs.split(',');
  if (terms.length !== ranks.length) c.fail(`equation ${JSON.stringify(equation)} has ${terms.length} operand(s), the node ${ranks.length}`);
  let ellipsisRank = 0;
  const expand = (term: string, rank?: number): string[] => {
    const [before, after] = term.includes('...') ? term.split('...') as [string, string] : [term, undefined];
    for (const ch of before + (after ?? '')) if (!/[a-zA-Z]/.test(ch)) c.fail(`equation ${JSON.stringify(equation)} has an invalid label ${JSON.stringify(ch)}`);
    if (after === undefined) return [...before];
    const n = rank === undefined ? ellipsisRank : rank - before.length - after.length;
    if (n < 0) c.fail(`equation ${JSON.stringify(equation)} does not fit an operand of rank ${rank}`);
    ellipsisRank = Math.max(ellipsisRank, n);
    // Broadcast dims align from the right: the last ellipsis dim is '#0' in every operand.
    return [...before, ...Array.from({ length: n }, (_, i) => `#${n - 1 - i}`), ...after];
  };
  const inputs = terms.map((t, i) => expand(t, ranks[i]));
  inputs.forEach((labels, i) => {
    if (labels.length !== ranks[i]) c.fail(`equation term ${JSON.stringify(terms[i])} does not match operand ${i} of rank ${ranks[i]}`);
  });
  let output: string[];
  if (rhs !== undefined) output = expand(rhs);
  else {
    const counts = new Map<string, number>();
    for (const l of inputs.flat()) counts.set(l, (counts.get(l) ?? 0) + 1);
    const ell = Array.from({ length: ellipsisRank }, (_, i) => `#${ellipsisRank - 1 - i}`);
    output = [...ell, ...[...counts].filter(([l, n]) => n === 1 && !l.startsWith('#')).map(([l]) => l).sort()];
  }
  return { inputs, output };
}

/** Moves dims into the order `labels` names. */
function permute(c: NodeContext, t: Term, labels: readonly string[]): Term {
  const perm = labels.map((l) => t.labels.indexOf(l));
  if (perm.every((p, i) => p === i)) return t;
  return { v: c.op1('transpose', { perm }, [t.v]), labels: [...labels] };
}

/** Takes the diagonal of every label that repeats within one operand. */
function diagonals(c: NodeContext, t: Term): Term {
  for (;;) {
    const dup = t.labels.find((l, i) => t.labels.indexOf(l) !== i);
    if (dup === undefined) return t;
    // Two dims of the label go last, flattened to n*n; every (n+1)-th element is the diagonal.
    const firstIdx = t.labels.indexOf(dup);
    const secondIdx = t.labels.indexOf(dup, firstIdx + 1);
    const order = [...t.labels.map((_, i) => i).filter((i) => i !== firstIdx && i !== secondIdx), firstIdx, secondIdx];
    const moved = c.op1('transpose', { perm: order }, [t.v]);
    const n = t.v.type.shape[firstIdx]!;
    if (t.v.type.shape[secondIdx] !== n) c.fail(`label ${dup} has sizes ${n} and ${t.v.type.shape[secondIdx]}`);
    const lead = order.slice(0, -2).map((i) => t.v.type.shape[i]!);
    const flat = c.op1('reshape', { shape: [...lead, n * n] }, [moved]);
    const diag = c.op1('slice', { starts: [0], ends: [n * n], axes: [lead.length], steps: [n + 1] }, [flat]);
    t = { v: diag, labels: [...order.slice(0, -2).map((i) => t.labels[i]!), dup] };
  }
}

/** Sums away the labels of `t` not in `keep`. */
function sumOut(c: NodeContext, t: Term, keep: ReadonlySet<string>): Term {
  const axes = t.labels.flatMap((l, i) => (keep.has(l) ? [] : [i]));
  if (axes.length === 0) return t;
  return { v: c.op1('reduceSum', { axes, keepDims: false }, [t.v]), labels: t.labels.filter((l) => keep.has(l)) };
}

/** Contracts two operands with one batched matmul; `keep` are the labels needed afterwards. */
function contract(c: NodeContext, a: Term, b: Term, keep: ReadonlySet<string>): Term {
  const inB = new Set(b.labels);
  const batch = a.labels.filter((l) => inB.has(l) && keep.has(l));
  const summed = a.labels.filter((l) => inB.has(l) && !keep.has(l));
  const aOnly = a.labels.filter((l) => !inB.has(l));
  const bOnly = b.labels.filter((l) => !a.labels.includes(l));
  const size = (t: Term, ls: readonly string[]): number[] => ls.map((l) => t.v.type.shape[t.labels.indexOf(l)]!);
  const pa = permute(c, a, [...batch, ...aOnly, ...summed]);
  const pb = permute(c, b, [...batch, ...summed, ...bOnly]);
  const [m, k, n] = [numel(size(a, aOnly)), numel(size(a, summed)), numel(size(b, bOnly))];
  const ka = c.op1('reshape', { shape: [...size(a, batch), m, k] }, [pa.v]);
  const kb = c.op1('reshape', { shape: [...size(b, batch), k, n] }, [pb.v]);
  const prod = c.op1('matmul', { transA: false, transB: false }, [ka, kb]);
  const outBatch = prod.type.shape.slice(0, batch.length);
  const v = c.op1('reshape', { shape: [...outBatch, ...size(a, aOnly), ...size(b, bOnly)] }, [prod]);
  return { v, labels: [...batch, ...aOnly, ...bOnly] };
}

function einsum(c: NodeContext): Val[] {
  const operands = Array.from({ length: c.inputCount }, (_, i) => c.input(i));
  const { inputs, output } = parse(c, c.string('equation', ''), operands.map((v) => v.type.shape.length));
  let terms: Term[] = operands.map((v, i) => ({ v, labels: inputs[i]! }));
  const needed = (skip: number): Set<string> => new Set([...output, ...terms.flatMap((t, j) => (j === skip ? [] : t.labels))]);
  terms = terms.map((t, i) => {
    terms[i] = diagonals(c, t);
    return (terms[i] = sumOut(c, terms[i]!, needed(i)));
  });
  let acc = terms[0]!;
  for (let i = 1; i < terms.length; i++) {
    const later = new Set([...output, ...terms.slice(i + 1).flatMap((t) => t.labels)]);
    acc = contract(c, acc, terms[i]!, later);
  }
  for (const l of output) if (!acc.labels.includes(l)) c.fail(`output label ${l} does not appear in any operand`);
  acc = sumOut(c, acc, new Set(output));
  return [permute(c, acc, output).v];
}

/** The Einsum lowering. */
export const einsumLowerings: Lowerings = { Einsum: einsum };
