// `npm run bench [-- --quick | --cases=ID,ID | --report-only]`: opgraph (interpreter, generated TS
// -O0/-O1/-O2, and -O2 from PyTorch's ONNX export) against its peers (PyTorch, onnxruntime-node,
// onnxruntime-web wasm, TensorFlow.js cpu and wasm) on the same models, weights and inputs. A full
// run writes docs/benchmarks.md and docs/benchmarks.svg; a --quick or --cases run (short budgets or
// some models: not for the committed docs) writes them under out/bench/ instead. Each peer runs in its own
// process, one after another; the bench folder (out/bench/, git-ignored) holds the shared
// weights, inputs, reference outputs, the exported ONNX files and each peer's results. The decoding
// bench (scripts/bench/decode/) runs after it, unless --cases picks models.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCases, writeCases } from './cases.ts';
import { machine } from './machine.ts';
import { FULL, QUICK } from './measure.ts';
import { onnxImportRows, opgraphRows, referenceGemmRows } from './opgraph.ts';
import { installPeers } from './peer-modules.ts';
import { scalarPeakGflops, wasmPeaks } from './peaks.ts';
import { type Report, writeReport } from './report.ts';
import type { PeerResult, Row } from './result.ts';
import type { Peer } from './runtime.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const benchDir = join(root, 'out', 'bench');
const reportData = join(benchDir, 'report.json');
const quick = process.argv.includes('--quick');
/** `--cases=encoder,gemm`: only these case ids. */
const only = process.argv.find((a) => a.startsWith('--cases='))?.slice('--cases='.length).split(',');
const budget = quick ? QUICK : FULL;
const log = (s: string): void => void process.stderr.write(`${s}\n`);

/** PyTorch's rows, run by /usr/bin/python3; it also exports the ONNX files the onnxruntime peers load. */
function torchPeer(): PeerResult & { peakGflops?: number } {
  const file = join(benchDir, 'torch.json');
  rmSync(file, { force: true });
  try {
    execFileSync('/usr/bin/python3', [join(root, 'scripts/bench/torch_peer.py'), benchDir, ...(quick ? ['--quick'] : [])], { stdio: ['ignore', 'inherit', 'pipe'] });
  } catch (e) {
    const stderr = String((e as { stderr?: Buffer }).stderr ?? '').trim().split('\n').pop();
    return { peer: 'PyTorch', version: '', rows: [], errors: [`could not run /usr/bin/python3 with torch: ${stderr || (e as Error).message.split('\n')[0]}`] };
  }
  const r = JSON.parse(readFileSync(file, 'utf8')) as { version: string; peakGflops: number; rows: Row[]; errors: string[] };
  return { peer: 'PyTorch', version: `torch ${r.version}`, rows: r.rows, errors: r.errors, peakGflops: r.peakGflops };
}

/** One peer in its own process (see peer.ts). */
function jsPeer(peer: Peer, threads: number): PeerResult {
  const file = join(benchDir, `${peer}-${threads}.json`);
  rmSync(file, { force: true });
  try {
    execFileSync(process.execPath, ['--import', 'tsx', join(root, 'scripts/bench/peer.ts'), peer, String(threads), benchDir, ...(quick ? ['--quick'] : [])], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  } catch (e) {
    if (!existsSync(file)) return { peer, version: '', rows: [], errors: [`its process failed: ${(e as Error).message.split('\n')[0]}`] };
  }
  return JSON.parse(readFileSync(file, 'utf8')) as PeerResult;
}

const PEER_RUNS: [Peer, number][] = [
  ['onnxruntime-node', 1], ['onnxruntime-node', 2], ['onnxruntime-web', 1], ['onnxruntime-web', 2], ['tfjs-cpu', 1], ['tfjs-wasm', 1], ['opgraph-wgsl', 1],
];

/** Measures everything and saves the report's data (out/bench/report.json). */
async function measureAll(): Promise<Report> {
  log(`bench${quick ? ' (--quick)' : ''}: building the cases and their interpreter references ...`);
  const cases = buildCases().filter((c) => !only || only.includes(c.id));
  if (cases.length === 0) throw new Error(`--cases=${only!.join(',')} names no case`);
  await writeCases(benchDir, cases);
  const rows: Row[] = [];
  for (const c of cases) {
    log(`opgraph: ${c.title}`);
    rows.push(...(await opgraphRows(c, budget)), ...(await referenceGemmRows(c, budget)));
  }
  log('PyTorch (and the ONNX export) ...');
  const torch = torchPeer();
  for (const c of cases) rows.push(...(await onnxImportRows(c, benchDir, budget)));
  const peers: PeerResult[] = [torch];
  const installError = installPeers();
  for (const [peer, threads] of PEER_RUNS) {
    if (installError && peer !== 'opgraph-wgsl') peers.push({ peer, version: '', rows: [], errors: [`could not load: ${installError}`] });
    else peers.push(jsPeer(peer, threads));
  }
  for (const p of peers) rows.push(...p.rows);
  const report: Report = {
    date: new Date().toISOString(),
    quick,
    partial: quick || only !== undefined,
    machine: machine(),
    scalarPeakGflops: scalarPeakGflops(),
    wasmPeaks: wasmPeaks(),
    nativeGemmGflops: torch.peakGflops,
    cases: cases.map(({ id, title, flops }) => ({ id, title, flops })),
    rows,
    peers,
  };
  writeFileSync(reportData, JSON.stringify(report));
  return report;
}

// --report-only rewrites the docs from the last run's data, measuring nothing.
const report = process.argv.includes('--report-only') ? (JSON.parse(readFileSync(reportData, 'utf8')) as Report) : await measureAll();
// Only a full run writes docs/: a partial one must never overwrite the committed numbers.
const partial = report.partial ?? report.quick;
process.stdout.write(writeReport(partial ? benchDir : join(root, 'docs'), report));
// The decoding bench (decode/run.ts) follows a full or --quick run, in its own process.
if (!only && !process.argv.includes('--report-only')) {
  execFileSync(process.execPath, ['--import', 'tsx', join(root, 'scripts/bench/decode/run.ts'), ...(quick ? ['--quick'] : [])], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
}
if (partial) log(`bench: a partial run (--quick or --cases): the report is ${join(benchDir, 'benchmarks.md')} (and .svg); docs/ is left as committed`);
