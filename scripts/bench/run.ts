// `npm run bench`: the reference interpreter against generated TypeScript (-O0, -O1, -O2) on the
// seed attention models; writes docs/benchmarks.md. Timings are single-threaded, side by side.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compile } from '../../src/compile.ts';
import type { Graph } from '../../src/ir/graph.ts';
import { type Tensor, tensor } from '../../src/ir/tensor.ts';
import { numel } from '../../src/ir/types.ts';
import { interpret } from '../../src/runtime/interpreter.ts';
import { compareTensors } from '../../src/runtime/compare.ts';
import { F, graph } from '../../src/api/index.ts';
import { Rng } from '../../src/api/init.ts';
import { seedMha, seedSelfMha } from '../../examples/mha.ts';
import { encoderLayer } from '../../examples/transformer-encoder-layer.ts';
import { type Latency, flopsOf, measure } from './measure.ts';
import { machine } from './machine.ts';

interface Model {
  readonly name: string;
  readonly graph: Graph;
  /** Skip the interpreter (too slow to time usefully). */
  readonly interp: boolean;
}

/** x [m, k] @ W^T + b with W [n, k]: the matmul-heavy kernel in isolation. */
function linearGraph(m: number, k: number, n: number): Graph {
  const init = (s: readonly number[], r: Rng): Tensor => tensor('f32', s, Float32Array.from({ length: numel(s) }, () => r.next() - 0.5));
  return graph('linear', (g) => F.linear(g.input('x', [m, k]), g.param('w', { dtype: 'f32', shape: [n, k] }, init), g.param('b', { dtype: 'f32', shape: [n] }, init)));
}

const MODELS: Model[] = [
  { name: 'seed MHA 1x3x6, 2 heads', graph: seedMha({ batch: 1, seq: 3, dModel: 6, heads: 2 }), interp: true },
  { name: 'seed MHA 1x10x512, 8 heads', graph: seedMha({ batch: 1, seq: 10, dModel: 512, heads: 8 }), interp: true },
  { name: 'MHA 1x128x512, 8 heads', graph: seedMha({ batch: 1, seq: 128, dModel: 512, heads: 8 }), interp: true },
  { name: 'self-attention MHA 1x128x512, 8 heads', graph: seedSelfMha({ batch: 1, seq: 128, dModel: 512, heads: 8 }), interp: true },
  { name: 'TransformerEncoderLayer 128x1x512, FFN 2048', graph: encoderLayer({ seq: 128, batch: 1, dModel: 512, heads: 8, ff: 2048 }), interp: true },
  { name: 'Linear 128x512 -> 512 (GEMM + bias)', graph: linearGraph(128, 512, 512), interp: false },
];

function randomInputs(g: Graph): Map<string, Tensor> {
  const rng = new Rng(42);
  return new Map(g.inputs.map((i) => [i.name, tensor(i.type.dtype, i.type.shape, Float32Array.from({ length: numel(i.type.shape) }, () => rng.normal()))]));
}

interface Row {
  model: string;
  runner: string;
  lat: Latency;
  gflops: number;
  peak: number | string;
  compileMs: number | string;
  kernels: number | string;
}

async function benchModel(m: Model): Promise<Row[]> {
  const inputs = randomInputs(m.graph);
  const flops = flopsOf(m.graph);
  const ref = m.interp ? interpret(m.graph, inputs, { ignoreExtraInputs: true }) : undefined;
  const rows: Row[] = [];
  if (m.interp) {
    const lat = measure(() => interpret(m.graph, inputs, { ignoreExtraInputs: true }), 2000, 300);
    rows.push({ model: m.name, runner: 'interpreter', lat, gflops: flops / lat.p50 / 1e3, peak: '-', compileMs: '-', kernels: '-' });
  }
  for (const level of [0, 1, 2] as const) {
    const t0 = performance.now();
    const c = await compile(m.graph, { target: 'ts', level });
    const compileMs = performance.now() - t0;
    const arrays = Object.fromEntries([...inputs].map(([k, t]) => [k, t.data]));
    if (ref) {
      const out = c.run(inputs);
      for (const [k, t] of Object.entries(ref)) {
        const cmp = compareTensors(out[k]!, t, 1e-4, 1e-5);
        if (!cmp.ok) throw new Error(`${m.name} -O${level}: output ${k} differs from the interpreter: ${cmp.reason}`);
      }
    }
    const lat = measure(() => c.module.run(arrays));
    rows.push({ model: m.name, runner: `generated TS -O${level}`, lat, gflops: flops / lat.p50 / 1e3, peak: c.peakBytes, compileMs: compileMs.toFixed(0), kernels: c.kernels });
  }
  return rows;
}

function fmtUs(us: number): string {
  return us >= 1000 ? `${(us / 1000).toFixed(2)} ms` : `${us.toFixed(us < 10 ? 2 : 1)} µs`;
}

function table(rows: Row[]): string {
  const head = '| model | runner | p50 | p10 | p90 | GFLOP/s | peak arena bytes | compile ms | kernel calls |\n|---|---|---|---|---|---|---|---|---|';
  const body = rows.map((r) => `| ${r.model} | ${r.runner} | ${fmtUs(r.lat.p50)} | ${fmtUs(r.lat.p10)} | ${fmtUs(r.lat.p90)} | ${r.gflops.toFixed(2)} | ${r.peak} | ${r.compileMs} | ${r.kernels} |`);
  return [head, ...body].join('\n');
}

function speedups(rows: Row[]): string {
  const lines: string[] = [];
  for (const name of new Set(rows.map((r) => r.model))) {
    const interp = rows.find((r) => r.model === name && r.runner === 'interpreter');
    const o2 = rows.find((r) => r.model === name && r.runner === 'generated TS -O2');
    const o0 = rows.find((r) => r.model === name && r.runner === 'generated TS -O0');
    const parts: string[] = [];
    if (interp && o2) parts.push(`generated TS -O2 is ${(interp.lat.p50 / o2.lat.p50).toFixed(1)}x faster than the interpreter`);
    const o1 = rows.find((r) => r.model === name && r.runner === 'generated TS -O1');
    if (o0 && o2) parts.push(`-O2 runs at ${(o0.lat.p50 / o2.lat.p50).toFixed(2)}x the speed of -O0`);
    if (o1 && o2) parts.push(`the fusion passes alone (-O2 against -O1, same kernels) give ${(o1.lat.p50 / o2.lat.p50).toFixed(2)}x`);
    if (parts.length) lines.push(`- ${name}: ${parts.join('; ')}.`);
  }
  return lines.join('\n');
}

/** The issues' targets, each checked against this run's numbers. */
function targets(rows: Row[]): string {
  const get = (model: string, runner: string): Row | undefined => rows.find((r) => r.model.startsWith(model) && r.runner === runner);
  const line = (what: string, value: string, met: boolean): string => `| ${what} | ${value} | ${met ? 'met' : 'not met'} |`;
  const out = ['| target | measured | |', '|---|---|---|'];
  const tiny = get('seed MHA 1x3x6', 'generated TS -O2');
  if (tiny) out.push(line('tiny seed MHA <= 5 µs per call', fmtUs(tiny.lat.p50), tiny.lat.p50 <= 5));
  const gemm = get('Linear 128x512', 'generated TS -O2');
  if (gemm) out.push(line('matmul kernels of the 1x128x512 MHA >= 4 GFLOP/s', `${gemm.gflops.toFixed(2)} GFLOP/s`, gemm.gflops >= 4));
  for (const model of ['MHA 1x128x512', 'TransformerEncoderLayer 128x1x512']) {
    const [i, o0, o2] = [get(model, 'interpreter'), get(model, 'generated TS -O0'), get(model, 'generated TS -O2')];
    if (i && o2 && model.startsWith('MHA')) out.push(line(`${model}: generated TS >= 20x the interpreter`, `${(i.lat.p50 / o2.lat.p50).toFixed(1)}x`, i.lat.p50 / o2.lat.p50 >= 20));
    if (o0 && o2) {
      out.push(line(`${model}: -O2 >= 1.5x faster than -O0`, `${(o0.lat.p50 / o2.lat.p50).toFixed(2)}x`, o0.lat.p50 / o2.lat.p50 >= 1.5));
      out.push(line(`${model}: -O2 uses less intermediate memory`, `${o2.peak} vs ${o0.peak} bytes`, Number(o2.peak) < Number(o0.peak)));
    }
  }
  return out.join('\n');
}

const rows: Row[] = [];
for (const m of MODELS) {
  process.stderr.write(`benchmarking ${m.name} ...\n`);
  rows.push(...(await benchModel(m)));
}
const doc = `# Benchmarks

Written by \`npm run bench\` (scripts/bench/run.ts) on ${new Date().toISOString().slice(0, 10)}.
Machine: ${machine()}. Single-threaded; every runner timed in the same process, one after the other.

Latency is per call, over batched samples after a warm-up (p10/p50/p90 across samples). GFLOP/s counts
2 FLOPs per multiply-add of the contractions and 1 per element elsewhere, at the p50 latency.
Generated TS is timed through the module's own \`run\` (typed arrays in and out). Before timing, each
compiled model's outputs are checked against the interpreter (rtol 1e-4, atol 1e-5).

${table(rows)}

${speedups(rows)}

## Targets

${targets(rows)}

What the levels are. -O0 runs only shape inference and emits plain i/j/k loop kernels (easy to
read when debugging generated code). -O1 adds the cleanup passes and the register-blocked,
panel-packed contraction. -O2 adds the fusion passes. So -O2 against -O0 measures the whole
optimiser, and -O2 against -O1 the fusion passes alone. The fusion passes remove the transposes,
the softmax and the elementwise passes, plus their intermediate memory (see the kernel calls
column), but the MHA and the encoder layer spend about 90% of their FLOPs in the projections,
so fusion alone gains little time at these sizes.

Why the 20x target is out of reach as stated: the interpreter's matmul is itself a tight
double-precision loop (about 1 GFLOP/s), so 20x over it would mean about 20 GFLOP/s of scalar
JavaScript. The generated kernels run at about 4 GFLOP/s, near what scalar JavaScript reaches on
this machine. The encoder layer's peak intermediate memory is its 128 x 2048 feed-forward
activation, at every level.

These machines are shared and noisy: compare ratios within one run, not absolute times across runs.
`;
const out = fileURLToPath(new URL('../../docs/benchmarks.md', import.meta.url));
writeFileSync(out, doc);
process.stdout.write(doc);
