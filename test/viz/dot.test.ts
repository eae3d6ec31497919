// The DOT printer and renderer: content of a small drawing, hostile names, SVG and PNG output.
import { describe, expect, it } from 'vitest';
import { OpgraphError } from '../../src/errors.ts';
import type { Graph, Node } from '../../src/ir/graph.ts';
import { f32 } from '../../src/ir/tensor.ts';
import { tensorType } from '../../src/ir/types.ts';
import { dotString, toDot } from '../../src/viz/dot.ts';
import { formatFromPath, renderDot } from '../../src/viz/render.ts';

const t = tensorType;

/** x: f32[2,3] @ w: f32[3,4] -> y, then split into two halves along axis 1. */
const small: Graph = {
  name: 'small',
  inputs: [{ id: 0, name: 'x', type: t('f32', [2, 3]) }],
  weights: [{ id: 1, name: 'w', type: t('f32', [3, 4]), data: f32([3, 4]) }],
  nodes: [
    { op: 'matmul', attrs: { transA: false, transB: false }, inputs: [0, 1], outputs: [{ id: 2, type: t('f32', [2, 4]) }], label: 'fc' },
    {
      op: 'split',
      attrs: { axis: 1, sizes: [1, 3] },
      inputs: [2],
      outputs: [{ id: 3, type: t('f32', [2, 1]) }, { id: 4, type: t('f32', [2, 3]) }],
    },
  ],
  outputs: [{ name: 'y', id: 2 }, { name: 'lo', id: 3 }, { name: 'hi', id: 4 }],
};

/** Extracts the visible text of an SVG drawing, entities decoded, one entry per <text> element. */
function svgTexts(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) =>
    m[1]!
      .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
      .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
      .replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&apos;/g, "'").replace(/&amp;/g, '&'),
  );
}

/** DOT node ids drawn in an SVG (Graphviz writes each node's id as its <title>). */
function svgNodeIds(svg: string): string[] {
  return [...svg.matchAll(/<g id="node\d+" class="node">\s*<title>([^<]*)<\/title>/g)].map((m) => m[1]!);
}

describe('toDot', () => {
  const dot = toDot(small);

  it('draws inputs, weights, ops and outputs with their types', () => {
    expect(dot).toMatch(/^digraph G \{\n  rankdir=TB;\n/);
    expect(dot).toContain('  graph [label="small", labelloc=t');
    expect(dot).toContain('  i0 [label="x\\nf32[2,3]", shape=ellipse');
    expect(dot).toContain('  w0 [label="w\\nf32[3,4]", shape=box, style=filled, fillcolor="#eeeeee"');
    // fc holds one node: no cluster around it, and the box names it.
    expect(dot).not.toContain('subgraph');
    expect(dot).toContain('  n0 [label="matmul\\nfc\\ntransA: false\\ntransB: false\\nf32[2,4]", shape=box, style="rounded,filled"');
    expect(dot).toContain('  n1 [label="{split\\naxis: 1\\nsizes: [1,3]|{<o0> #0 f32[2,1]|<o1> #1 f32[2,3]}}", shape=Mrecord, style="rounded,filled"');
    expect(dot).toContain('  o0 [label="y", shape=ellipse, style=filled, fillcolor="#ffe0b2"');
  });

  it('puts a module of several nodes in a cluster, with the weights only it reads; its boxes leave the label to the cluster', () => {
    const two: Graph = { ...small, nodes: small.nodes.map((n) => ({ ...n, label: 'fc' }) as Node) };
    expect(toDot(two)).toMatch(/  subgraph cluster_0 \{\n    graph \[label="fc", [^\n]*\n    w0 \[label="w\\nf32\[3,4\]"[^\n]*\n    n0 \[label="matmul\\ntransA: false\\ntransB: false\\nf32\[2,4\]"[^\n]*\n    n1 \[label="\{split[^\n]*\n  \}/);
  });

  it('labels an edge with its type only when it is a chain edge; split outputs leave from ports', () => {
    const edges = dot.split('\n').filter((l) => l.includes('->'));
    expect(edges).toEqual([
      '  i0 -> n0;',
      '  w0 -> n0;',
      '  n0 -> n1;',
      '  n0 -> o0;',
      '  n1:o0 -> o1;',
      '  n1:o1 -> o2;',
    ]);
  });

  it('is deterministic and takes a title', () => {
    expect(toDot(small)).toBe(dot);
    expect(toDot(small, { title: 'after fuse' })).toContain('graph [label="after fuse"');
  });

  it('draws no clusters at depth 0, and then shows each node\'s label in its box', () => {
    const two: Graph = { ...small, nodes: small.nodes.map((n) => ({ ...n, label: 'fc' }) as Node) };
    const flat = toDot(two, { depth: 0 });
    expect(flat).not.toContain('subgraph');
    expect(flat).toContain('  n0 [label="matmul\\nfc\\ntransA: false');
  });

  it('dashes unbound weights, shortens long attributes and marks undefined values', () => {
    const reshape: Node = { op: 'reshape', attrs: { shape: Array(40).fill(1) }, inputs: [9], outputs: [{ id: 2, type: t('f32', [1]) }] };
    const gelu: Node = { op: 'gelu', attrs: { approximate: 'x'.repeat(100) } as never, inputs: [2], outputs: [{ id: 3, type: t('f32', [1]) }] };
    const g: Graph = { ...small, weights: [{ id: 1, name: 'w', type: t('f32', [3, 4]) }], nodes: [reshape, gelu], outputs: [] };
    const out = toDot(g);
    expect(out).toContain('style="filled,dashed"');
    expect(/label="reshape\\n([^"]*?)\\n/.exec(out)![1]).toBe('shape: [1,1,1,1,...] (40)');
    const attrLine = /label="gelu\\n(.*?)\\n/.exec(out)![1]!.replace(/\\"/g, '"');
    expect(attrLine).toMatch(/^approximate: "x+\.\.\.$/);
    expect(attrLine.length).toBe(48);
    expect(out).toContain('  u4 [label="%9\\n(undefined)", shape=octagon');
    expect(out).toContain('  u4 -> n0 [label="?"];');
  });
});

describe('dotString', () => {
  it.each([
    ['plain', '"plain"'],
    ['a"b', '"a\\"b"'],
    ['back\\slash\\', '"back\\\\slash\\\\"'],
    ['l1\nl2\r\nl3\rl4', '"l1\\nl2\\nl3\\nl4"'],
    ['a&b', '"a&amp;b"'],
    ['bell\x07', '"bell\\\\u0007"'],
    ['lone\ud800', '"lone\ufffd"'],
    ['pair😀', '"pair😀"'],
  ])('escapes %j', (text, quoted) => {
    expect(dotString(text)).toBe(quoted);
  });
});

const HOSTILE = [
  'quote"d',
  'back\\slash\\',
  'new\nline',
  '"]; evil [label="pwned"]; x [label="',
  '${process.exit(1)}',
  '`rm -rf /`',
  '</text><script>alert(1)</script>',
  '{|} <> [] \\N \\G \\L',
  'amp &bogus; &amp; &#60;',
  'ctl\x01\x7f',
  '}\ndigraph { a -> b',
];

/** Every name slot filled with hostile strings, plus hostile attribute strings. */
function hostileGraph(): Graph {
  const name = (i: number): string => HOSTILE[i % HOSTILE.length]!;
  const gelu = (i: number): Node => ({
    op: 'gelu',
    attrs: { approximate: name(i) } as never,
    inputs: [i === 0 ? 0 : 100 + i - 1],
    outputs: [{ id: 100 + i, type: t('f32', [2]) }],
    label: name(i + 3),
  });
  return {
    name: name(4),
    inputs: HOSTILE.map((_, i) => ({ id: i, name: name(i), type: t('f32', [2]) })),
    weights: HOSTILE.map((_, i) => ({ id: 50 + i, name: name(i + 1), type: t('f32', [2]) })),
    nodes: HOSTILE.map((_, i) => gelu(i)),
    outputs: HOSTILE.map((_, i) => ({ name: name(i + 2), id: 100 + i })),
  };
}

describe('hostile names', () => {
  const g = hostileGraph();
  const dot = toDot(g, { title: HOSTILE[3] });
  const n = HOSTILE.length;

  it('never appear unescaped, and cannot add lines or statements', () => {
    for (const h of HOSTILE) if (/["\\\n&\x01]/.test(h)) expect(dot).not.toContain(h);
    const body = dot.split('\n').slice(5, -2);
    const str = '"(?:[^"\\\\]|\\\\.)*"';
    const decl = new RegExp(`^ +[iwnou]\\d+ \\[label=${str}, [^"\\]]*(?:"[^"]*"[^"\\]]*)*\\];$`);
    const edge = new RegExp(`^ +[iwnou]\\d+ -> [iwnou]\\d+(?: \\[label=${str}\\])?;$`);
    const cluster = new RegExp(`^ +(subgraph cluster_\\d+ \\{|graph \\[label=${str}, labeljust=l, style="rounded,filled", fillcolor="#[0-9a-f]{6}", color="#90a4ae", fontsize=10\\];|\\})$`);
    expect(body.filter((l) => decl.test(l)).length).toBe(4 * n); // four node kinds
    expect(body.filter((l) => edge.test(l)).length).toBe(2 * n); // edges into ops and into outputs
    for (const line of body) expect(decl.test(line) || edge.test(line) || cluster.test(line), line).toBe(true);
  });

  it('render to SVG with exactly the generated nodes, showing the names verbatim', async () => {
    const svg = await renderDot(dot, 'svg');
    const ids = svgNodeIds(svg);
    const expected = ['i', 'w', 'n', 'o'].flatMap((p) => HOSTILE.map((_, i) => `${p}${i}`));
    expect(ids.sort()).toEqual(expected.sort());
    expect(svg.match(/class="edge"/g)!.length).toBe(2 * n);
    expect(svg).not.toContain('<script');
    const texts = svgTexts(svg);
    for (const h of ['quote"d', 'back\\slash\\', '"]; evil [label="pwned"]; x [label="', '`rm -rf /`',
      '</text><script>alert(1)</script>', '{|} <> [] \\N \\G \\L', 'amp &bogus; &amp; &#60;', 'ctl\\u0001\\u007f']) {
      expect(texts).toContain(h);
    }
    expect(texts).toContain('approximate: "${process.exit(1)}"');
  });

  it('render to PNG', async () => {
    const png = await renderDot(dot, 'png');
    expect(png).toBeInstanceOf(Uint8Array);
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(png.length).toBeGreaterThan(1000);
  });
});

describe('renderDot and formatFromPath', () => {
  it('renders the small graph to SVG text naming its tensors', async () => {
    const svg = await renderDot(toDot(small), 'svg');
    expect(svg).toMatch(/^<\?xml/);
    expect(svgTexts(svg)).toEqual(expect.arrayContaining(['x', 'f32[2,3]', 'matmul', '#1 f32[2,3]']));
  });

  it('turns Graphviz failures and empty input into OpgraphErrors', async () => {
    await expect(renderDot('digraph { a -> }', 'svg')).rejects.toThrow(OpgraphError);
    await expect(renderDot('', 'png')).rejects.toThrow(/empty drawing/);
  });

  it('maps extensions to formats, case-insensitively, and names a bad one', () => {
    expect(formatFromPath('out/g.dot')).toBe('dot');
    expect(formatFromPath('g.gv')).toBe('dot');
    expect(formatFromPath('G.SVG')).toBe('svg');
    expect(formatFromPath('/tmp/a.b/g.png')).toBe('png');
    expect(() => formatFromPath('g.jpg')).toThrow(/"g\.jpg": extension "\.jpg"; use \.dot, \.svg or \.png/);
    expect(() => formatFromPath('graph')).toThrow(OpgraphError);
    expect(() => formatFromPath('graph')).toThrow(/no extension/);
  });
});
