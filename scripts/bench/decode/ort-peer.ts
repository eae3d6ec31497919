// onnxruntime decoding one sequence over the past/present export, in its own process:
// `tsx scripts/bench/decode/ort-peer.ts onnxruntime-web|onnxruntime-node THREADS DIR [--quick]`.
// Each step feeds the previous step's presents back as its pasts (as onnxruntime users decode
// Hugging Face and PyTorch exports). Writes DIR/PEER-THREADS.json: rows and errors.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPeer, peerVersion } from '../peer-modules.ts';
import { DECODE_CASES, type DecodeRow, REPEATS, STEPS, promptOf, readReference, timeDecoding } from './configs.ts';

interface OrtTensor {
  readonly data: unknown;
  readonly dims: readonly number[];
}
interface OrtSession {
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}
interface Ort {
  Tensor: new (type: 'float32' | 'int64', data: Float32Array | BigInt64Array, dims: readonly number[]) => OrtTensor;
  InferenceSession: { create(model: Uint8Array, options: Record<string, unknown>): Promise<OrtSession> };
  env: { wasm: { numThreads: number } };
}

const [pkg, threadsArg, dir] = process.argv.slice(2) as ['onnxruntime-web' | 'onnxruntime-node', string, string];
const threads = Number(threadsArg);
const quick = process.argv.includes('--quick');
const web = pkg === 'onnxruntime-web';
const runner = `${web ? 'onnxruntime-web wasm' : 'onnxruntime-node CPU'}, ${threads} thread${threads > 1 ? 's' : ''}`;
const rows: DecodeRow[] = [];
const errors: string[] = [];
const file = join(dir, `${pkg}-${threads}.json`);
const save = (): void => writeFileSync(file, JSON.stringify({ runner, version: `${pkg} ${peerVersion(pkg)}`, rows, errors }));

const ort = loadPeer<Ort>(pkg);
if (web) ort.env.wasm.numThreads = threads;
const options = web
  ? { executionProviders: ['wasm'], graphOptimizationLevel: 'all' }
  : { executionProviders: ['cpu'], intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' };

for (const c of DECODE_CASES) {
  process.stderr.write(`  ${runner}: ${c.title}\n`);
  errors.push(`${c.id}: the process died running it`);
  save();
  errors.pop();
  try {
    const { layers, heads, dModel, vocab } = c.config;
    const t0 = performance.now();
    const session = await ort.InferenceSession.create(readFileSync(join(dir, c.id, `${c.stem}.past.onnx`)), options);
    const loadMs = performance.now() - t0;
    const kvNames = Array.from({ length: layers }, (_, i) => [`${i}.key`, `${i}.value`]).flat();
    let past: Record<string, OrtTensor> = {};
    const run = async (tokens: readonly number[]): Promise<Float32Array> => {
      const ids = new ort.Tensor('int64', BigInt64Array.from(tokens, BigInt), [1, tokens.length]);
      const out = await session.run({ input_ids: ids, ...past });
      past = Object.fromEntries(kvNames.map((n) => [`past.${n}`, out[`present.${n}`]!]));
      return (out.logits!.data as Float32Array).subarray((tokens.length - 1) * vocab);
    };
    const empty = (): Record<string, OrtTensor> => Object.fromEntries(kvNames.map((n) => [`past.${n}`, new ort.Tensor('float32', new Float32Array(0), [1, heads, 0, dModel / heads])]));
    const timed = await timeDecoding(
      promptOf(vocab),
      quick ? STEPS.quick : STEPS.full,
      quick ? REPEATS.quick : REPEATS.full,
      (prompt) => ((past = empty()), run(prompt)),
      (token) => run([token]),
      readReference(join(dir, c.id)),
    );
    rows.push({ case: c.id, runner, loadMs, ...timed });
    await session.release();
  } catch (e) {
    errors.push(`${c.id}: ${(e as Error).message.split('\n')[0]}`);
  }
  save();
}
process.exit(0);
