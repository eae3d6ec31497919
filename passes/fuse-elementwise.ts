// Passes: epilogue fusion and elementwise fusion.
//
// Assumes:    shape inference has run; attention fusion has run (it needs to see the scale).
// Guarantees: (fuse-epilogues) no elementwise node of a matmul/gemm's shape reads a
//             contraction result that nothing else reads, unless the epilogue would pass
//             MAX_PROGRAM_STEPS steps: bias adds, scales and activations run in the
//             contraction's store. (fuse-elementwise) no elementwise node reads, at its own
//             shape, an elementwise result that nothing else reads, unless the two are in
//             kernels of MAX_PROGRAM_STEPS steps: chains and trees are one `fused` kernel (a
//             longer one, several). Intermediates keep their dtype's rounding, so results are
//             the unfused ones.
// Runs:       last among the rewriting passes, before DCE.
//
// Cost: an epilogue grows by one consumer per firing (the driver's walk reaches the rebuilt
// consumer in the same sweep), at most MAX_PROGRAM_STEPS step copies each. Elementwise fusion
// fires once per tree, at its top, and builds each kernel's program in one walk: linear.
import { type Node, type ValueId, hasDeadNodes } from '../src/ir/graph.ts';
import { sameShape, sameType } from '../src/ir/types.ts';
import { inGroup } from '../src/ops/table.ts';
import type { GraphEditor } from '../src/rewrite/editor.ts';
import { rewriteToFixpoint } from '../src/rewrite/driver.ts';
import type { Match, Rule } from '../src/rewrite/pattern.ts';
import type { Pass } from './pass.ts';
import { ACC, MAX_PROGRAM_STEPS, asProgram, inline, leading, stepsOf, treeProgram } from './programs.ts';

/** The producer of input `v` of `c` when it may run in c's kernel: `accept`ed, one output, read by `c` alone, at `c`'s shape. */
function joinable(ed: GraphEditor, c: Node, v: ValueId, accept: (p: Node) => boolean): Node | undefined {
  const p = ed.producer(v);
  if (!p || !accept(p) || p.outputs.length !== 1 || ed.isOutput(v)) return undefined;
  if (ed.readerCount(v) !== 1) return undefined; // c reads v: any other reader keeps it
  return sameShape(ed.typeOf(v).shape, c.outputs[0]!.type.shape) ? p : undefined;
}

/** The first input of `c` whose producer is joinable. */
function absorbable(ed: GraphEditor, c: Node, accept: (p: Node) => boolean): Node | undefined {
  for (const v of c.inputs) {
    const p = joinable(ed, c, v, accept);
    if (p) return p;
  }
  return undefined;
}

const isElementwise = (n: Node): boolean => inGroup(n.op, 'elementwise') && n.op !== 'identity';
const isContraction = (n: Node): boolean => n.op === 'matmul' || n.op === 'gemm';

function fuseEpilogue(m: Match, ed: GraphEditor): ValueId | undefined {
  const c = m.root;
  const fits = (k: Node): boolean => isContraction(k) && (k.op === 'matmul' || k.op === 'gemm') && (k.attrs.epilogue?.steps.length ?? 0) + stepsOf(c) <= MAX_PROGRAM_STEPS;
  const k = absorbable(ed, c, fits);
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

/** The elementwise producers that may run in `c`'s kernel, one per distinct input, in input order. */
function joiners(ed: GraphEditor, c: Node): Node[] {
  const out: Node[] = [];
  for (const v of new Set(c.inputs)) {
    const p = joinable(ed, c, v, isElementwise);
    if (p) out.push(p);
  }
  return out;
}

/** True when `n` may run in the kernel of its one reader: fusion happens at the top of the tree. */
function joinsReader(ed: GraphEditor, n: Node): boolean {
  const v = n.outputs[0]!.id;
  if (n.outputs.length !== 1 || ed.readerCount(v) !== 1) return false;
  const u = ed.usersOf(v)[0]!;
  return isElementwise(u) && joinable(ed, u, v, isElementwise) === n;
}

/**
 * The tree of joinable producers under `top`, cut into kernels of at most MAX_PROGRAM_STEPS steps
 * in as few kernels as a tree allows: bottom-up, a node whose subtree overflows cuts off its
 * heaviest subtrees until it fits (Kundu and Misra's tree partitioning, linear here since a node
 * has few joinable inputs). Each kernel is its members, its root first, listed after every kernel
 * it reads.
 */
function kernelsUnder(ed: GraphEditor, top: Node): Node[][] {
  const kids = new Map<Node, Node[]>();
  const preorder: Node[] = [];
  for (const stack = [top]; stack.length > 0; ) {
    const c = stack.pop()!;
    const ks = joiners(ed, c);
    kids.set(c, ks);
    preorder.push(c);
    stack.push(...ks);
  }
  const weight = new Map<Node, number>();
  const roots: Node[] = [];
  for (let i = preorder.length - 1; i >= 0; i--) {
    const c = preorder[i]!;
    const heaviest = [...kids.get(c)!].sort((a, b) => weight.get(b)! - weight.get(a)!);
    let total = heaviest.reduce((sum, k) => sum + weight.get(k)!, stepsOf(c));
    for (const k of heaviest) {
      if (total <= MAX_PROGRAM_STEPS) break;
      total -= weight.get(k)!;
      weight.set(k, 0); // its own kernel now
      roots.push(k);
    }
    weight.set(c, total);
  }
  roots.push(top);
  const cut = new Set(roots);
  return roots.map((r) => {
    const members = [r];
    for (let j = 0; j < members.length; j++) for (const k of kids.get(members[j]!)!) if (!cut.has(k)) members.push(k);
    return members;
  });
}

/** One fused node for `members` (its root first), before the root; its result. */
function fuseKernel(ed: GraphEditor, members: readonly Node[]): ValueId {
  // Earlier kernels of the same tree rebuilt some members (their inputs were redirected): read the live ones.
  const live = members.map((n) => ed.producer(n.outputs[0]!.id)!);
  const { program, inputs } = treeProgram(live[0]!, new Map(live.map((n) => [n.outputs[0]!.id, n])));
  const label = live.find((n) => n.label !== undefined)?.label;
  return ed.insertBefore(live[0]!, 'fused', { program }, inputs, label)[0]!.id;
}

function fuseTree(m: Match, ed: GraphEditor): ValueId | undefined {
  if (joinsReader(ed, m.root)) return undefined; // its reader's tree takes it
  const kernels = kernelsUnder(ed, m.root);
  let result: ValueId | undefined;
  for (const members of kernels) {
    if (members.length === 1) continue; // a node alone (or a kernel already full) stays as it is
    const v = fuseKernel(ed, members);
    if (members[0] === m.root) result = v;
    else ed.replaceUses(members[0]!.outputs[0]!.id, v);
  }
  return result;
}

/** Epilogue fusion: elementwise consumers of a contraction move into its store. */
export const EPILOGUE_RULES: readonly Rule[] = [
  { name: 'epilogue', reason: 'an elementwise op on a matmul result costs nothing in the matmul store', pattern: { group: 'elementwise', where: isElementwise }, rewrite: fuseEpilogue },
];

/** Elementwise fusion: a chain of elementwise ops becomes one kernel. */
export const ELEMENTWISE_RULES: readonly Rule[] = [
  { name: 'fuse-chain', reason: 'one pass over memory instead of one per op', pattern: { group: 'elementwise', where: isElementwise }, rewrite: fuseTree },
];

export const fuseEpilogues: Pass = {
  name: 'fuse-epilogues',
  summary: 'bias adds, scales and activations run in the matmul store',
  // Without a contraction there is nothing to fuse into: the walk over every elementwise node is skipped.
  run: (graph, ctx) => (!graph.nodes.some(isContraction) && !hasDeadNodes(graph) ? graph : rewriteToFixpoint(graph, EPILOGUE_RULES, ctx)),
};

export const fuseElementwise: Pass = {
  name: 'fuse-elementwise',
  summary: 'chains of elementwise ops become one kernel',
  run: (graph, ctx) => rewriteToFixpoint(graph, ELEMENTWISE_RULES, ctx),
};
