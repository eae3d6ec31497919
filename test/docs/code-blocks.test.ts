// Every TypeScript code block in README.md and docs/ compiles, and the runnable ones run, so the
// pages cannot drift from the program. The rule, by the fence's info string:
//   ```ts            type-checked (with the project's tsc and tsconfig, unused names allowed)
//   ```ts run        type-checked, then run with tsx from the repository root; must exit 0
//   ```ts fragment   a piece of a larger file (one entry of a table): reported as skipped
// A block imports the package by its name, 'opgraph': the files are written to a temporary folder
// inside the repository, where that name resolves through package.json's `exports` under the
// `opgraph-source` condition (tsconfig's customConditions; node's --conditions for run blocks) to
// src/, so no build is needed; an installed package resolves the same names to dist/. All blocks are checked in one tsc run.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../cli/run-cli.ts';

/** One fenced block of a page. */
interface Block {
  /** Page and line of the opening fence, e.g. `docs/onnx.md:6`. */
  readonly where: string;
  /** Line of the opening fence (1-based). */
  readonly line: number;
  readonly mode: 'check' | 'run' | 'fragment';
  readonly code: string;
  /** The file the block is written to, inside the temporary folder. */
  readonly file: string;
}

const FENCE = /^(\s*)(`{3,}|~{3,})\s*([^\s`]*)\s*(.*)$/;
const TS_LANGS = new Set(['ts', 'typescript']);

/** README.md and every page under docs/, as paths relative to the repository root. */
function pages(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.md') ? [join(dir, e.name)] : []));
  return ['README.md', ...walk('docs')];
}

/** The TypeScript blocks of `page`; an unknown flag after `ts` is an error, not a silent skip. */
function blocksOf(page: string): Block[] {
  const lines = readFileSync(join(ROOT, page), 'utf8').split('\n');
  const out: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]!);
    if (!open) continue;
    const [, indent, fence, lang, rest] = open as unknown as [string, string, string, string, string];
    let end = i + 1;
    while (end < lines.length && !(lines[end]!.trim().startsWith(fence) && lines[end]!.trim().replace(/^[`~]+/, '') === '')) end++;
    if (TS_LANGS.has(lang)) {
      const flags = rest.split(/\s+/).filter(Boolean);
      const unknown = flags.filter((f) => f !== 'run' && f !== 'fragment');
      if (unknown.length > 0 || flags.length > 1) throw new Error(`${page}:${i + 1}: unknown code block flags "${rest}" (use \`\`\`ts, \`\`\`ts run or \`\`\`ts fragment)`);
      const code = lines.slice(i + 1, end).map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l.trimStart())).join('\n');
      const file = `${page.replace(/[^A-Za-z0-9]+/g, '_')}_L${i + 1}.ts`;
      out.push({ where: `${page}:${i + 1}`, line: i + 1, mode: flags[0] === 'run' ? 'run' : flags[0] === 'fragment' ? 'fragment' : 'check', code, file });
    }
    i = end;
  }
  return out;
}

function exec(cmd: string, args: readonly string[], timeout: number): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(cmd, [...args], { cwd: ROOT, timeout, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, output: `${stdout}${stderr}` });
    });
  });
}

const BLOCKS = pages().flatMap(blocksOf);
const checked = BLOCKS.filter((b) => b.mode !== 'fragment');
const dir = mkdtempSync(join(ROOT, '.docs-blocks-'));
/** tsc's diagnostics per block file, as `page:line:col: message`; `other` for the rest. */
const diagnostics = new Map<string, string[]>();
let tscRun = { code: -1, output: '' };

/** Runs tsc over `blocks` and files its diagnostics; returns the blocks with syntax errors. */
async function typeCheck(blocks: readonly Block[]): Promise<Set<Block>> {
  const config = { extends: relative(dir, join(ROOT, 'tsconfig.json')), compilerOptions: { noUnusedLocals: false }, files: blocks.map((b) => b.file) };
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(config, null, 2));
  tscRun = await exec(join(ROOT, 'node_modules/.bin/tsc'), ['--noEmit', '--pretty', 'false', '-p', join(dir, 'tsconfig.json')], 120_000);
  const syntax = new Set<Block>();
  for (const line of tscRun.output.split('\n').filter(Boolean)) {
    const m = /^(.*?)\((\d+),(\d+)\): (.*)$/.exec(line);
    const block = m ? blocks.find((b) => b.file === basename(m[1]!)) : undefined;
    if (block && /^error TS1\d{3}:/.test(m![4]!)) syntax.add(block);
    const key = block ? block.file : 'other';
    const text = block && m ? `${block.where.split(':')[0]}:${block.line + Number(m[2])}:${m[3]}: ${m[4]}` : line;
    diagnostics.set(key, [...(diagnostics.get(key) ?? []), text]);
  }
  return syntax;
}

beforeAll(async () => {
  for (const b of checked) writeFileSync(join(dir, b.file), `${b.code}\nexport {};\n`);
  // tsc reports no type errors at all while any file has a syntax error: check the others again.
  const syntax = await typeCheck(checked);
  if (syntax.size > 0 && syntax.size < checked.length) await typeCheck(checked.filter((b) => !syntax.has(b)));
}, 240_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('code blocks in README.md and docs/', () => {
  it('there are TypeScript blocks to check, and some of them run', () => {
    expect(checked.length).toBeGreaterThan(0);
    expect(checked.some((b) => b.mode === 'run')).toBe(true);
  });

  it('tsc reports nothing outside the blocks', () => {
    expect(diagnostics.get('other') ?? []).toEqual([]);
    expect(tscRun.code === 0 || diagnostics.size > 0, tscRun.output).toBe(true);
  });

  for (const b of BLOCKS) {
    if (b.mode === 'fragment') {
      it.skip(`${b.where} is a fragment (not checked)`, () => {});
      continue;
    }
    it(`${b.where} type-checks`, () => {
      expect(diagnostics.get(b.file) ?? []).toEqual([]);
    });
    if (b.mode === 'run') {
      it(`${b.where} runs and exits 0`, async () => {
        const r = await exec(join(ROOT, 'node_modules/.bin/tsx'), ['--conditions=opgraph-source', join(dir, b.file)], 110_000);
        expect(r.code, `${b.where} exited ${r.code}:\n${r.output}`).toBe(0);
      }, 120_000);
    }
  }
});
