// Decoders imported from ONNX exports with past/present keys and values. The GPT-2 example's
// torch.onnx.export (scripts/fixtures/gpt2_past_onnx.py, the weights of gpt2_tiny) decodes as
// PyTorch does on the interpreter, TS, wasm and WGSL: prefill logits, 32 greedy steps' logits
// within 1e-4 and the tokens exactly, its KV cache written in place. Hand-built exports check
// the accepted forms (position_ids and attention_mask inputs) against the export run uncached,
// and that every structure the decoder does not understand is refused, naming what.
import { describe, expect, it } from 'vitest';
import { PIPELINES, runPipeline } from '../../passes/pipeline.ts';
import { decoderGraph } from '../../src/api/decoding.ts';
import { compileDecoder, type DecodeTarget, loadOnnxDecoder, onnxDecoder } from '../../src/decode/index.ts';
import { OnnxDecoderError } from '../../src/errors.ts';
import { f32, tensor } from '../../src/ir/tensor.ts';
import { importOnnx } from '../../src/io/onnx/import.ts';
import { readSafetensors } from '../../src/io/safetensors-file.ts';
import { compareTensors } from '../../src/runtime/compare.ts';
import { interpret } from '../../src/runtime/interpreter.ts';
import { adapterOrReason, skipNote } from '../wgsl/adapter.ts';
import { cli } from '../cli/run-cli.ts';
import { SIZES, type Variant, decoderExport } from './onnx-decoder-model.ts';
import { pastLengths } from '../../src/decode/onnx/model.ts';
import { INT64, graph, model as onnxModel, node, value } from '../io/onnx/model-builder.ts';

const DIR = new URL('../fixtures/gpt2/', import.meta.url).pathname;
const ONNX = `${DIR}gpt2_tiny.past.onnx`;
const io = await readSafetensors(`${DIR}gpt2_tiny.generate.safetensors`);
const prompt = Array.from(io.get('prompt')!.data as Int32Array);
const greedy = Array.from(io.get('tokens')!.data as Int32Array);
const rows = io.get('logits')!;
const vocab = rows.shape[1]!;
const model = await loadOnnxDecoder(ONNX, { maxContext: 48 });
const { gpu, reason } = await adapterOrReason();

function expectClose(got: Float32Array, want: Float32Array, what: string): void {
  const c = compareTensors(f32([got.length], got), f32([want.length], want), 1e-4, 1e-4);
  expect(c.ok, `${what}: max |diff| ${c.maxAbs} at ${c.worst}${c.reason ? ` (${c.reason})` : ''}`).toBe(true);
}

const targets: DecodeTarget[] = ['interp', 'ts', 'wasm'];
describe.each(targets)('the GPT-2 ONNX export decoding on %s', (target) => suite(target));
describe.skipIf(!gpu)(`the GPT-2 ONNX export decoding on wgsl${skipNote(reason)}`, () => {
  if (gpu) suite('wgsl');
  else it('matches PyTorch', () => {});
});

function suite(target: DecodeTarget): void {
  it('prefill logits, 32 steps of logits and the greedy tokens match PyTorch', { timeout: 120_000 }, async () => {
    const dec = await compileDecoder(model, { target });
    try {
      const pre = await dec.prefill(prompt);
      expectClose(pre.data as Float32Array, io.get('prefill')!.data as Float32Array, 'prefill logits');
      const seen: Float32Array[] = [];
      const gen = await dec.generate(prompt, { steps: 32, onLogits: (row) => seen.push(row.slice()) });
      expect(gen.tokens).toEqual(greedy);
      expect(seen).toHaveLength(32);
      seen.forEach((row, i) => expectClose(row, (rows.data as Float32Array).subarray(i * vocab, (i + 1) * vocab), `step ${i} logits`));
    } finally {
      dec.destroy();
    }
  });
}

describe('the GPT-2 export as decoding graphs', () => {
  it('a step at -O2: each layer one fused attention over its cache (mask operand, no Concat), the caches written in place', () => {
    const g = runPipeline(decoderGraph(model, { tokens: 1, prefill: false }), PIPELINES[2], { verify: true }).graph;
    expect(g.inputs.map((i) => i.name)).toEqual(['tokens', 'pos']);
    expect(g.weights.filter((w) => w.name.startsWith('cache.')).map((w) => w.name)).toEqual(['cache.past.0.key', 'cache.past.0.value', 'cache.past.1.key', 'cache.past.1.value']);
    expect(g.nodes.filter((n) => n.op === 'cacheWrite')).toHaveLength(4);
    const attn = g.nodes.filter((n) => n.op === 'attention');
    expect(attn.map((n) => n.op === 'attention' && [n.attrs.seqQ, n.attrs.seqK, n.attrs.causal, n.inputs.length])).toEqual([[1, 48, false, 4], [1, 48, false, 4]]);
    expect(g.nodes.some((n) => n.op === 'concat' || n.op === 'softmax')).toBe(false);
    expect(g.outputs.map((o) => o.name)).toEqual(['logits']);
  });
  it('a prefill at -O2 attends with the causal flag', () => {
    const g = runPipeline(decoderGraph(model, { tokens: 5, prefill: true }), PIPELINES[2]).graph;
    const attn = g.nodes.filter((n) => n.op === 'attention');
    expect(attn.map((n) => n.op === 'attention' && [n.attrs.seqQ, n.attrs.causal, n.inputs.length])).toEqual([[5, true, 3], [5, true, 3]]);
  });
  it('opgraph generate MODEL.onnx prints PyTorch\'s greedy tokens', { timeout: 60_000 }, async () => {
    const r = await cli(['generate', ONNX, '--prompt', prompt.join(','), '--steps', '32']);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe(greedy.join(','));
    expect(r.code).toBe(0);
  });
});

/** The export run uncached over `seq` (past 0): logits [seq.length, vocab]. */
function uncached(bytes: Uint8Array, seq: readonly number[], v: Variant): Float32Array {
  const n = seq.length;
  const empty = f32([1, SIZES.heads, 0, SIZES.headDim], new Float32Array(0));
  const feeds = { input_ids: tensor('i64', [1, n], seq), 'past.0.key': empty, 'past.0.value': empty, ...(v.positions === 'input' ? { position_ids: tensor('i64', [1, n], seq.map((_, i) => i)) } : {}), ...(v.attentionMask ? { attention_mask: tensor('i64', [1, n], seq.map(() => 1)) } : {}) };
  const g = importOnnx(bytes, { shapes: Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, t.shape])) });
  return interpret(g, feeds).logits!.data as Float32Array;
}

const SEQ = [3, 9, 1, 14, 7, 2, 11, 5, 8, 13, 6];
const V = SIZES.vocab;

describe('hand-built exports', () => {
  it.each<[string, Variant]>([
    ['positions from Shape(past) -> Range', {}],
    ['a position_ids input', { positions: 'input' }],
    ['an attention_mask input (pinned to ones)', { attentionMask: true }],
  ])('%s: prefill and every step match the export run uncached', async (_name, v) => {
    const bytes = decoderExport(v);
    const want = uncached(bytes, SEQ, v);
    const dec = await compileDecoder(onnxDecoder(bytes, { maxContext: 16 }), { target: 'interp' });
    const pre = await dec.prefill(SEQ.slice(0, 4));
    expectClose(pre.data as Float32Array, want.subarray(0, 4 * V), 'prefill');
    for (let p = 4; p < SEQ.length; p++) expectClose((await dec.step(SEQ[p]!)).data as Float32Array, want.subarray(p * V, (p + 1) * V), `step at ${p}`);
  });

  const refused = async (v: Variant, message: RegExp, tokens = 1): Promise<void> => {
    const run = async () => {
      const dec = await compileDecoder(onnxDecoder(decoderExport(v), { maxContext: 16, name: 'toy.onnx' }), { target: 'interp' });
      await dec.prefill(SEQ.slice(0, tokens));
    };
    await expect(run()).rejects.toThrow(OnnxDecoderError);
    await expect(run()).rejects.toThrow(message);
  };

  it('a bidirectional export (no mask): its steps are causal, its prefill of 3 is refused', async () => {
    await expect(compileDecoder(onnxDecoder(decoderExport({ mask: 'none' }), { maxContext: 16 }), { target: 'interp' })).resolves.toBeDefined();
    await refused({ mask: 'none' }, /toy\.onnx: node %\d+ attention .*: its mask is not causal at past \d+: query 0 \(position \d+\) may attend key \d+/, 3);
  });
  it('a causal mask aligned top-left (Trilu diagonal 0) is not causal after a past', () => refused({ mask: 'topLeft' }, /its mask is not causal at past \d+: query 0 \(position \d+\) may not attend key 1/));
  it('a mask filled with a finite value does not fuse: the Concat is read by a matmul', () => refused({ mask: 'finite' }, /the keys or values of past "past\.0\.(key|value)" are read by node %\d+ (matmul|transpose) .*not by a fused attention/));
  it('a mask computed at run time (from the token ids)', () => refused({ mask: 'runtime' }, /its mask is computed at run time/));
  it('a past read other than by its Concat', () => refused({ hostile: 'pastElsewhere' }, /past input "past\.0\.key" is read by node %\d+ reduceSum "psum", node %\d+ concat "present\.0\.key"; a decoder's past is read only by Concat/));
  it('a graph depending on the key length beyond the positions', () => refused({ hostile: 'keyLength' }, /depends on the past's length other than through the positions .*imported after 3 and after 7 cached tokens, it differs at node %\d+ constant "logits": .*f32\[\]\(0\.4000000059604645\).* vs .*f32\[\]\(0\.800000011920929\)/));
  it('positions right only from past 5 on (max(past_len, 5)): the check at past 3 sees it', () => refused({ positions: 'floored' }, /imported after 3 and after 7 cached tokens, it differs at node %\d+ constant "pe": %\d+: i64\[1\] = constant \{value: i64\[1\]\(5\)\}/));
  it('a present that is not the Concat (a sliding window)', () => refused({ hostile: 'sliding' }, /output "present\.0\.key" is not Concat\(past, new, axis 2\) of a past input/));
  it('an input that is none of the roles', () => refused({ hostile: 'extraInput' }, /graph input "token_type_ids" \(i64 \[batch,seq\]\) is not the token ids, position_ids, attention_mask, or a past key or value/));
  it('a past of fixed length', () => refused({ hostile: 'fixedPast' }, /graph input "past\.0\.key": its past length \(axis 2\) is fixed at 5/));
  it('the past lengths checked: 3, half and all of the room a call has', () => {
    expect(pastLengths(16, 1)).toEqual([3, 7, 15]);
    expect(pastLengths(48, 5)).toEqual([3, 21, 43]);
    expect(pastLengths(6, 2)).toEqual([2, 4]);
    expect(pastLengths(5, 4)).toEqual([1]);
  });
  it('a context too short to check two past lengths, and a model without pasts', async () => {
    expect(() => onnxDecoder(decoderExport(), { maxContext: 2 })).toThrow(/maxContext must be an integer >= 3, got 2/);
    const dec = await compileDecoder(onnxDecoder(decoderExport(), { maxContext: 5 }), { target: 'interp' });
    await expect(dec.prefill([1, 2, 3, 4])).rejects.toThrow(/a call of 4 token\(s\) needs maxContext >= 6 \(it is 5\)/);
    const noPast = onnxModel(graph([node('Gather', ['w', 'input_ids'], ['logits'])], [value('input_ids', ['batch', 'seq'], INT64)], [value('logits', ['batch', 'seq', 2])], [{ name: 'w', dims: [4, 2], dataType: 1, floatData: [1, 2, 3, 4, 5, 6, 7, 8] }]));
    expect(() => onnxDecoder(noPast, { maxContext: 8, name: 'plain.onnx' })).toThrow(/plain\.onnx: no past key or value inputs: the export has no KV cache/);
  });
});
