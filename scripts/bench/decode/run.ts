// `npm run bench:decode [-- --quick]` (and the end of `npm run bench`): incremental decoding of
// GPT-2-architecture models (configs.ts), opgraph's compileDecoder (KV cache in the backend's
// memory) beside onnxruntime-web and onnxruntime-node running the same weights' ONNX export with
// past/present keys and values, in one run: prefill latency of a 16-token prompt and tokens per
// second of greedy decoding. PyTorch decodes the same weights greedily in float64 first
// (reference.py); every runner is fed its tokens, and each step's logits must be float64's within
// LOGIT_TOLERANCE (and pick float64's token where that choice is clear), or the row becomes an error. A full run writes docs/benchmarks-decode.md; --quick
// writes out/bench/decode/benchmarks-decode.md.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gptDecoder } from '../../../examples/gpt2.ts';
import { compileDecoder, type DecodeTarget } from '../../../src/decode/index.ts';
import { readSafetensors } from '../../../src/io/safetensors-file.ts';
import { machine } from '../machine.ts';
import { installPeers } from '../peer-modules.ts';
import { DECODE_CASES, type DecodeCase, type DecodeRow, LOGIT_TOLERANCE, PROMPT, REPEATS, STEPS, promptOf, readReference, timeDecoding } from './configs.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const dir = join(root, 'out', 'bench', 'decode');
const quick = process.argv.includes('--quick');
const startLoad = loadavg()[0]!;
const log = (s: string): void => void process.stderr.write(`${s}\n`);

/** PyTorch's seeded model: its state_dict and ONNX export (once; out/ is git-ignored). */
function exportCase(c: DecodeCase): void {
  const out = join(dir, c.id);
  if (existsSync(join(out, `${c.stem}.past.onnx`)) && existsSync(join(out, `${c.stem}.past-weights.safetensors`))) return;
  log(`  PyTorch: exporting ${c.title}`);
  execFileSync('/usr/bin/python3', [join(root, 'scripts/fixtures/gpt2_past_onnx.py'), '--config', c.id, '--out', out], { stdio: ['ignore', 'ignore', 'inherit'] });
}

/** PyTorch's float64 greedy decoding of the case (reference.py), which every runner is fed and judged by. */
function referenceCase(c: DecodeCase): void {
  const out = join(dir, c.id);
  // Written once per prompt and length (out/ is git-ignored); the export it reads is fixed by its seed.
  const known = join(out, 'reference.json');
  if (existsSync(known) && existsSync(join(out, 'reference-logits.f32'))) {
    const r = JSON.parse(readFileSync(known, 'utf8')) as { prompt?: number[]; tokens: number[] };
    if (r.tokens.length === STEPS.full && r.prompt?.join(',') === promptOf(c.config.vocab).join(',')) return;
  }
  log(`  PyTorch float64: decoding ${c.title}`);
  const args = [join(out, `${c.stem}.past-weights.safetensors`), JSON.stringify(c.config), promptOf(c.config.vocab).join(','), String(STEPS.full), out];
  execFileSync('/usr/bin/python3', [join(root, 'scripts/bench/decode/reference.py'), ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
}

const OPGRAPH: { target: DecodeTarget; threads: number; label: string; cases?: readonly string[] }[] = [
  { target: 'wasm', threads: 1, label: 'opgraph wasm -O2 (relaxed SIMD, 1 thread)' },
  { target: 'wasm', threads: 2, label: 'opgraph wasm -O2 (relaxed SIMD, 2 threads)' },
  { target: 'ts', threads: 1, label: 'opgraph TS -O2', cases: ['d256'] },
];

async function opgraphRows(c: DecodeCase): Promise<DecodeRow[]> {
  const weights = await readSafetensors(join(dir, c.id, `${c.stem}.past-weights.safetensors`));
  const rows: DecodeRow[] = [];
  const reference = readReference(join(dir, c.id));
  for (const r of OPGRAPH.filter((o) => !o.cases || o.cases.includes(c.id))) {
    log(`  ${r.label}: ${c.title}`);
    const t0 = performance.now();
    const dec = await compileDecoder(gptDecoder(c.config, c.stem), { target: r.target, threads: r.threads, weights });
    const loadMs = performance.now() - t0;
    const vocab = c.config.vocab;
    const timed = await timeDecoding(
      promptOf(vocab),
      quick ? STEPS.quick : STEPS.full,
      quick ? REPEATS.quick : REPEATS.full,
      async (prompt) => (await dec.prefill(prompt)).data.subarray((prompt.length - 1) * vocab) as Float32Array,
      async (token) => (await dec.step(token)).data as Float32Array,
      reference,
    );
    dec.destroy();
    rows.push({ case: c.id, runner: r.label, loadMs, ...timed });
  }
  return rows;
}

function ortRows(pkg: 'onnxruntime-web' | 'onnxruntime-node', threads: number): { rows: DecodeRow[]; errors: string[]; version?: string } {
  const file = join(dir, `${pkg}-${threads}.json`);
  rmSync(file, { force: true });
  try {
    execFileSync(process.execPath, ['--import', 'tsx', join(root, 'scripts/bench/decode/ort-peer.ts'), pkg, String(threads), dir, ...(quick ? ['--quick'] : [])], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  } catch (e) {
    if (!existsSync(file)) return { rows: [], errors: [`${pkg}, ${threads} thread(s): its process failed: ${(e as Error).message.split('\n')[0]}`] };
  }
  return JSON.parse(readFileSync(file, 'utf8')) as { rows: DecodeRow[]; errors: string[]; version: string };
}

/** "2.1x faster" when opgraph's rate is the higher, else "1.3x slower". */
const ratio = (x: number): string => (x >= 1 ? `${fmt(x)}x faster` : `${fmt(1 / x)}x slower`);
const fmt = (x: number): string => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));

function report(rows: DecodeRow[], errors: string[], versions: string[]): string {
  const lines = [
    '# Decoding benchmark',
    '',
    `Written by \`npm run bench:decode\` (also run at the end of \`npm run bench\`) on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC: ${machine()}, load average ${startLoad.toFixed(1)} at the start. ` +
      `Peers: ${versions.join(', ')}. One sequence (batch 1); a ${PROMPT}-token seeded prompt prefilled in one call, then ${quick ? STEPS.quick : STEPS.full} tokens ` +
      'generated greedily, each step one call. opgraph runs `compileDecoder` over examples/gpt2.ts (the KV cache stays in the backend\'s memory); ' +
      'onnxruntime runs the same weights\' ONNX export with past/present keys and values (scripts/fixtures/gpt2_past_onnx.py), feeding each step\'s presents back. ' +
      `Medians of ${quick ? REPEATS.quick : REPEATS.full} timed repetitions after an untimed one. PyTorch decodes the same weights greedily in float64 first (scripts/bench/decode/reference.py); every runner is fed its tokens, and each step's logits must be float64's within ${LOGIT_TOLERANCE} of the row's largest |logit| and pick float64's token wherever float64's top two logits are further apart than the runner's error. "logit error" is the largest such error over the steps.`,
    '',
  ];
  for (const c of DECODE_CASES) {
    const mine = rows.filter((r) => r.case === c.id);
    if (mine.length === 0) continue;
    const base = mine.find((r) => r.runner === OPGRAPH[0]!.label);
    lines.push(`## ${c.title}`, '', `| runner | prefill (${PROMPT} tokens) | tokens/s | load / compile ms | first prefill ms | logit error | opgraph wasm (1 thread) is |`, '|---|---|---|---|---|---|---|');
    for (const r of mine) lines.push(`| ${r.runner} | ${fmt(r.prefillMs)} ms | ${fmt(r.tokensPerSec)} | ${fmt(r.loadMs)} | ${fmt(r.coldPrefillMs)} | ${r.maxError.toExponential(1)} | ${!base || base === r ? '-' : ratio(base.tokensPerSec / r.tokensPerSec)} |`);
    lines.push('');
  }
  if (errors.length) lines.push('## Errors', '', ...errors.map((e) => `- ${e}`), '');
  return lines.join('\n');
}

async function main(): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const rows: DecodeRow[] = [];
  const errors: string[] = [];
  for (const c of DECODE_CASES) {
    try {
      exportCase(c);
      referenceCase(c);
      rows.push(...(await opgraphRows(c)));
    } catch (e) {
      errors.push(`${c.id}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  const versions: string[] = [];
  const installError = installPeers();
  if (installError) errors.push(installError);
  else
    for (const [pkg, threads] of [['onnxruntime-web', 1], ['onnxruntime-web', 2], ['onnxruntime-node', 1]] as const) {
      const r = ortRows(pkg, threads);
      rows.push(...r.rows);
      errors.push(...r.errors);
      if (r.version && !versions.includes(r.version)) versions.push(r.version);
    }
  // Every runner was fed float64's tokens; a runner whose logits are not float64's measured something else.
  const checked = rows.filter((r) => {
    if (r.mismatches === 0) return true;
    errors.push(`${r.case}, ${r.runner}: at ${r.mismatches} of the steps its logits are not PyTorch float64's within ${LOGIT_TOLERANCE} (largest error ${r.maxError.toExponential(1)}), or pick another token where float64's choice is clear`);
    return false;
  });
  const md = report(checked, errors, versions);
  const target = quick ? join(dir, 'benchmarks-decode.md') : join(root, 'docs', 'benchmarks-decode.md');
  writeFileSync(target, md);
  writeFileSync(join(dir, 'decode.json'), JSON.stringify({ rows, errors }));
  process.stdout.write(md);
  log(`bench:decode: wrote ${target}`);
}

await main();
process.exit(0);
