// Checks every pass must pass (verifier, idempotence, interpreter agreement on examples and seeded random graphs), shared by the per-pass tests.
import { describe, expect, it } from 'vitest';
import { PIPELINES, runPipeline } from '../../passes/pipeline.ts';
import { type Pass, type PassContext, SILENT } from '../../passes/pass.ts';
import { shapeInference } from '../../passes/shape-inference.ts';
import { type Graph, producersOf, usersOf, valueTypes } from '../../src/ir/graph.ts';
import { printGraph } from '../../src/ir/print.ts';
import type { Tensor } from '../../src/ir/tensor.ts';
import { sameShape, sameType, tensorType } from '../../src/ir/types.ts';
import type { OpKind } from '../../src/ops/attrs.ts';
import { inGroup } from '../../src/ops/table.ts';
import { verifyGraph } from '../../src/ir/verify.ts';
import { compareTensors } from '../../src/runtime/compare.ts';
import { interpret } from '../../src/runtime/interpreter.ts';
import { Rng, randomInputs, randomTensor } from '../codegen/helpers.ts';
import { leafAttention, leafChain } from '../codegen/leaf-graphs.ts';
import * as random from '../codegen/random-graphs.ts';
import { EXAMPLE_NAMES, buildExample } from '../example-graphs.ts';
import { attentionBlock } from './attention-graphs.ts';

/** The allclose tolerances of every differential check (float reassociation stays far below). */
export const RTOL = 1e-5;
export const ATOL = 1e-6;

/** Seeded weight data in [-0.5, 0.5), for hand-built graphs. */
export function weightData(shape: readonly number[], seed: number): Tensor {
  return randomTensor(new Rng(seed), tensorType('f32', shape), { range: 0.5 });
}

/** A context that keeps its notes. */
export function recorder(): PassContext & { notes: string[] } {
  const notes: string[] = [];
  return { notes, note: (m) => void notes.push(m) };
}

/**
 * The passes a pass assumes have run: the -O2 pipeline up to the pass's first place in it, so each
 * pass sees what the default pipeline hands it (fuse-attention after simplify-movement, merge-siblings
 * after fuse-attention and CSE, eliminate-head-reshapes after merge-siblings, and so on).
 */
export function prefixOf(pass: Pass): readonly Pass[] {
  const at = PIPELINES[2].indexOf(pass);
  if (at < 0) throw new Error(`${pass.name} is not in the -O2 pipeline`);
  return PIPELINES[2].slice(0, at);
}

/** `g` after the passes `pass` assumes, verified after each. */
export function prepare(pass: Pass, g: Graph): Graph {
  return runPipeline(g, prefixOf(pass), { verify: true }).graph;
}

/** Runs `pass` and checks (b) idempotence and (d) the verifier; returns the output and its notes. */
export function runChecked(pass: Pass, g: Graph, what = ''): { out: Graph; notes: string[] } {
  const ctx = recorder();
  const out = pass.run(g, ctx);
  verifyGraph(out, pass.name);
  const again = recorder();
  expect(pass.run(out, again), `${pass.name}${what} is idempotent`).toBe(out);
  expect(again.notes).toEqual([]);
  return { out, notes: ctx.notes };
}

/** Why the outputs of `a` and `b` differ on `inputs`, or undefined when they are allclose. */
export function differ(a: Graph, b: Graph, inputs: Record<string, Tensor>): string | undefined {
  const want = interpret(a, inputs);
  const got = interpret(b, inputs);
  for (const [name, w] of Object.entries(want)) {
    const cmp = compareTensors(got[name]!, w, RTOL, ATOL);
    if (!cmp.ok) return `output ${JSON.stringify(name)}: ${cmp.reason}`;
  }
  return undefined;
}

/**
 * (b), (c), (d) on one graph, twice: `pass` after its prefix, and `pass` right after shape
 * inference (a pass may do less without its prefix, but never compute something else).
 * Returns the prefixed run's input and output.
 */
export function checkPass(pass: Pass, g: Graph, inputs: Record<string, Tensor>): { before: Graph; out: Graph } {
  let prefixed: Graph;
  try {
    prefixed = prepare(pass, g);
  } catch (e) {
    throw new Error(`the prefix of ${pass.name} failed (see its own test): ${(e as Error).message}`);
  }
  const runs = [prefixed, shapeInference.run(g, SILENT)].map((before, i) => {
    const what = i === 1 ? ' (run alone)' : '';
    const { out } = runChecked(pass, before, what);
    const why = differ(before, out, inputs);
    if (why) throw new Error(`${pass.name}${what} changed results: ${why}\n${printGraph(before)}`);
    return { before, out };
  });
  return runs[0]!;
}

/**
 * Random families of test/codegen/random-graphs.ts and leaf-graphs.ts (inputs, weights and
 * constants at every operand position), then the attention blocks of attention-graphs.ts.
 */
const FAMILIES: readonly [string, (seed: number) => random.Built][] = [
  ['elementwise chain', random.elementwiseChain],
  ['matmul', random.randomMatmul],
  ['gemm', random.randomGemm],
  ['normalize', random.randomNormalize],
  ['reduce', random.randomReduce],
  ['transpose', random.randomTranspose],
  ['slice', random.randomSlice],
  ['concat/split', random.randomConcatSplit],
  ['gather', random.randomGather],
  ['attention (codegen)', random.randomAttention],
  ['mixed DAG', random.randomMixed],
  ['leaf attention', leafAttention],
  ['leaf chain', leafChain],
];

/** Seeds per codegen family (13 families: 156 graphs) and attention blocks per pass. */
export const SEEDS_PER_FAMILY = 12;
export const ATTENTION_SEEDS = 120;

/** Runs `check` over seeds, collecting failures so one report names every failing seed. */
function sweep(seeds: readonly number[], check: (seed: number) => void): string[] {
  const failures: string[] = [];
  for (const seed of seeds) {
    try {
      check(seed);
    } catch (e) {
      failures.push(`seed ${seed}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  return failures;
}

/** What a pass's own tests add to the shared checks. */
export interface PropertyOptions {
  /** The pass's guarantee, checked on its output after its prefix (throws or fails an expect). */
  readonly post?: (out: Graph) => void;
  /** How many of the attention blocks the pass must rewrite (so the generator provably reaches it). */
  readonly minChangedAttention?: number;
}

/**
 * Registers the shared property tests of `pass`: every example graph, SEEDS_PER_FAMILY graphs of
 * each random family, and ATTENTION_SEEDS attention blocks; each checked with `checkPass` and `post`.
 */
export function describeProperties(pass: Pass, opts: PropertyOptions = {}): void {
  const check = (g: Graph, inputs: Record<string, Tensor>): boolean => {
    const { before, out } = checkPass(pass, g, inputs);
    opts.post?.(out);
    return out !== before;
  };
  const prefix = prefixOf(pass).map((p) => p.name).filter((n, i, all) => all.indexOf(n) === i);
  const when = prefix.length === 0 ? 'first' : `after ${prefix.join(', ')} (and after shape-inference alone)`;
  describe(`${pass.name} ${when}: verifier, idempotence, interpreter agreement`, () => {
    it.each(EXAMPLE_NAMES)('on examples/%s.ts', async (name) => {
      const g = await buildExample(name);
      check(g, randomInputs(g, new Rng(0xe6)));
    });

    it(`on ${SEEDS_PER_FAMILY * FAMILIES.length} random graphs of ${FAMILIES.length} families`, () => {
      const failures = FAMILIES.flatMap(([family, build], f) => {
        const seeds = Array.from({ length: SEEDS_PER_FAMILY }, (_, i) => (f + 1) * 1000 + i + 1);
        return sweep(seeds, (seed) => {
          const { graph, inputs } = build(seed);
          check(graph, inputs);
        }).map((m) => `${family} ${m}`);
      });
      expect(failures).toEqual([]);
    });

    it(`on ${ATTENTION_SEEDS} random attention blocks`, () => {
      let changed = 0;
      const seeds = Array.from({ length: ATTENTION_SEEDS }, (_, i) => i + 1);
      const failures = sweep(seeds, (seed) => {
        const { graph, inputs } = attentionBlock(seed);
        if (check(graph, inputs)) changed++;
      });
      expect(failures).toEqual([]);
      expect(changed).toBeGreaterThanOrEqual(opts.minChangedAttention ?? 0);
    });
  });
}

/**
 * The fusions' guarantee: the nodes (as `%id (op)`) whose producer `accept`s would still be absorbable:
 * an elementwise node (not identity) reading, at its own shape (and type, with `sameTypeToo`), the
 * single output of such a producer that nothing else reads and that is no graph output.
 */
export function absorbableLeft(g: Graph, accept: (op: OpKind) => boolean, sameTypeToo: boolean): string[] {
  const prod = producersOf(g);
  const users = usersOf(g);
  const outs = new Set(g.outputs.map((o) => o.id));
  const types = valueTypes(g);
  return g.nodes
    .filter((c) => inGroup(c.op, 'elementwise') && c.op !== 'identity')
    .filter((c) =>
      c.inputs.some((v) => {
        const p = prod.has(v) ? g.nodes[prod.get(v)!]! : undefined;
        if (!p || !accept(p.op) || p.outputs.length !== 1 || outs.has(v)) return false;
        if ((users.get(v) ?? []).some((i) => g.nodes[i] !== c)) return false;
        const [t, out] = [types.get(v)!, c.outputs[0]!.type];
        return sameTypeToo ? sameType(t, out) : sameShape(t.shape, out.shape);
      }),
    )
    .map((c) => `%${c.outputs[0]!.id} (${c.op})`);
}
