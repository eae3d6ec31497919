// `npm run bench:scale [-- --quick | --sizes=N,N]`: how the compiler's time grows with graph size.
// For each family of scale-graphs.ts (chain, wide, residual) at 10k, 100k and 1M nodes, built
// through the graph API and imported from an ONNX file, one process per row (scale-case.ts) times
// the build or import, the -O2 pipeline and the TS compile of its result, and checks the compiled
// module against the interpreter. Prints the table; a full run also writes it into
// docs/benchmarks.md (a marked section, see scale-section.ts) and out/bench/scale.md, which the
// main report carries over. `npm run bench` runs this too.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machine } from './machine.ts';
import type { ScaleRow } from './scale-case.ts';
import { FAMILIES, type Family, writeOnnx } from './scale-graphs.ts';
import { markedSection, spliceSection } from './scale-section.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const dir = join(root, 'out', 'bench', 'scale');
const quick = process.argv.includes('--quick');
const sizesArg = process.argv.find((a) => a.startsWith('--sizes='))?.slice('--sizes='.length);
const SIZES = sizesArg ? sizesArg.split(',').map(Number) : quick ? [10_000, 40_000] : [10_000, 100_000, 1_000_000];
const partial = quick || sizesArg !== undefined;
/** A row's process gets this long (the 1M-node rows take minutes on a shared 2-core machine). */
const ROW_TIMEOUT_MS = 30 * 60_000;
const log = (s: string): void => void process.stderr.write(`${s}\n`);

type Result = ScaleRow | { family: Family; n: number; source: 'api' | 'onnx'; error: string };

/** One row in its own process (fresh heap and caches). */
function measure(family: Family, n: number, source: 'api' | 'onnx'): Result {
  const args = ['--max-old-space-size=16384', '--import', 'tsx', join(root, 'scripts/bench/scale-case.ts'), family, String(n), source];
  if (source === 'onnx') {
    const file = join(dir, `${family}-${n}.onnx`);
    if (!existsSync(file)) writeOnnx(family, n, file);
    args.push(file);
  }
  try {
    const out = execFileSync(process.execPath, args, { cwd: root, timeout: ROW_TIMEOUT_MS, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 24 });
    return JSON.parse(out.toString().trim().split('\n').at(-1)!) as ScaleRow;
  } catch (e) {
    const err = e as { signal?: string; stderr?: Buffer; message: string };
    const why = err.signal === 'SIGTERM' ? `timed out after ${ROW_TIMEOUT_MS / 60_000} min` : (err.stderr?.toString().trim().split('\n').find((l) => /Error/.test(l)) ?? err.message.split('\n')[0]!);
    return { family, n, source, error: why };
  }
}

const seconds = (ms: number): string => (ms < 10_000 ? `${(ms / 1000).toFixed(2)} s` : `${(ms / 1000).toFixed(1)} s`);
const count = (n: number): string => (n >= 1e6 ? `${n / 1e6}M` : n >= 1e3 ? `${n / 1e3}k` : String(n));

/** The tables: one row per measurement, then the growth of each step per 10x (or per size step). */
function tables(results: readonly Result[]): string {
  const lines = [
    '| graph | nodes | from | build / import | -O2 passes | compile (ts) | nodes after -O2 | rewrite work | max abs error |',
    '| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of results) {
    if ('error' in r) lines.push(`| ${r.family} | ${count(r.n)} | ${r.source} | ${r.error} | | | | | |`);
    else lines.push(`| ${r.family} | ${r.nodes.toLocaleString('en')} | ${r.source} | ${seconds(r.importMs)} | ${seconds(r.passesMs)} | ${seconds(r.compileMs)} | ${r.nodesAfter.toLocaleString('en')} | ${r.work.toLocaleString('en')} | ${r.maxAbsError} |`);
  }
  const ok = results.filter((r): r is ScaleRow => !('error' in r));
  const growth = ['', `Growth from one size to the next (x${SIZES[1]! / SIZES[0]!} nodes per step; linear is x${SIZES[1]! / SIZES[0]!}):`, '', '| graph | from | sizes | build / import | -O2 passes | compile (ts) | rewrite work |', '| --- | --- | --- | ---: | ---: | ---: | ---: |'];
  for (const f of FAMILIES) {
    for (const source of ['api', 'onnx'] as const) {
      const rows = SIZES.map((n) => ok.find((r) => r.family === f && r.source === source && r.n === n));
      for (let i = 1; i < rows.length; i++) {
        const [a, b] = [rows[i - 1], rows[i]];
        if (!a || !b) continue;
        const x = (p: number, q: number): string => `x${(q / p).toFixed(1)}`;
        growth.push(`| ${f} | ${source} | ${count(a.n)} -> ${count(b.n)} | ${x(a.importMs, b.importMs)} | ${x(a.passesMs, b.passesMs)} | ${x(a.compileMs, b.compileMs)} | ${x(a.work, b.work)} |`);
      }
    }
  }
  return [...lines, ...growth].join('\n');
}

function page(results: readonly Result[]): string {
  return `## Scaling with graph size

Written by \`npm run bench:scale\` (scripts/bench/scale.ts) on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC.
Machine: ${machine()}.

Three graph families (scripts/bench/scale-graphs.ts), each about N nodes after import:
**chain** is x -> relu -> neg -> relu ... (N unary ops); **wide** feeds one input to N/4 branches
relu(x * c_i) summed by one Sum (from ONNX, 3N/4 nodes: the c_i are initializers there, not
constant nodes); **residual** is N/4 blocks h + relu(h @ W_i + b_i). Each is built
through the graph API (GraphBuilder, which also records every node's source line) and imported from
an ONNX file (read, decoded, lowered). Each row runs in a process of its own: the build or import,
the -O2 pipeline (without the per-pass verifier the tests add), and the TS compile of the -O2 graph
(memory plan, code generation, transpiling and instantiating the module), after which the module
runs once and its output is compared with the interpreter's on the unoptimised graph (max abs
error). Rewrite work is the rewrite machinery's own count of node visits, pattern steps, rebuilt
nodes and list walks over the whole pipeline (src/rewrite/work.ts), the measure
test/passes/scaling.test.ts holds to linear growth. Times are single runs on a shared machine.

${tables(results)}
`;
}

mkdirSync(dir, { recursive: true });
const results: Result[] = [];
for (const family of FAMILIES) {
  for (const n of SIZES) {
    for (const source of ['api', 'onnx'] as const) {
      log(`bench:scale: ${family} ${count(n)} (${source}) ...`);
      const r = measure(family, n, source);
      log(`  ${'error' in r ? r.error : `build/import ${seconds(r.importMs)}, passes ${seconds(r.passesMs)}, compile ${seconds(r.compileMs)}`}`);
      results.push(r);
    }
  }
}
const md = page(results);
writeFileSync(join(root, 'out', 'bench', partial ? 'scale-partial.json' : 'scale.json'), JSON.stringify(results));
if (partial) {
  writeFileSync(join(root, 'out', 'bench', 'scale-partial.md'), md);
  log(`bench:scale: a partial run (--quick or --sizes): out/bench/scale-partial.md; docs/ is left as committed`);
} else {
  writeFileSync(join(root, 'out', 'bench', 'scale.md'), md);
  const docs = join(root, 'docs', 'benchmarks.md');
  writeFileSync(docs, spliceSection(readFileSync(docs, 'utf8'), markedSection(md)));
}
process.stdout.write(md);
