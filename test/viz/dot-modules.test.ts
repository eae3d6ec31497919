// The module-clustered DOT on the two-block GPT example: one cluster per module, --depth collapsing
// blocks into boxes with their in/out edges, compact attributes, edge labels that cannot collide.
import { describe, expect, it } from 'vitest';
import { PIPELINES, runPipeline } from '../../passes/pipeline.ts';
import type { Graph } from '../../src/ir/graph.ts';
import { toDot } from '../../src/viz/dot.ts';
import { formatCount } from '../../src/viz/format.ts';
import { modulePath, weightModulePath } from '../../src/viz/modules.ts';
import { renderDot } from '../../src/viz/render.ts';
import { tinyGpt } from '../../examples/tiny-gpt.ts';

/** The clusters of a DOT text: label, the ids declared directly inside, and the nested cluster labels. */
interface Cluster {
  readonly label: string;
  readonly items: string[];
  readonly children: string[];
}

function clusters(dot: string): Cluster[] {
  const out: Cluster[] = [];
  const stack: Cluster[] = [];
  for (const line of dot.split('\n')) {
    const t = line.trim();
    if (t.startsWith('subgraph cluster_')) {
      const c: Cluster = { label: '', items: [], children: [] };
      out.push(c);
      stack.push(c);
    } else if (t === '}' && stack.length) {
      const done = stack.pop()!;
      stack.at(-1)?.children.push(done.label);
    } else if (stack.length && t.startsWith('graph [label=')) {
      (stack.at(-1) as { label: string }).label = JSON.parse(/label=("(?:[^"\\]|\\.)*")/.exec(t)![1]!) as string;
    } else if (stack.length && /^[iwnmou]\d+ \[/.test(t)) {
      stack.at(-1)!.items.push(t.slice(0, t.indexOf(' ')));
    }
  }
  return out;
}

function edges(dot: string): { from: string; to: string; label?: string }[] {
  return [...dot.matchAll(/^ {2}(\S+) -> (\S+?)(?: \[label="((?:[^"\\]|\\.)*)"\])?;$/gm)].map((m) => ({ from: m[1]!, to: m[2]!, ...(m[3] === undefined ? {} : { label: m[3] }) }));
}

const O0 = (g: Graph) => runPipeline(g, PIPELINES[0]).graph;
const O2 = (g: Graph) => runPipeline(g, PIPELINES[2]).graph;

describe('module paths', () => {
  it('join a list index to its container and drop an ONNX node name', () => {
    expect(modulePath('h.0.attn.c_attn')).toEqual(['h.0', 'attn', 'c_attn']);
    expect(modulePath('/h.11/mlp/Gemm_3')).toEqual(['h.11', 'mlp']);
    expect(modulePath('layers.0')).toEqual(['layers.0']);
    expect(modulePath(undefined)).toEqual([]);
    expect(modulePath('attention.query+attention.key+attention.value')).toEqual(['attention']);
    expect(modulePath('h.0.attn.q+h.1.attn.k')).toEqual([]);
    expect(weightModulePath('h.0.attn.c_attn.weight')).toEqual(['h.0', 'attn', 'c_attn']);
    expect(weightModulePath('onnx::MatMul_12')).toEqual([]);
  });
});

describe('toDot clustered by module', () => {
  const g = O0(tinyGpt(2));
  const blocks = ['h.0', 'h.1'];

  it('at --depth 1 draws one cluster per block, holding one box and nothing else', () => {
    const dot = toDot(g, { depth: 1 });
    const cs = clusters(dot);
    // Modules of one node (an embedding, the final norm, the head) are that node, drawn without a frame.
    const tops = [...new Set(g.nodes.map((n) => modulePath(n.label)[0]).filter((m) => m !== undefined))];
    const multi = tops.filter((m) => g.nodes.filter((n) => modulePath(n.label)[0] === m).length > 1);
    expect(multi).toEqual(expect.arrayContaining(blocks));
    expect(cs.map((c) => c.label).sort()).toEqual([...multi].sort());
    for (const b of blocks) {
      const c = cs.find((x) => x.label === b)!;
      expect(c.items).toHaveLength(1);
      expect(c.items[0]).toMatch(/^m\d+$/);
      expect(c.children).toEqual([]);
      const box = new RegExp(`^ +${c.items[0]} \\[label="(\\d+) nodes, ([\\d.]+k) params\\\\n\\d+ transpose, \\d+ gemm, [^"]*", shape=box3d`, 'm').exec(dot);
      const members = g.nodes.filter((n) => modulePath(n.label)[0] === b).length;
      expect(Number(box![1])).toBe(members);
      // The block's own weights are inside its box: 12 of them (2 layer norms, 4 linears).
      const own = g.weights.filter((w) => w.name.startsWith(`${b}.`));
      expect(own).toHaveLength(12);
      expect(box![2]).toBe(formatCount(own.reduce((s, w) => s + w.type.shape.reduce((a, d) => a * d, 1), 0)));
      expect(box![2]).toBe('50k'); // 49,984: two layer norms, c_attn, c_proj, c_fc, c_proj
    }
    // Block 0 feeds block 1 by one edge, and the embeddings' sum feeds block 0.
    const [m0, m1] = blocks.map((b) => cs.find((x) => x.label === b)!.items[0]!);
    expect(edges(dot).filter((e) => e.from === m0 && e.to === m1)).toHaveLength(1);
    expect(edges(dot).some((e) => e.to === m0)).toBe(true);
    // No node of a block is drawn on its own, and no block weight either.
    for (const w of g.weights.filter((x) => x.name.startsWith('h.'))) expect(dot).not.toContain(`"${w.name}\\n`);
  });

  it('keeps twelve blocks small at --depth 1: one box a block, in a column narrower than a screen', async () => {
    const big = O0(tinyGpt(12));
    const dot = toDot(big, { depth: 1 });
    expect(clusters(dot).filter((c) => /^h\.\d+$/.test(c.label))).toHaveLength(12);
    const svg = await renderDot(dot, 'svg');
    const [w, h] = [/width="(\d+)pt"/.exec(svg)![1], /height="(\d+)pt"/.exec(svg)![1]].map(Number);
    // 470 x 1744 pt when written: a screen (1440 x 810 pt) wide, about two high; full depth is 6275 x 26241.
    expect(w).toBeLessThan(1000);
    expect(h).toBeLessThan(2000);
    expect(svg.match(/class="node"/g)!.length).toBeLessThan(40);
  });

  it('at full depth nests clusters by path; a node alone in its module sits in the parent\'s', () => {
    const dot = toDot(g);
    const cs = clusters(dot);
    const h0 = cs.find((c) => c.label === 'h.0')!;
    // ln_1, ln_2 (one layerNorm each) are drawn in h.0; attn and mlp hold several nodes.
    expect(h0.children.sort()).toEqual(['h.0.attn', 'h.0.mlp']);
    expect(cs.find((c) => c.label === 'h.0.attn')!.children).toEqual([]);
    const size = (path: string) => g.nodes.filter((n) => modulePath(n.label).join('.').startsWith(path)).length;
    g.nodes.forEach((n, i) => {
      const own = modulePath(n.label).join('.');
      const holder = cs.find((c) => c.items.includes(`n${i}`))?.label ?? '';
      expect(own === holder || own.startsWith(`${holder}.`) || holder === '', `node ${i} ${n.op} ${n.label} in ${holder}`).toBe(true);
      if (size(own) > 1) expect(holder, `node ${i} ${n.op} ${n.label}`).toBe(own);
    });
    // A weight sits in the innermost cluster of its readers: c_attn's gemm is drawn in h.0.attn.
    const cAttnW = g.weights.findIndex((w) => w.name === 'h.0.attn.c_attn.weight');
    expect(cs.find((c) => c.items.includes(`w${cAttnW}`))!.label).toBe('h.0.attn');
    // And a node outside its module's own cluster shows its label.
    const cFc = g.nodes.findIndex((n) => n.label === 'h.0.mlp.c_fc');
    expect(dot).toMatch(new RegExp(`n${cFc} \\[label="gemm\\\\nh\\.0\\.mlp\\.c_fc\\\\n`));
  });

  it('labels an edge with its type only when it is its source\'s one edge and its target\'s, never a split port', () => {
    for (const [graph, depth] of [[g, undefined], [O2(tinyGpt(2)), undefined], [g, 1]] as const) {
      const es = edges(toDot(graph, depth === undefined ? {} : { depth }));
      const [fanOut, fanIn] = [new Map<string, number>(), new Map<string, number>()];
      for (const e of es) {
        fanOut.set(e.from, (fanOut.get(e.from) ?? 0) + 1);
        fanIn.set(e.to, (fanIn.get(e.to) ?? 0) + 1);
      }
      for (const e of es) {
        const chain = fanOut.get(e.from) === 1 && fanIn.get(e.to) === 1 && !e.from.includes(':');
        expect(e.label !== undefined, `${e.from} -> ${e.to}`).toBe(chain);
      }
      expect(es.filter((e) => e.label !== undefined).length).toBeGreaterThanOrEqual(3);
    }
    // The qkv split draws its outputs as ports with their types, and three port edges leave it.
    const split = g.nodes.findIndex((n) => n.op === 'split');
    const dot = toDot(g);
    expect(dot).toContain(`|<o2> #2 f32[1,16,64]}}"`);
    expect(edges(dot).filter((e) => e.from.startsWith(`n${split}:o`))).toHaveLength(3);
  });

  it('prints attributes compactly: constants by type and a few values, attention by access kind', () => {
    const masked = O0(tinyGpt(2));
    const o2 = toDot(O2(tinyGpt(2)));
    const labels = [...o2.matchAll(/label="((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!);
    const attention = labels.filter((l) => l.startsWith('attention\\n'));
    expect(attention).toHaveLength(2);
    expect(attention[0]).toContain('batch 1, heads 4, q 16, k 16, d 16');
    expect(attention[0]).toMatch(/causal/);
    expect(attention[0]).toMatch(/q, k, v: view|q, k, v, out: view|out: dense/);
    expect(attention[0]).not.toMatch(/strides/);
    for (const l of labels) for (const line of l.split('\\n')) expect(line.length, line).toBeLessThanOrEqual(80);
    // A constant longer than a few values shows its type and first values, never a digest.
    const dot = toDot(masked);
    expect(dot).not.toMatch(/\(#[0-9a-f]{8}\)/);
    expect(dot).toMatch(/value: i64\[16\] 0, 1, 2, 3, \.\.\./);
  });

  it('renders with Graphviz at every depth', async () => {
    for (const depth of [0, 1, 2, undefined]) {
      const svg = await renderDot(toDot(g, depth === undefined ? {} : { depth }), 'svg');
      expect(svg).toContain('class="node"');
      if (depth !== 0) expect(svg).toContain('class="cluster"');
      else expect(svg).not.toContain('class="cluster"');
    }
  });
});
