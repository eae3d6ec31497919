// The CLI's seeing-the-compiler verbs on the two-block GPT: summary's table against the graph's own
// weights and kernels, dot --depth, and passes -v naming the op and label of every rewrite.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSafetensors } from '../../src/io/safetensors-file.ts';
import { tensor } from '../../src/ir/tensor.ts';
import { PIPELINES, runPipeline } from '../../passes/pipeline.ts';
import { kernelCalls, planMemory } from '../../src/codegen/plan.ts';
import { scratchNeed } from '../../src/codegen/ts/kernels/index.ts';
import { numel } from '../../src/ir/types.ts';
import { OPS } from '../../src/ops/table.ts';
import { tinyGpt } from '../../examples/tiny-gpt.ts';
import { cli, lines } from './run-cli.ts';

const g = tinyGpt(2);
const params = (prefix: string) => g.weights.filter((w) => w.name.startsWith(prefix)).reduce((s, w) => s + numel(w.type.shape), 0);
const grouped = (n: number) => n.toLocaleString('en-US');

describe('the new verbs', () => {
  it.each(['view', 'summary'])('%s --help prints its usage, and the overview lists it', async (verb) => {
    const r = await cli([verb, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`opgraph ${verb} MODEL`);
    expect((await cli(['--help'])).stdout).toMatch(new RegExp(`\\n  ${verb}\\s+\\S`));
  });
});

describe('opgraph summary', () => {
  it('lists modules with output types, owned parameters and -O2 kernels, then totals', async () => {
    const r = await cli(['summary', 'tiny-gpt']);
    expect(r.code, r.stderr).toBe(0);
    const out = lines(r.stdout);
    const row = (name: string, indent: number) => out.find((l) => l.startsWith(`${'  '.repeat(indent)}${name} `))!.trim().split(/\s{2,}/);
    const h0 = row('h.0', 0);
    expect(h0[1]).toBe('f32[1,16,64]');
    expect(h0[2]).toBe(grouped(params('h.0.')));
    expect(row('attn', 1)[1]).toBe('f32[1,16,64]');
    expect(row('c_fc', 2)[1]).toBe('f32[1,16,256]');
    expect(row('c_fc', 2)[2]).toBe(grouped(params('h.0.mlp.c_fc.')));
    expect(row('c_fc', 2)[2]).toBe('16,640');
    expect(row('lm_head', 0)[1]).toBe('f32[1,16,64]');
    const o2 = runPipeline(g, PIPELINES[2]).graph;
    const plan = planMemory(o2, (n, inputs) => scratchNeed(n, inputs));
    const total = params('');
    expect(r.stdout).toContain(`total params: ${grouped(total)} (`);
    expect(r.stdout).toContain(`kernels per run after -O2: ${kernelCalls(o2, plan)}; peak intermediate memory: `);
    expect(r.stdout).toContain(`(${plan.arenaBytes} B)`);
    // Each block runs the same kernels, and the top-level rows' kernels add up to the total's.
    expect(row('h.0', 0)[4]).toBe(row('h.1', 0)[4]);
    const top = out.filter((l) => /^\S/.test(l) && !/^(tiny_gpt|module|total|kernels|-)/.test(l));
    expect(top.map((l) => l.split(/\s+/)[0])).toEqual(['wte', 'wpe', 'h.0', 'h.1', 'ln_f', 'lm_head']);
    const kernelsByTop = top.reduce((s, l) => s + Number(l.trim().split(/\s+/).at(-1)), 0);
    expect(kernelsByTop).toBeLessThanOrEqual(kernelCalls(o2, plan));
    expect(kernelsByTop).toBeGreaterThan(kernelCalls(o2, plan) - 4);
  });

  it('gives an ONNX model\'s renamed weights to the module that reads them', async () => {
    const r = await cli(['summary', 'test/fixtures/seed001_lstm_attention.onnx']);
    expect(r.code, r.stderr).toBe(0);
    const cells = (name: string) => lines(r.stdout).find((l) => l.trim().startsWith(`${name} `))!.trim().split(/\s{2,}/);
    const total = Number(/total params: ([\d,]+) /.exec(r.stdout)![1]!.replace(/,/g, ''));
    expect(Number(cells('model')[2]!.replace(/,/g, ''))).toBe(total);
    expect(Number(cells('lstm')[2]!.replace(/,/g, '')) + Number(cells('attention')[2]!.replace(/,/g, ''))).toBe(total);
    expect(r.stdout).not.toContain('no module owns');
  });

  it('takes --depth, and refuses a bad one', async () => {
    const r = await cli(['summary', 'tiny-gpt', '--depth', '1']);
    expect(r.code, r.stderr).toBe(0);
    expect(lines(r.stdout).filter((l) => l.startsWith('  '))).toEqual([]);
    const bad = await cli(['summary', 'tiny-gpt', '--depth', 'two']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--depth must be a whole number');
  });
});

describe('opgraph dot --depth', () => {
  it('draws each block of the GPT as one box in its own cluster', async () => {
    const r = await cli(['dot', 'tiny-gpt', '--depth', '1']);
    expect(r.code, r.stderr).toBe(0);
    const labels = [...r.stdout.matchAll(/subgraph cluster_\d+ \{\n\s+graph \[label="([^"]*)"/g)].map((m) => m[1]);
    expect(labels.filter((l) => /^h\.\d+$/.test(l!))).toEqual(['h.0', 'h.1']);
    // Each block's cluster holds its box and nothing else.
    for (const block of ['h.0', 'h.1']) {
      expect(r.stdout).toMatch(new RegExp(`graph \\[label="${block.replace('.', '\\.')}"[^\\n]*\\n\\s+m\\d+ \\[label="26 nodes, 50k params\\\\n[^\\n]*shape=box3d[^\\n]*\\n\\s+\\}`));
    }
    expect(r.stdout.match(/shape=box3d/g)).toHaveLength(2);
  });
});

describe('opgraph passes -v', () => {
  it('names the op and the label of the node every rewrite started from', async () => {
    const r = await cli(['passes', 'tiny-gpt', '-v']);
    expect(r.code, r.stderr).toBe(0);
    const notes = lines(r.stdout).filter((l) => /^[a-z-]+: /.test(l) && !/^pass\s/.test(l));
    expect(notes.length).toBeGreaterThan(10);
    const { trace } = runPipeline(g, PIPELINES[2]);
    const inputOf = new Map(trace.map((t, i) => [t.pass, i === 0 ? g : trace[i - 1]!.graph]));
    for (const note of notes) {
      const pass = note.slice(0, note.indexOf(':'));
      const m = /%(\d+) ([a-zA-Z]+)( "[^"]*")?/.exec(note);
      expect(m, note).not.toBeNull();
      expect(Object.keys(OPS)).toContain(m![2]);
      const node = inputOf.get(pass)!.nodes.find((n) => n.outputs[0]?.id === Number(m![1]));
      if (!node) {
        // A node an earlier rewrite of the same pass made (the driver sweeps to a fixpoint).
        expect(notes.some((n) => n.startsWith(`${pass}: `) && n.endsWith(` -> %${m![1]}`)), note).toBe(true);
        continue;
      }
      expect(node.op, note).toBe(m![2]);
      if (node.label !== undefined) expect(m![3], note).toBe(` ${JSON.stringify(node.label)}`);
    }
  });
});

describe('opgraph view --inputs', () => {
  it('embeds a TS-backend profile beside the memory plan, and names a missing input', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'opgraph-view-profile-'));
    await writeSafetensors(join(dir, 'in.safetensors'), { tokens: tensor('i64', [1, 16], Array.from({ length: 16 }, (_, i) => i % 64)) });
    const r = await cli(['view', 'tiny-gpt', '-O1', '--depth', '1', '--inputs', join(dir, 'in.safetensors'), '-o', join(dir, 'v.html')]);
    expect(r.code, r.stderr).toBe(0);
    const html = readFileSync(join(dir, 'v.html'), 'utf8');
    expect(html).toContain('class="memory-plot"');
    expect(html).toContain('class="profile-plot"');
    expect(html.match(/class="kernel-bar"/g)!.length).toBeGreaterThan(5);
    await writeSafetensors(join(dir, 'wrong.safetensors'), { ids: tensor('i64', [1, 16], new Array(16).fill(0)) });
    const bad = await cli(['view', 'tiny-gpt', '-O1', '--inputs', join(dir, 'wrong.safetensors'), '-o', join(dir, 'w.html')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('no tensor named "tokens" for graph input "tokens"');
  });
});
