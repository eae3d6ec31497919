// Passes: epilogue fusion and elementwise fusion.
//
// Assumes:    shape inference has run; attention fusion has run (it needs to see the scale).
// Guarantees: (fuse-epilogues) no elementwise node of a matmul/gemm's shape reads a
//             contraction result that nothing else reads: bias adds, scales and activations
//             run in the contraction's store. (fuse-elementwise) no elementwise node reads, at
//             its own shape, an elementwise result that nothing else reads: chains are one
//             `fused` kernel. Intermediates keep their dtype's rounding, so results are
//             the unfused ones.
// Runs:       last among the rewriting passes, before DCE.
import type { Node, ValueId } from '../src/ir/graph.ts';
import { sameShape, sameType } from '../src/ir/types.ts';
import type { ElementwiseProgram, ProgramStep } from '../src/ops/program.ts';
import { inGroup } from '../src/ops/table.ts';
import type { GraphEditor } from '../src/rewrite/editor.ts';
import { rewriteToFixpoint } from '../src/rewrite/driver.ts';
import type { Match, Rule } from '../src/rewrite/pattern.ts';
import type { Pass } from './pass.ts';

/** A program together with the values its inputs are (a sentinel -1 stands for an accumulator). */
interface Bound {
  readonly program: ElementwiseProgram;
  readonly inputs: readonly ValueId[];
}

/** Stands for the contraction result in an epilogue's input list. */
const ACC = -1;

/** A node as a program over its own inputs. */
function asProgram(n: Node): Bound {
  if (n.op === 'fused') return { program: n.attrs.program, inputs: n.inputs };
  const step: ProgramStep = { op: n.op, attrs: n.attrs, args: n.inputs.map((_, i) => i) };
  return { program: { inputs: n.inputs.length, steps: [step] }, inputs: n.inputs };
}

/** The distinct values of `xs` in first-seen order, without `skip`. */
function distinct(xs: readonly ValueId[], skip?: ValueId): ValueId[] {
  const seen = new Set<ValueId>();
  for (const x of xs) if (x !== skip) seen.add(x);
  return [...seen];
}

/** Each value's position in `inputs` (they are distinct). */
const positions = (inputs: readonly ValueId[]): Map<ValueId, number> => new Map(inputs.map((x, i) => [x, i]));

/** Inlines producer `p` (whose result is value `v`) into consumer `c`. `first` leads the new input list. */
function inline(c: Bound, p: Bound, v: ValueId, first?: ValueId): Bound {
  const rest = distinct([...c.inputs.filter((x) => x !== v), ...p.inputs], first);
  const inputs = first === undefined ? rest : [first, ...rest];
  const at = positions(inputs);
  const n = inputs.length;
  const pn = p.program.steps.length;
  const pmap = (a: number): number => (a < p.program.inputs ? at.get(p.inputs[a]!)! : n + a - p.program.inputs);
  const pResult = n + pn - 1;
  const cmap = (a: number): number => (a < c.program.inputs ? (c.inputs[a] === v ? pResult : at.get(c.inputs[a]!)!) : n + pn + a - c.program.inputs);
  const steps = [...p.program.steps.map((s) => ({ ...s, args: s.args.map(pmap) })), ...c.program.steps.map((s) => ({ ...s, args: s.args.map(cmap) }))];
  return { program: { inputs: n, steps }, inputs };
}

/** `b` with its inputs reordered so that `first` is input 0 (duplicates merged). */
function leading(b: Bound, first: ValueId): Bound {
  const inputs = [first, ...distinct(b.inputs, first)];
  const at = positions(inputs);
  const map = (a: number): number => (a < b.program.inputs ? at.get(b.inputs[a]!)! : inputs.length + a - b.program.inputs);
  return { program: { inputs: inputs.length, steps: b.program.steps.map((s) => ({ ...s, args: s.args.map(map) })) }, inputs };
}

/** The input of `c` that a fusion may absorb: produced by a node `accept`s, read by `c` alone, at `c`'s shape. */
function absorbable(ed: GraphEditor, c: Node, accept: (p: Node) => boolean): Node | undefined {
  for (const v of c.inputs) {
    const p = ed.producer(v);
    if (!p || !accept(p) || p.outputs.length !== 1 || ed.isOutput(v)) continue;
    if (ed.readerCount(v) !== 1) continue; // c reads v: any other reader keeps it
    if (!sameShape(ed.typeOf(v).shape, c.outputs[0]!.type.shape)) continue;
    return p;
  }
  return undefined;
}

const isElementwise = (n: Node): boolean => inGroup(n.op, 'elementwise') && n.op !== 'identity';
const isContraction = (n: Node): boolean => n.op === 'matmul' || n.op === 'gemm';

function fuseEpilogue(m: Match, ed: GraphEditor): ValueId | undefined {
  const c = m.root;
  const k = absorbable(ed, c, isContraction);
  if (!k || (k.op !== 'matmul' && k.op !== 'gemm') || !sameType(c.outputs[0]!.type, k.outputs[0]!.type)) return undefined;
  const old = k.attrs.epilogue;
  const extras = old ? k.inputs.slice(k.inputs.length - (old.inputs - 1)) : [];
  const regular = k.inputs.slice(0, k.inputs.length - extras.length);
  const consumer = asProgram(c);
  const reading = { ...consumer, inputs: consumer.inputs.map((x) => (x === k.outputs[0]!.id ? ACC : x)) };
  const merged = old ? inline(reading, { program: old, inputs: [ACC, ...extras] }, ACC, ACC) : leading(reading, ACC);
  const attrs = { ...k.attrs, epilogue: merged.program };
  return ed.insertBefore(c, k.op, attrs as never, [...regular, ...merged.inputs.slice(1)], k.label)[0]!.id;
}

function fuseChain(m: Match, ed: GraphEditor): ValueId | undefined {
  const c = m.root;
  const p = absorbable(ed, c, isElementwise);
  if (!p) return undefined;
  const merged = inline(asProgram(c), asProgram(p), p.outputs[0]!.id);
  return ed.insertBefore(c, 'fused', { program: merged.program }, merged.inputs, c.label ?? p.label)[0]!.id;
}

/** Epilogue fusion: elementwise consumers of a contraction move into its store. */
export const EPILOGUE_RULES: readonly Rule[] = [
  { name: 'epilogue', reason: 'an elementwise op on a matmul result costs nothing in the matmul store', pattern: { group: 'elementwise', where: isElementwise }, rewrite: fuseEpilogue },
];

/** Elementwise fusion: a chain of elementwise ops becomes one kernel. */
export const ELEMENTWISE_RULES: readonly Rule[] = [
  { name: 'fuse-chain', reason: 'one pass over memory instead of one per op', pattern: { group: 'elementwise', where: isElementwise }, rewrite: fuseChain },
];

export const fuseEpilogues: Pass = {
  name: 'fuse-epilogues',
  summary: 'bias adds, scales and activations run in the matmul store',
  run: (graph, ctx) => rewriteToFixpoint(graph, EPILOGUE_RULES, ctx),
};

export const fuseElementwise: Pass = {
  name: 'fuse-elementwise',
  summary: 'chains of elementwise ops become one kernel',
  run: (graph, ctx) => rewriteToFixpoint(graph, ELEMENTWISE_RULES, ctx),
};
