// Pass: GELU recognition (the formulas exporters and hand-written models spell out).
//
// Assumes:    shape inference and constant folding have run (the formula's numbers are scalar
//             constants).
// Guarantees: no f32 product whose cone of elementwise arithmetic over one value x and scalar
//             constants computes x * Phi(x) (one erf inside: 0.5 x (1 + erf(x / sqrt 2)), in any
//             association or with x / sqrt 2 written as a product) or its tanh approximation
//             (one tanh inside: 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))), the cube as
//             pow or as products) is left: it is one `gelu` of x, with `approximate` 'none' or
//             'tanh'. The rest of the cone is left to DCE when nothing else reads it.
// Runs:       after constant folding, before fuse-epilogues and fuse-elementwise (a gelu is one
//             epilogue step; the spelled-out formula reads x twice and stays a separate kernel).
//
// How a cone is recognised: for each candidate x (a value the arithmetic below the product reads,
// nearest first), structurally (its ops are add, sub, mul, div, neg, pow, sqrt and one erf or
// tanh; its leaves are x and one-element f32 constants; at most MAX_CONE nodes; the result has
// x's shape), then numerically: evaluated in double precision at PROBES it must agree with
// the GELU it names to within the rounding of its f32 constants. Functions of this form that
// agree at 17 points spread over [-8, 8] are the same function, whichever way it was written.
import type { Node, ValueId } from '../src/ir/graph.ts';
import { sameShape } from '../src/ir/types.ts';
import { erf, gelu, geluTanh } from '../src/ops/scalar.ts';
import type { GraphEditor } from '../src/rewrite/editor.ts';
import { rewriteToFixpoint } from '../src/rewrite/driver.ts';
import type { Match, Rule } from '../src/rewrite/pattern.ts';
import type { Pass } from './pass.ts';
import { scalarConstant } from './util.ts';

/** The most nodes a GELU cone may have (the tanh form with the cube as products has 9). */
const MAX_CONE = 12;

/** Where the formula is checked. */
const PROBES = [-8, -4, -3, -2, -1.5, -1, -0.75, -0.5, -0.1, 0, 0.1, 0.5, 0.75, 1, 1.5, 3, 8];

/** Agreement asked of the formula (its constants are f32: 0.044715 and sqrt(2 / pi) round at ~3e-8 relative). */
const TOLERANCE = 1e-6;

type Arith = 'add' | 'sub' | 'mul' | 'div' | 'neg' | 'pow' | 'sqrt' | 'erf' | 'tanh';

const SCALAR: Readonly<Record<Arith, (a: number, b: number) => number>> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  neg: (a) => -a,
  pow: (a, b) => a ** b,
  sqrt: (a) => Math.sqrt(a),
  erf: (a) => erf(a),
  tanh: (a) => Math.tanh(a),
};

const isArith = (op: string): op is Arith => op in SCALAR;

/** A cone as a scalar function of its one variable leaf, with that leaf and the erf/tanh it holds. */
interface Cone {
  readonly x: ValueId;
  readonly special: 'erf' | 'tanh';
  readonly at: (x: number) => number;
}

/** The non-constant values the arithmetic below `root` reads, nearest first: the candidates for x. */
function candidates(root: Node, ed: GraphEditor): ValueId[] {
  const seen = new Set<ValueId>();
  const queue = [...root.inputs];
  const out: ValueId[] = [];
  while (queue.length > 0 && seen.size < 4 * MAX_CONE) {
    const v = queue.shift()!;
    if (seen.has(v) || scalarConstant(ed, v) !== undefined) continue;
    seen.add(v);
    out.push(v);
    const n = ed.producer(v);
    if (n && isArith(n.op)) queue.push(...n.inputs);
  }
  return out;
}

/** The cone of `root` over the variable `x` when it has the GELU cone's structure (see the header). */
function coneOver(root: Node, x: ValueId, ed: GraphEditor): Cone | undefined {
  let size = 0;
  const specials: ('erf' | 'tanh')[] = [];
  // Each value's scalar function, built bottom-up; memoised so a shared subterm is walked once.
  const fns = new Map<ValueId, (t: number) => number>();
  const build = (v: ValueId): ((t: number) => number) | undefined => {
    const known = fns.get(v);
    if (known) return known;
    let fn: ((t: number) => number) | undefined;
    const c = scalarConstant(ed, v);
    const n = ed.producer(v);
    if (v === x) fn = (t) => t;
    else if (c !== undefined) fn = () => c;
    else if (n && isArith(n.op) && ed.typeOf(v).dtype === 'f32' && ++size <= MAX_CONE) {
      if (n.op === 'erf' || n.op === 'tanh') specials.push(n.op);
      const args = n.inputs.map(build);
      if (args.every((a) => a !== undefined)) {
        const op = SCALAR[n.op as Arith];
        const [a, b] = args as ((t: number) => number)[];
        fn = b ? (t) => op(a!(t), b(t)) : (t) => op(a!(t), 0);
      }
    }
    if (fn) fns.set(v, fn);
    return fn;
  };
  const at = build(root.outputs[0]!.id);
  if (!at || specials.length !== 1 || size > MAX_CONE) return undefined;
  if (ed.typeOf(x).dtype !== 'f32' || !sameShape(ed.typeOf(x).shape, root.outputs[0]!.type.shape)) return undefined;
  return { x, special: specials[0]!, at };
}

/** Whether `f` is `g` at every probe, to TOLERANCE relative to max(1, |g|). */
const agrees = (f: (x: number) => number, g: (x: number) => number): boolean =>
  PROBES.every((t) => Math.abs(f(t) - g(t)) <= TOLERANCE * Math.max(1, Math.abs(g(t))));

const recogniseGelu: Rule = {
  name: 'gelu-formula',
  reason: 'x Phi(x) spelled out in arithmetic is one gelu: one kernel step instead of a chain that reads x twice',
  pattern: { op: 'mul' },
  rewrite(m: Match, ed: GraphEditor) {
    for (const x of candidates(m.root, ed)) {
      const cone = coneOver(m.root, x, ed);
      if (!cone) continue;
      const approximate = cone.special === 'erf' ? 'none' : 'tanh';
      if (!agrees(cone.at, approximate === 'none' ? gelu : geluTanh)) continue;
      return ed.insertBefore(m.root, 'gelu', { approximate }, [x], m.root.label)[0]!.id;
    }
    return undefined;
  },
};

export const fuseGelu: Pass = {
  name: 'fuse-gelu',
  summary: 'recognise the erf and tanh GELU formulas as one gelu',
  run: (g, ctx) => rewriteToFixpoint(g, [recogniseGelu], ctx),
};
