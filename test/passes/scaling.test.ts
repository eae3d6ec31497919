// The -O2 pipeline's work grows linearly with graph size (issue 22: it used to be quadratic, and
// 100k-node chains did not finish). No timing: the rewrite editor and driver count their own work
// (node visits, pattern steps, rebuilt nodes, list walks; src/rewrite/work.ts), and each family of
// graphs is run at n and 4n blocks. Linear work grows x4, n log n about x4.7 at these sizes,
// quadratic x16; the bound is x5. The arena placement is checked the same way.
import { describe, expect, it } from 'vitest';
import { PIPELINES, runPipeline } from '../../passes/pipeline.ts';
import { GraphBuilder } from '../../src/api/builder.ts';
import type { Sym } from '../../src/api/sym.ts';
import { type ArenaBuffer, placeArena } from '../../src/codegen/arena.ts';
import type { Graph } from '../../src/ir/graph.ts';
import { tensor } from '../../src/ir/tensor.ts';
import { newWork, totalWork } from '../../src/rewrite/work.ts';

/** Most growth allowed from n to 4n (see the header). */
const MAX_GROWTH = 5;

const ramp = (k: number, seed: number): Float32Array => Float32Array.from({ length: k }, (_, i) => (((seed * 31 + i) * 7919) % 1000) / 10_000 - 0.05);

/** A graph of `blocks` repetitions of `block`, each reading the previous block's result. */
function repeated(name: string, shape: number[], blocks: number, block: (g: GraphBuilder, h: Sym, i: number) => Sym): Graph {
  const g = new GraphBuilder(name);
  let h = g.input('x', shape);
  for (let i = 0; i < blocks; i++) h = block(g, h, i);
  g.output('y', h);
  return g.build();
}

const param = (g: GraphBuilder, name: string, shape: number[], seed: number): Sym => g.param(name, { dtype: 'f32', shape }, (s) => tensor('f32', s, ramp(s.reduce((a, b) => a * b, 1), seed)));

/** Each family: its graph at a size, and op counts -O2 must leave for that size (so the passes did fire). */
interface Family {
  readonly name: string;
  readonly build: (blocks: number) => Graph;
  /** Op counts -O2 leaves, exactly. */
  readonly expected: (blocks: number) => Readonly<Record<string, number>>;
  /** At most this many fused kernels, when their number depends on where the tree is cut. */
  readonly maxFused?: (blocks: number) => number;
}

/** Kernels a tree of `steps` elementwise steps needs at 64 steps a kernel, when every cut is clean. */
const kernels = (steps: number): number => Math.ceil(steps / 64);

const FAMILIES: readonly Family[] = [
  {
    name: 'a chain of unary ops (fused into kernels of 64 steps)',
    build: (n) => repeated('chain', [4], n, (_, h, i) => (i % 2 ? h.neg() : h.relu())),
    expected: (n) => ({ fused: kernels(n) }),
  },
  {
    name: 'one input feeding distinct branches, summed',
    build: (n) => {
      const g = new GraphBuilder('wide');
      const x = g.input('x', [4]);
      let s = x.mul(1).relu();
      for (let i = 1; i < n; i++) s = s.add(x.mul(1 + i / n).relu());
      g.output('y', s);
      return g.build();
    },
    expected: (n) => ({ constant: n }),
    maxFused: (n) => kernels(3 * n - 1) + 1, // the cuts fall between whole branches: one more than the steps need
  },
  {
    name: 'one input feeding identical branches (cse merges them), summed',
    build: (n) => {
      const g = new GraphBuilder('wide_same');
      const x = g.input('x', [4]);
      let s = x.relu();
      for (let i = 1; i < n; i++) s = s.add(x.relu());
      g.output('y', s);
      return g.build();
    },
    expected: () => ({ relu: 1 }),
  },
  {
    name: 'residual gemm blocks h + relu(h @ W + b)',
    build: (n) => repeated('residual', [1, 4], n, (g, h, i) => h.add(h.matmul(param(g, `w${i}`, [4, 4], i)).add(param(g, `b${i}`, [4], -i)).relu())),
    expected: (n) => ({ gemm: n }),
  },
  {
    name: 'transposes and reshapes (simplify-movement composes them)',
    build: (n) => repeated('movement', [2, 3], n, (_, h) => h.transpose(0, 1).transpose(0, 1).reshape(3, 2).reshape(2, 3).relu()),
    expected: (n) => ({ fused: kernels(n) }),
  },
  {
    name: 'one matmul, then a long elementwise chain (the epilogue takes 64 steps)',
    build: (n) => {
      const g = new GraphBuilder('epilogue');
      let h = g.input('x', [2, 4]).matmul(param(g, 'w', [4, 4], 1));
      for (let i = 0; i < n; i++) h = i % 2 ? h.neg() : h.relu();
      g.output('y', h);
      return g.build();
    },
    expected: (n) => ({ gemm: 1, fused: kernels(n - 64) }),
  },
  {
    name: 'self-attention blocks (merge-siblings, fuse-attention, head reshapes)',
    build: (n) => repeated('attention', [1, 4, 8], n, (g, h, i) => {
      const heads = (t: Sym): Sym => t.view(1, 4, 2, 4).transpose(1, 2);
      const [q, k, v] = ['q', 'k', 'v'].map((p, j) => heads(h.matmul(param(g, `${p}${i}`, [8, 8], 3 * i + j))));
      const o = q!.matmul(k!.transpose(-2, -1)).mul(0.5).softmax(-1).matmul(v!);
      return h.add(o.transpose(1, 2).reshape(1, 4, 8));
    }),
    expected: (n) => ({ attention: n }),
  },
  {
    name: 'decomposed layer norms (fuse-layernorm) with GELU written out (fuse-gelu)',
    build: (n) => repeated('norms', [2, 8], n, (g, h, i) => {
      const c = h.sub(h.mean(-1, true));
      const ln = c.div(c.pow(2).mean(-1, true).add(1e-5).sqrt()).mul(param(g, `g${i}`, [8], i)).add(param(g, `b${i}`, [8], -i));
      return ln.mul(0.5).mul(ln.div(Math.SQRT2).erf().add(1));
    }),
    expected: (n) => ({ layerNorm: n, gelu: n }),
  },
];

/** The -O2 pipeline's work on `g`, and the op counts it leaves. */
function optimise(g: Graph): { work: number; ops: Record<string, number> } {
  const work = newWork();
  const out = runPipeline(g, PIPELINES[2], { work }).graph;
  const ops: Record<string, number> = {};
  for (const n of out.nodes) ops[n.op] = (ops[n.op] ?? 0) + 1;
  return { work: totalWork(work), ops };
}

describe('the -O2 pipeline does work linear in the graph', () => {
  for (const f of FAMILIES) {
    it(f.name, () => {
      const [small, large] = [250, 1000].map((n) => ({ n, ...optimise(f.build(n)) }));
      for (const r of [small, large]) {
        expect(r.ops, `${f.name} at ${r.n}`).toMatchObject(f.expected(r.n));
        if (f.maxFused) expect(r.ops.fused, `fused kernels at ${r.n}`).toBeLessThanOrEqual(f.maxFused(r.n));
      }
      expect(large.work / small.work, `work ${small.work} at ${small.n} blocks, ${large.work} at ${large.n}`).toBeLessThan(MAX_GROWTH);
    });
  }
});

describe('arena placement does work linear in the buffers', () => {
  /** Placement work for `count` buffers, each live over `span` nodes from its own. */
  function placed(count: number, span: (i: number) => number): number {
    const bufs: ArenaBuffer[] = Array.from({ length: count }, (_, i) => ({ id: i, first: i, last: i + span(i), offset: 0 }));
    const work = { steps: 0 };
    placeArena(bufs, () => 16, work);
    return work.steps;
  }

  it('for a chain (each buffer dies at the next node) and a fan-out (every buffer alive at once)', () => {
    for (const span of [() => 1, (i: number) => 100_000 - i, (i: number) => i % 7]) {
      const [small, large] = [5_000, 20_000].map((n) => placed(n, span));
      expect(large / small!).toBeLessThan(MAX_GROWTH);
    }
  });

  it('leaves no two buffers alive at the same node overlapping in the arena, past the clash limit too', () => {
    const bufs: ArenaBuffer[] = Array.from({ length: 600 }, (_, i) => ({ id: i, first: i % 50, last: (i % 50) + 20 + (i % 13), offset: 0 }));
    const bytes = (b: ArenaBuffer): number => 16 * (1 + (b.id % 5));
    const peak = placeArena(bufs, bytes);
    for (const a of bufs) {
      expect(a.offset + bytes(a)).toBeLessThanOrEqual(peak);
      for (const b of bufs) {
        if (a === b || a.last < b.first || b.last < a.first) continue;
        expect(a.offset + bytes(a) <= b.offset || b.offset + bytes(b) <= a.offset, `buffers ${a.id} and ${b.id}`).toBe(true);
      }
    }
  });
});
