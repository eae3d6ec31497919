// Elementwise programs as the fusion passes build them: a node as a program, one program inlined
// into another (epilogues grow this way), and the program of a whole tree of nodes built in one
// walk (fused kernels), each step copied once.
import type { Node, ValueId } from '../src/ir/graph.ts';
import type { ElementwiseProgram, ProgramStep } from '../src/ops/program.ts';

/**
 * Most steps one fused kernel or epilogue holds. A longer chain becomes several kernels: each
 * fusion then costs at most this many step copies, and no backend gets a kernel of unbounded size.
 */
export const MAX_PROGRAM_STEPS = 64;

/** Steps of `n` as a program. */
export const stepsOf = (n: Node): number => (n.op === 'fused' ? n.attrs.program.steps.length : 1);

/** A program together with the values its inputs are (a sentinel -1 stands for an accumulator). */
export interface Bound {
  readonly program: ElementwiseProgram;
  readonly inputs: readonly ValueId[];
}

/** Stands for the contraction result in an epilogue's input list. */
export const ACC = -1;

/** A node as a program over its own inputs. */
export function asProgram(n: Node): Bound {
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
export function inline(c: Bound, p: Bound, v: ValueId, first?: ValueId): Bound {
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
export function leading(b: Bound, first: ValueId): Bound {
  const inputs = [first, ...distinct(b.inputs, first)];
  const at = positions(inputs);
  const map = (a: number): number => (a < b.program.inputs ? at.get(b.inputs[a]!)! : inputs.length + a - b.program.inputs);
  return { program: { inputs: inputs.length, steps: b.program.steps.map((s) => ({ ...s, args: s.args.map(map) })) }, inputs };
}

/**
 * The program of a tree of nodes, `root` first in `members` (by output value): every member but
 * the root is read by one member only. The result is what inlining each member into its reader
 * gives, readers' other inputs first: inputs are each member's non-member inputs in input order,
 * its members' inputs after them, in a walk from the root; steps are in dependency order, a
 * member's later inputs' trees first. Linear in the steps.
 */
export function treeProgram(root: Node, members: ReadonlyMap<ValueId, Node>): Bound {
  const kids = (c: Node): Node[] => [...new Set(c.inputs.filter((v) => members.has(v)))].map((v) => members.get(v)!);
  const inputs = new Set<ValueId>();
  for (const stack = [root]; stack.length > 0; ) {
    const c = stack.pop()!;
    for (const v of c.inputs) if (!members.has(v)) inputs.add(v);
    stack.push(...kids(c).reverse());
  }
  const order = [...inputs];
  const index = new Map(order.map((v, i) => [v, i]));
  const steps: ProgramStep[] = [];
  // Post-order, later inputs' trees first: a member is emitted once its subtrees are.
  for (const stack: [Node, boolean][] = [[root, false]]; stack.length > 0; ) {
    const [c, ready] = stack.pop()!;
    if (!ready) {
      stack.push([c, true], ...kids(c).map((k): [Node, boolean] => [k, false]));
      continue;
    }
    const b = asProgram(c);
    const base = order.length + steps.length;
    const map = (a: number): number => (a < b.program.inputs ? index.get(b.inputs[a]!)! : base + a - b.program.inputs);
    for (const s of b.program.steps) steps.push({ ...s, args: s.args.map(map) });
    index.set(c.outputs[0]!.id, order.length + steps.length - 1);
  }
  return { program: { inputs: order.length, steps }, inputs: order };
}
