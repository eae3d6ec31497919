// Hostile names in generated code: graph, input, weight and output names and node labels made
// of quotes, backticks, `${...}`, comment delimiters, line terminators, backslashes and lone
// surrogates. The module must type-check, run like the interpreter, and its code tokens must
// be those of the same graph with plain names (names live only in string literals and comments).
// The WGSL backend never sees a name (its shaders equal the plain-named graph's), and the DOT
// drawing keeps the plain-named graph's structure when Graphviz renders it.
// Also: the compile cache never hands one graph another graph's module.
import { ts } from 'ts-morph';
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile.ts';
import { generateTs } from '../../src/codegen/ts/index.ts';
import { IRBuilder } from '../../src/ir/builder.ts';
import type { Graph } from '../../src/ir/graph.ts';
import { digest } from '../../src/ir/print.ts';
import { type Tensor, f32, toNumbers } from '../../src/ir/tensor.ts';
import { tensorType } from '../../src/ir/types.ts';
import { interpret } from '../../src/runtime/interpreter.ts';
import { generateWgsl } from '../../src/codegen/wgsl/index.ts';
import { toDot } from '../../src/viz/dot.ts';
import { renderDot } from '../../src/viz/render.ts';
import { renderGraphFromSource } from 'graphviz-cli';
import { PIPELINES, runPipeline } from '../../passes/pipeline.ts';
import { Rng, expectAllClose, importModule, randomInputs, typecheck } from './helpers.ts';
import { HOSTILE, benign, hostile, namedGraph } from './hostile.ts';


interface Token {
  readonly kind: 'code' | 'string' | 'comment';
  readonly text: string;
  readonly pos: number;
}

/** The tokens of `source` (TypeScript's scanner, template literals resolved), without whitespace. */
function tokens(source: string): Token[] {
  const K = ts.SyntaxKind;
  const s = ts.createScanner(ts.ScriptTarget.ES2022, false, ts.LanguageVariant.Standard, source);
  const out: Token[] = [];
  const templates: number[] = []; // open-brace depth inside each open template substitution
  for (let k = s.scan(); k !== K.EndOfFileToken; k = s.scan()) {
    if (k === K.CloseBraceToken && templates.length > 0 && templates.at(-1) === 0) k = s.reScanTemplateToken(false);
    if (k === K.TemplateHead) templates.push(0);
    else if (k === K.TemplateTail) templates.pop();
    else if (k === K.OpenBraceToken && templates.length > 0) templates[templates.length - 1]!++;
    else if (k === K.CloseBraceToken && templates.length > 0) templates[templates.length - 1]!--;
    if (k === K.WhitespaceTrivia || k === K.NewLineTrivia) continue;
    const kind = k === K.SingleLineCommentTrivia || k === K.MultiLineCommentTrivia ? 'comment'
      : k === K.StringLiteral || k === K.NoSubstitutionTemplateLiteral || (k >= K.TemplateHead && k <= K.TemplateTail) ? 'string' : 'code';
    out.push({ kind, text: s.getTokenText(), pos: s.getTokenStart() });
  }
  return out;
}

/** The code of `source` with every string literal replaced by a placeholder and comments dropped. */
function codeShape(source: string): string[] {
  return tokens(source).filter((t) => t.kind !== 'comment').map((t) => (t.kind === 'string' ? '<string>' : t.text));
}

describe('a graph whose names and labels are hostile', () => {
  it('builds, with the hostile strings in every name and label', () => {
    const g = hostile();
    expect(g.inputs.map((i) => i.name)).toEqual(HOSTILE.map((h) => `x ${h}`));
    expect(g.outputs.map((o) => o.name)).toEqual(HOSTILE.map((h) => `y ${h}`));
    expect(new Set(g.nodes.map((n) => n.label))).toEqual(new Set(HOSTILE));
  });

  it('generates modules (weights external or embedded) that type-check under tsc --strict', async () => {
    const compiled = await compile(hostile(), { target: 'ts', level: 0 });
    const embedded = generateTs(compiled.graph, { inlineWeights: true }).source;
    const r = typecheck({ 'hostile/model.ts': compiled.source, 'embedded/model.ts': embedded });
    expect(r.output).toBe('');
    expect(r.status).toBe(0);
  });

  it('compiles and runs in process like the interpreter, outputs keyed by their exact names', async () => {
    const g = hostile();
    const inputs = randomInputs(g, new Rng(99));
    const out = (await compile(g, { target: 'ts', level: 0 })).run(inputs);
    expect(Object.keys(out)).toEqual(HOSTILE.map((h) => `y ${h}`));
    expectAllClose(out, interpret(g, inputs));
  });

  it('has exactly the code of the same graph with plain names', async () => {
    const h = (await compile(hostile(), { target: 'ts', level: 0 })).source;
    const b = (await compile(benign(), { target: 'ts', level: 0 })).source;
    expect(codeShape(h)).toEqual(codeShape(b));
    expect(ts.transpileModule(h, { reportDiagnostics: true }).diagnostics ?? []).toEqual([]);
    const code = tokens(h).filter((t) => t.kind === 'code').map((t) => t.text).join(' ');
    for (const word of ['process', 'exit', 'evil', 'script']) expect(code).not.toContain(word);
  });

  it('keeps names in JSON-escaped, single-line, ASCII string literals; comments stay on their line', async () => {
    const source = (await compile(hostile(), { target: 'ts', level: 0 })).source;
    const toks = tokens(source);
    expect(source).not.toMatch(/[\r\u2028\u2029\ud800-\udfff]/);
    for (const t of toks.filter((x) => x.kind === 'string' && x.text.startsWith('"'))) {
      expect(t.text).toMatch(/^"[\x20-\x7e]*"$/);
      expect(() => JSON.parse(t.text)).not.toThrow();
    }
    for (const t of toks.filter((x) => x.kind === 'comment' && x.text.startsWith('//'))) expect(t.text).not.toMatch(/[\n\r]/);
    const literals = new Set(toks.filter((t) => t.kind === 'string' && t.text.startsWith('"')).map((t) => JSON.parse(t.text) as string));
    for (const h of HOSTILE) for (const name of [`x ${h}`, `w ${h}`, `b ${h}`, `y ${h}`]) expect(literals.has(name), name).toBe(true);
    // `${process.exit` occurs only inside a double-quoted string literal or a comment, never in a template.
    const at = [...source.matchAll(/\$\{process\.exit/g)].map((m) => m.index);
    expect(at.length).toBeGreaterThan(0);
    for (const p of at) {
      const t = toks.find((x) => x.pos <= p && p < x.pos + x.text.length)!;
      expect(t.kind === 'comment' || (t.kind === 'string' && t.text.startsWith('"')), `${t.kind} ${t.text}`).toBe(true);
    }
  });

  it('imported as a file, declares its inputs, outputs and weights under their exact names', async () => {
    const g = hostile();
    const mod = await importModule((await compile(g, { target: 'ts', level: 0 })).source);
    expect(Object.keys(mod.INPUTS)).toEqual(g.inputs.map((i) => i.name));
    expect(Object.keys(mod.OUTPUTS)).toEqual(g.outputs.map((o) => o.name));
    expect(Object.keys(mod.WEIGHTS)).toEqual(g.weights.map((w) => w.name));
    expect(() => mod.create({})).toThrow(new TypeError(`weight w ${HOSTILE[0]}: expected Float32Array of length 12, got nothing`));
  });
});

describe('the same hostile graph on the WGSL backend and in DOT', () => {
  const optimised = (g: Graph): Graph => runPipeline(g, PIPELINES[2]).graph;
  const words = ['evil', 'process', 'script', 'quote', 'tick', 'slash', 'surrogate', 'para', 'break'];

  it('emits shaders identical to the plain-named graph: no name reaches WGSL, not even in a comment', () => {
    const h = generateWgsl(optimised(hostile()));
    const b = generateWgsl(optimised(benign()));
    expect(h.kernels.length).toBeGreaterThan(0);
    expect(h.kernels.map((k) => k.code)).toEqual(b.kernels.map((k) => k.code));
    const all = h.kernels.map((k) => k.code).join('\n');
    for (const w of words) expect(all).not.toContain(w);
    expect(all).toMatch(/^[\x09\x0a\x20-\x7e]*$/);
  });

  /** Graphviz's own reading of a DOT text: node ids with their attribute names, and edges. */
  async function structure(dot: string): Promise<{ nodes: string[]; edges: string[] }> {
    const json = JSON.parse(await renderGraphFromSource({ input: dot }, { format: 'json' as 'svg' })) as {
      objects?: { _gvid: number; name: string; [k: string]: unknown }[];
      edges?: { tail: number; head: number; [k: string]: unknown }[];
    };
    const objects = json.objects ?? [];
    const name = (id: number): string => objects.find((o) => o._gvid === id)!.name;
    return {
      nodes: objects.map((o) => `${o.name} {${Object.keys(o).sort().join(',')}}`),
      edges: (json.edges ?? []).map((e) => `${name(e.tail)} -> ${name(e.head)} {${Object.keys(e).sort().join(',')}}`),
    };
  }

  it('draws as valid DOT with the structure and attributes of the plain-named graph', async () => {
    const h = toDot(hostile());
    const b = toDot(benign());
    const [sh, sb] = [await structure(h), await structure(b)];
    // The comparison can fail: one injected attribute changes the structure.
    expect(await structure('digraph { a [label="x" URL="evil"] }')).not.toEqual(await structure('digraph { a [label="x"] }'));
    expect(sh.nodes.length).toBeGreaterThan(HOSTILE.length * 5);
    expect(sh).toEqual(sb);
    const svg = await renderDot(h, 'svg');
    expect(svg).toContain('evil');
    expect(svg).not.toMatch(/<script|<\/script>/);
    // Graphviz lists the module clusters among its objects; the SVG draws the rest as nodes.
    const clusters = sb.nodes.filter((n) => n.startsWith('cluster_'));
    expect(clusters.length).toBeGreaterThan(HOSTILE.length / 2);
    expect(svg.match(/<g id="node/g)!.length).toBe(sb.nodes.length - clusters.length);
  });
});

describe('the compile cache', () => {
  it('serves two graphs that differ only in hostile names, each under its own names', async () => {
    const a = namedGraph(HOSTILE.slice(0, 7), 'a');
    const b = namedGraph(HOSTILE.slice(7), 'a');
    const inputs = randomInputs(a, new Rng(5));
    const inputsB = Object.fromEntries(Object.values(inputs).map((t, i) => [b.inputs[i]!.name, t]));
    const [ma, mb] = [await compile(a, { target: 'ts' }), await compile(b, { target: 'ts' })];
    expect(codeShape(ma.source)).toEqual(codeShape(mb.source));
    const [ra, rb] = [ma.run(inputs), mb.run(inputsB)];
    expect(Object.keys(rb)).toEqual(b.outputs.map((o) => o.name));
    expectAllClose(ra, interpret(a, inputs));
    expect(Object.values(rb).map(toNumbers)).toEqual(Object.values(ra).map(toNumbers));
    const again = await compile(namedGraph(HOSTILE.slice(0, 7), 'a'), { target: 'ts' });
    expect(again.source).toBe(ma.source);
    expect(Object.keys(again.run(inputs))).toEqual(a.outputs.map((o) => o.name));
  });

  /**
   * Two different 9-element constants (1..7, then two seeded random floats in [1, 2)) whose
   * printed FNV-1a digests collide: a birthday search that hashes only the last eight bytes
   * after the fixed prefix, confirmed with the printer's own digest().
   */
  function collidingConstants(): [Tensor, Tensor] {
    const rng = new Rng(2024);
    const make = ([u, v]: readonly number[]): Tensor => {
      const data = Float32Array.of(1, 2, 3, 4, 5, 6, 7, 0, 0);
      new Uint32Array(data.buffer).set([u!, v!], 7);
      return f32([9], data);
    };
    let h0 = 0x811c9dc5;
    for (const byte of new Uint8Array(make([0, 0]).data.buffer, 0, 28)) h0 = Math.imul(h0 ^ byte, 0x01000193);
    const seen = new Map<number, readonly number[]>();
    for (;;) {
      const words = [0, 0].map(() => 0x3f800000 | Math.floor(rng.next() * 0x800000));
      let h = h0;
      for (const w of words) for (let k = 0; k < 32; k += 8) h = Math.imul(h ^ ((w >>> k) & 0xff), 0x01000193);
      const other = seen.get(h >>> 0);
      if (other && (other[0] !== words[0] || other[1] !== words[1])) return [make(other), make(words)];
      seen.set(h >>> 0, words);
    }
  }

  it('never gives a graph the module of another graph with different constants', async () => {
    const [c1, c2] = collidingConstants();
    expect(toNumbers(c1)).not.toEqual(toNumbers(c2));
    expect(digest(c1)).toBe(digest(c2));
    const withConstant = (c: Tensor): Graph => {
      const b = new IRBuilder('k');
      const x = b.input('x', tensorType('f32', [9]));
      const [k] = b.node('constant', { value: c }, []);
      b.output('y', b.node('add', {}, [x.id, k!.id])[0]!.id);
      return b.finish();
    };
    const x = { x: f32([9]) };
    expect(toNumbers((await compile(withConstant(c1), { target: 'ts' })).run(x).y!)).toEqual(toNumbers(c1));
    expect(toNumbers((await compile(withConstant(c2), { target: 'ts' })).run(x).y!)).toEqual(toNumbers(c2));
  });
});

describe('names that are Object.prototype keys', () => {
  it('an input and outputs named __proto__ and constructor stay own properties', async () => {
    const b = new IRBuilder('proto');
    const x = b.input('__proto__', tensorType('f32', [2]));
    b.output('__proto__', b.node('neg', {}, [x.id])[0]!.id);
    b.output('constructor', x.id);
    const g = b.finish();
    const model = await compile(g, { target: 'ts', level: 0 });
    const inputs = Object.fromEntries([['__proto__', f32([2], [1, 2])]]);
    const out = model.run(inputs);
    expect(Object.keys(out).sort()).toEqual(['__proto__', 'constructor']);
    expect(toNumbers(out['__proto__']!)).toEqual([-1, -2]);
    const mod = await importModule(model.source);
    expect(Object.keys(mod.INPUTS)).toEqual(['__proto__']);
    const arrays = Object.fromEntries([['__proto__', new Float32Array([1, 2])]]);
    expect(Object.keys(mod.create({}).run(arrays)).sort()).toEqual(['__proto__', 'constructor']);
  });
});
