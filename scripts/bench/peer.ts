// One peer runtime in its own process (so a runtime's global settings, thread pools and failures
// stay its own): `tsx scripts/bench/peer.ts PEER THREADS BENCH_DIR [--quick]` loads every case,
// checks its output against the interpreter's, times it, and writes BENCH_DIR/PEER-THREADS.json.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FULL, QUICK, measure, timeOnce } from './measure.ts';
import { ortRuntime } from './ort.ts';
import { readPeerCases } from './peer-io.ts';
import { type PeerResult, type Row, closeEnough, maxAbsError } from './result.ts';
import type { Peer, Runtime } from './runtime.ts';
import { tfjsRuntime } from './tfjs.ts';
import { wgslRuntime } from './wgsl.ts';

const KNOWN: readonly Peer[] = ['onnxruntime-node', 'onnxruntime-web', 'tfjs-cpu', 'tfjs-wasm', 'opgraph-wgsl'];

async function runtimeOf(peer: Peer, threads: number): Promise<Runtime> {
  switch (peer) {
    case 'onnxruntime-node':
    case 'onnxruntime-web': return ortRuntime(peer, threads);
    case 'tfjs-cpu': return tfjsRuntime('cpu');
    case 'tfjs-wasm': return tfjsRuntime('wasm');
    case 'opgraph-wgsl': return wgslRuntime();
  }
}

async function main(): Promise<void> {
  const [peer, threadsArg, benchDir] = process.argv.slice(2) as [Peer, string, string];
  if (!KNOWN.includes(peer) || !(Number(threadsArg) >= 1) || !benchDir) {
    process.stderr.write(`usage: peer.ts ${KNOWN.join('|')} THREADS BENCH_DIR [--quick]\n`);
    process.exit(2);
  }
  const budget = process.argv.includes('--quick') ? QUICK : FULL;
  const result: PeerResult = { peer, version: '', rows: [], errors: [] };
  const file = join(benchDir, `${peer}-${threadsArg}.json`);
  let runtime: Runtime;
  try {
    runtime = await runtimeOf(peer, Number(threadsArg));
  } catch (e) {
    writeFileSync(file, JSON.stringify({ ...result, errors: [`could not load: ${(e as Error).message.split('\n')[0]}`] }));
    return;
  }
  const rows: Row[] = [];
  const errors: string[] = [];
  // Written before and after every case: a runtime that crashes its process (Dawn can) keeps what
  // it measured, and the case it died on is named.
  const save = (...pending: string[]): void => writeFileSync(file, JSON.stringify({ ...result, version: runtime.version, rows, errors: [...errors, ...pending] }));
  for (const c of await readPeerCases(benchDir)) {
    process.stderr.write(`  ${runtime.label}: ${c.info.title}\n`);
    save(`${c.info.id}: the process died running it`);
    try {
      const load = await timeOnce(() => runtime.load(c));
      const model = load.value;
      const cold = await timeOnce(() => model.output());
      const maxErr = maxAbsError(cold.value, c.reference);
      if (!closeEnough(maxErr, c.reference)) throw new Error(`output differs from the interpreter's by up to ${maxErr}`);
      const lat = await measure(() => model.call(), budget);
      rows.push({ case: c.info.id, runner: runtime.label, ...lat, loadMs: load.ms, coldMs: cold.ms, peakBytes: await model.peakBytes(), maxErr });
      await model.dispose();
    } catch (e) {
      errors.push(`${c.info.id}: ${(e as Error).message.split('\n')[0]}`);
    }
    save();
  }
}

await main();
// Dawn (the WGSL runner's WebGPU) can crash while tearing down; the results are written by now.
process.exit(0);
