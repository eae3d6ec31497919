// `npm run soak [-- --runs N --warmup N --ts-only]`: 10,000 inferences of the seed MHA (examples/mha.ts) on generated
// TypeScript, and on WGSL through compileWgsl when a WebGPU adapter exists (SwiftShader here).
// Reports resident memory growth after a warm-up and a full GC, and on WGSL the live GPU buffers
// (createBuffer minus destroy, counted through a wrapper on the device) before and after.
// Exits 1 if outputs drift, live buffers grow, or RSS grows by more than the allowance.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { compile, compileWgsl } from '../src/compile.ts';
import type { Graph } from '../src/ir/graph.ts';
import type { Tensor } from '../src/ir/tensor.ts';
import { parseSafetensors } from '../src/io/safetensors.ts';
import { compareTensors } from '../src/runtime/compare.ts';
import { requestGpu } from '../src/runtime/gpu.ts';
import { useSwiftShader } from '../src/runtime/swiftshader.ts';
import buildMha, { FIXTURE } from '../examples/mha.ts';

useSwiftShader();

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '10000' }, warmup: { type: 'string', default: '500' }, wgsl: { type: 'boolean' }, 'ts-only': { type: 'boolean' } },
});
const RUNS = Number(values.runs);
const WARMUP = Number(values.warmup);
/** RSS growth over the measured runs that still counts as flat (allocator and JIT noise). */
const RSS_ALLOWANCE = 8 << 20;
/**
 * On WGSL, RSS over the second half that still counts as flat: the driver's own pools (SwiftShader
 * keeps JIT code and command memory) swing by tens of MiB and plateau (measured over 40,000 runs:
 * 229 MiB at 1,000 runs, 411 at 10,000, 332 at 40,000). A leak grows without bound; the live
 * buffer count is the exact check of opgraph's own GPU objects.
 */
const GPU_RSS_ALLOWANCE = 64 << 20;

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc (npm run soak does)');

/** RSS after a full collection, in bytes. */
function settledRss(): number {
  for (let i = 0; i < 3; i++) gc!();
  return process.memoryUsage().rss;
}

type Run = () => Promise<Record<string, Tensor>> | Record<string, Tensor>;

interface Soak {
  readonly backend: string;
  readonly runs: number;
  readonly rssGrowth: number;
  /** Growth over the second half of the runs: a leak grows it, a pool that filled up does not. */
  readonly lateGrowth: number;
  readonly seconds: number;
  readonly drift: string | undefined;
}

/** Warms up, settles, runs RUNS inferences checking each output against the first, settles again. */
async function soak(backend: string, run: Run, progress?: (runs: number) => void): Promise<Soak> {
  const first = await run();
  for (let i = 0; i < WARMUP; i++) await run();
  const before = settledRss();
  const t0 = performance.now();
  let drift: string | undefined;
  let middle = before;
  for (let i = 0; i < RUNS; i++) {
    if (i === RUNS >> 1) middle = settledRss();
    const out = await run();
    if (progress && (i + 1) % 100 === 0) progress(i + 1);
    for (const [name, t] of Object.entries(first)) {
      const c = compareTensors(out[name]!, t, 0, 0);
      if (c.reason && drift === undefined) drift = `run ${i} output ${name}: ${c.reason}`;
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  const after = settledRss();
  return { backend, runs: RUNS, rssGrowth: after - before, lateGrowth: after - middle, seconds, drift };
}

function describe(s: Soak): string {
  const mib = (n: number): string => (n / 2 ** 20).toFixed(2);
  return `${s.backend}: ${s.runs} runs in ${s.seconds.toFixed(1)} s, RSS growth after warm-up and GC ${mib(s.rssGrowth)} MiB (${mib(s.lateGrowth)} MiB over the second half), outputs ${s.drift ?? 'identical every run'}`;
}

/** Counts live buffers on the shared device by wrapping createBuffer and each buffer's destroy. */
async function countBuffers(): Promise<() => number> {
  const { device } = await requestGpu();
  let live = 0;
  const create = device.createBuffer.bind(device);
  device.createBuffer = (desc: GPUBufferDescriptor): GPUBuffer => {
    const buffer = create(desc);
    live++;
    const destroy = buffer.destroy.bind(buffer);
    let destroyed = false;
    buffer.destroy = () => {
      if (!destroyed) live--;
      destroyed = true;
      destroy();
    };
    return buffer;
  };
  return () => live;
}

/** The seed MHA and its fixture inputs. */
function model(): { graph: Graph; feed: Map<string, Tensor> } {
  const graph: Graph = buildMha();
  const inputs = parseSafetensors(readFileSync(new URL(`../test/fixtures/${FIXTURE}.io.safetensors`, import.meta.url)));
  return { graph, feed: new Map(graph.inputs.map((i) => [i.name, inputs.get(i.name)!])) };
}

/** The WGSL half, in this (child) process; prints one result line, then ends itself (see below). */
async function wgslChild(): Promise<never> {
  const { graph, feed } = model();
  let line: string;
  let ok = false;
  try {
    const live = await countBuffers();
    const gpu = await compileWgsl(graph);
    const created = live();
    // A timer tick between runs: back-to-back runs abort Dawn's Node binding sooner (docs/security.md).
    console.log(`wgsl: ${gpu.adapter}: ${created} live GPU buffers after creation`);
    const progress = (n: number): void => console.log(`wgsl: ${n} runs, ${live()} live GPU buffers, RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(1)} MiB`);
    const r = await soak(`wgsl (${gpu.adapter})`, async () => {
      const out = await gpu.run(feed);
      await new Promise((res) => setTimeout(res, 1));
      return out;
    }, progress);
    const after = live();
    gpu.destroy();
    line = `${describe(r)}; live GPU buffers: ${created} after creation, ${after} after the runs, ${live()} after destroy`;
    ok = r.drift === undefined && after === created && live() === 0 && r.lateGrowth < GPU_RSS_ALLOWANCE;
  } catch (e) {
    line = `wgsl: skipped: ${(e as Error).message}`;
    ok = true;
  }
  process.stdout.write(`${line}\n`, () => process.kill(process.pid, ok ? 'SIGTERM' : 'SIGKILL'));
  return new Promise<never>(() => undefined);
}

/**
 * Runs the WGSL half in a child process: Dawn's Node binding can abort the process (and never
 * tears down cleanly), so the child prints its result and ends itself; an abort is reported.
 */
function wgslInChild(): Promise<boolean> {
  return new Promise((resolve) => {
    const args = [...process.execArgv, fileURLToPath(import.meta.url), '--wgsl', '--runs', String(RUNS), '--warmup', String(WARMUP)];
    // Generous for SwiftShader (about 2 ms a run here); a hung Dawn is killed and reported.
    const timeout = 120_000 + 20 * (RUNS + WARMUP);
    execFile(process.execPath, args, { timeout, killSignal: 'SIGKILL', maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      const lines = stdout.trim().split('\n').filter(Boolean);
      for (const l of lines) console.log(l);
      const result = lines.filter((l) => !l.startsWith('wgsl: ') || l.includes('skipped')).join('');
      const aborted = /terminate called|Aborted|std::system_error/.exec(stderr);
      if (err?.killed && !result) console.log(`wgsl: the GPU process hung and was killed after ${timeout / 1000} s`);
      else if (!result) console.log(`wgsl: the GPU process died without a result (${err?.signal ?? `exit ${err?.code}`})${aborted ? `: Dawn aborted (${stderr.match(/what\(\):.*$/m)?.[0] ?? aborted[0]})` : ''}`);
      resolve(result !== '' && err?.signal === 'SIGTERM');
    });
  });
}

async function main(): Promise<number> {
  const { graph, feed } = model();
  console.log(`soak: seed MHA (${FIXTURE}), ${WARMUP} warm-up runs, then ${RUNS} measured`);
  const ts = await compile(graph, { target: 'ts' });
  const r = await soak('ts', () => ts.run(feed));
  console.log(describe(r));
  const tsOk = r.drift === undefined && r.rssGrowth < RSS_ALLOWANCE;
  const gpuOk = values['ts-only'] ? true : await wgslInChild();
  return tsOk && gpuOk ? 0 : 1;
}

if (values.wgsl) await wgslChild();
process.exitCode = await main();
