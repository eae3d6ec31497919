// Loop and Scan, unrolled at import. Shapes are static, so a body runs a number of times known
// when the model is read: Scan's scanned axis length, Loop's trip count M and condition (inputs
// known at import, or pinned with --const) and a condition output that folds each iteration.
// Each iteration lowers the body once, its inputs bound to the carried values and the iteration's
// slices, outer-scope names resolved as If's branches are; the scan outputs are stacked. The
// unrolled size is bounded by the limit maxUnrolledNodes. Refused, naming the node and why: a
// trip count or condition only known at run time, zero iterations with scan outputs (their shape
// is the body's), sequence or optional values in a Scan body or a scan output, Scan-8's
// sequence_lens. A Loop's carried values may be sequences or optionals (structured.ts).
import { LimitError } from '../../../errors.ts';
import { getNumber } from '../../../ir/tensor.ts';
import { type NodeContext, POISONED, type Val } from '../context.ts';
import type { OnnxGraph } from '../schema.ts';
import type { Lowerings } from './lowering.ts';
import { article, kindOfType, kindOfVal } from '../structured.ts';

/** Nodes of a graph, nested subgraphs included (what one unrolled copy adds). */
function nodeCount(g: OnnxGraph): number {
  return g.node.reduce((n, node) => n + 1 + node.attribute.reduce((m, a) => m + (a.g ? nodeCount(a.g) : 0) + a.graphs.reduce((k, s) => k + nodeCount(s), 0), 0), 0);
}

/** Checks `trips` copies of `body` against maxUnrolledNodes; a LimitError names the node. */
function checkUnroll(c: NodeContext, body: OnnxGraph, trips: number): void {
  const n = trips * nodeCount(body);
  const max = c.em.limits.maxUnrolledNodes;
  if (n > max) throw new LimitError(`${c.where}: unrolling ${trips} iterations of a ${nodeCount(body)}-node body gives ${n} nodes, over the limit maxUnrolledNodes = ${max}`);
}

/** Refuses a Scan body whose inputs or outputs are sequences or optionals (its values are sliced and stacked). */
function checkTensorBody(c: NodeContext, body: OnnxGraph): void {
  for (const v of [...body.input, ...body.output]) {
    const kind = kindOfType(v.type);
    if (kind !== 'tensor') c.unsupported('with sequence or optional values', `body value ${JSON.stringify(v.name)} is ${article(kind)}; Scan slices and stacks tensors only`);
  }
}

/** Element `t` of `x` along `axis`, the axis removed. */
function sliceAt(c: NodeContext, x: Val, axis: number, t: number): Val {
  const s = c.op1('slice', { starts: [t], ends: [t + 1], axes: [axis], steps: [1] }, [x]);
  return c.op1('squeeze', { axes: [axis] }, [s]);
}

/** The per-iteration values stacked along `axis` (of the result's rank). */
function stack(c: NodeContext, parts: readonly Val[], axis: number): Val {
  const odd = parts.find((p) => p.structure);
  if (odd) c.unsupported('with sequence or optional scan outputs', `a scan output is ${article(kindOfVal(odd))}; scan outputs are stacked tensors`);
  const rank = parts[0]!.type.shape.length + 1;
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) c.fail(`scan output axis ${axis} is out of range for rank ${rank}`);
  const rows = parts.map((p) => c.op1('unsqueeze', { axes: [a] }, [p]));
  return rows.length === 1 ? rows[0]! : c.op1('concat', { axis: a }, rows);
}

/** Per-iteration scan outputs: `perIter[t][k]`, stacked per output along its axis, reversed where asked. */
function stackOutputs(c: NodeContext, perIter: readonly (readonly Val[])[], axes: readonly number[], dirs: readonly number[]): Val[] {
  const k = perIter[0]?.length ?? 0;
  return Array.from({ length: k }, (_, j) => {
    const parts = perIter.map((outs) => outs[j]!);
    return stack(c, dirs[j] ? parts.reverse() : parts, axes[j] ?? 0);
  });
}

/** Scan from opset 9: N states, M scan inputs sliced along their axes, outputs stacked. */
function scanCore(c: NodeContext, body: OnnxGraph, states: Val[], xs: readonly Val[], inAxes: readonly number[], inDirs: readonly number[]): { states: Val[]; perIter: Val[][] } {
  const axes = xs.map((x, j) => {
    const r = x.type.shape.length;
    const a = inAxes[j] ?? 0;
    if (a < -r || a >= r) c.fail(`scan_input_axes[${j}] = ${a} is out of range for input rank ${r}`);
    return a < 0 ? a + r : a;
  });
  const trips = xs.length ? xs[0]!.type.shape[axes[0]!]! : 0;
  xs.forEach((x, j) => {
    if (x.type.shape[axes[j]!] !== trips) c.fail(`scan input ${j} is ${c.fmt(x)}: its axis ${axes[j]} has ${x.type.shape[axes[j]!]} elements, scan input 0 has ${trips}`);
  });
  checkUnroll(c, body, trips);
  const perIter: Val[][] = [];
  for (let t = 0; t < trips; t++) {
    const slices = xs.map((x, j) => sliceAt(c, x, axes[j]!, inDirs[j] ? trips - 1 - t : t));
    const outs = c.bodyCall(body, [...states, ...slices]);
    if (outs.some((v) => v.poisoned)) return { states: states.map(() => POISONED), perIter: [] };
    states = outs.slice(0, states.length);
    perIter.push(outs.slice(states.length));
  }
  if (trips === 0 && body.output.length > states.length) c.unsupported('with zero iterations', 'the scan axis is empty, so the scan outputs have no iteration to take their shape from');
  return { states, perIter };
}

function scan(c: NodeContext): Val[] {
  const body = c.graph('body');
  checkTensorBody(c, body);
  const m = c.int('num_scan_inputs', -1);
  if (m < 1) c.fail('attribute num_scan_inputs (at least 1) is required');
  if (c.opset < 9) return scan8(c, body, m, c.ints('directions') ?? []);
  const inputs = Array.from({ length: c.inputCount }, (_, i) => c.input(i));
  const n = inputs.length - m;
  if (n < 0) c.fail(`num_scan_inputs = ${m}, but the node has ${inputs.length} inputs`);
  const r = scanCore(c, body, inputs.slice(0, n), inputs.slice(n), c.ints('scan_input_axes') ?? [], c.ints('scan_input_directions') ?? []);
  if (r.states.some((v) => v.poisoned)) return c.node.output.map(() => POISONED);
  return [...r.states, ...stackOutputs(c, r.perIter, c.ints('scan_output_axes') ?? [], c.ints('scan_output_directions') ?? [])];
}

/** Scan-8: axis 0 of every input is a batch, scanned along axis 1; each batch row is one scan (`dirs` per scan input). */
function scan8(c: NodeContext, body: OnnxGraph, m: number, dirs: readonly number[]): Val[] {
  if (c.maybe(0)) c.unsupported('sequence_lens', 'sequence_lens of Scan-8 is not supported (every batch row runs the full length)');
  const inputs = Array.from({ length: c.inputCount - 1 }, (_, i) => c.input(i + 1));
  const n = inputs.length - m;
  if (n < 0) c.fail(`num_scan_inputs = ${m}, but the node has ${inputs.length} inputs after sequence_lens`);
  const batch = inputs[0]!.type.shape[0] ?? 0;
  const rows = Array.from({ length: batch }, (_, b) => {
    const r = scanCore(c, body, inputs.slice(0, n).map((s) => sliceAt(c, s, 0, b)), inputs.slice(n).map((x) => sliceAt(c, x, 0, b)), [], dirs);
    return [...r.states, ...stackOutputs(c, r.perIter, [], [])];
  });
  if (rows.some((r) => r.some((v) => v.poisoned))) return c.node.output.map(() => POISONED);
  return rows[0]!.map((_, j) => stack(c, rows.map((r) => r[j]!), 0));
}

/** Loop: iterations while `i < M` and the condition holds, both known at import at every step. */
function loop(c: NodeContext): Val[] {
  const body = c.graph('body');
  const M = c.maybe(0) ? getNumber(c.static(0, 'trip count M'), 0) : undefined;
  let cond: Val = c.maybe(1) ? c.input(1) : c.constant('bool', [], [1]);
  if (c.maybe(1)) c.static(1, 'the loop condition');
  // Loop-carried values may be sequences and optionals: the unrolled body passes them on as they are.
  let states = Array.from({ length: c.inputCount - 2 }, (_, i) => c.value(i + 2));
  const perIter: Val[][] = [];
  for (let i = 0; M === undefined || i < M; i++) {
    if (getNumber(cond.value!, 0) === 0) break;
    checkUnroll(c, body, i + 1);
    const outs = c.bodyCall(body, [c.constant('i64', [], [i]), cond, ...states]);
    if (outs.some((v) => v.poisoned)) return c.node.output.map(() => POISONED);
    if (!outs[0]!.value) c.unsupported('with a run-time condition', `the condition output of iteration ${i} depends on run-time values, so the trip count is not known at import and the body cannot be unrolled`);
    cond = outs[0]!;
    states = outs.slice(1, 1 + states.length);
    perIter.push(outs.slice(1 + states.length));
  }
  if (perIter.length === 0 && body.output.length > 1 + states.length) c.unsupported('with zero iterations', 'the loop runs no iteration, so its scan outputs have no iteration to take their shape from');
  return [...states, ...stackOutputs(c, perIter, [], [])];
}

/** The loop lowerings. */
export const loopLowerings: Lowerings = { Loop: loop, Scan: scan };
