// The KV cache as model state: at -O2 the GPT example's decoding graphs attend through the fused
// kernel (causal flag in the prefill, a [tokens, context] mask operand in a step; no scores-sized
// value), the memory plan writes each cache in place into its weight buffer, a compiled step
// leaves its new row in the runtime's memory between runs, and bad positions, overlong prompts
// and reused cache names are clear errors.
import { describe, expect, it } from 'vitest';
import { PIPELINES, runPipeline } from '../../passes/pipeline.ts';
import { decoderGraph } from '../../src/api/decoding.ts';
import { F, graph } from '../../src/api/index.ts';
import { planMemory } from '../../src/codegen/plan.ts';
import { compile } from '../../src/compile.ts';
import { cacheWeights, compileDecoder, sampleTopK, sampler } from '../../src/decode/index.ts';
import { IndexError } from '../../src/errors.ts';
import { valueTypes } from '../../src/ir/graph.ts';
import { f32, tensor } from '../../src/ir/tensor.ts';
import { numel } from '../../src/ir/types.ts';
import buildFull, { TINY, decoder, gptDecoder } from '../../examples/gpt2.ts';

const O2 = (g: ReturnType<typeof buildFull>) => runPipeline(g, PIPELINES[2], { verify: true }).graph;
const { heads, layers, context: S } = TINY;

describe('decoding graphs at -O2', () => {
  it.each([
    ['the uncached sequence (GPT-2 tril + maskedFill)', buildFull(), 37, 37, 'causal'],
    ['a prefill of 5 tokens', decoderGraph(decoder, { tokens: 5, prefill: true }), 5, S, 'causal'],
    ['a step', decoderGraph(decoder, { tokens: 1, prefill: false }), 1, S, 'mask'],
  ] as const)('%s: one fused attention per layer, no scores-sized value', (_name, g, T, keys, form) => {
    const opt = O2(g);
    const attn = opt.nodes.filter((n) => n.op === 'attention');
    expect(attn).toHaveLength(layers);
    expect(opt.nodes.some((n) => n.op === 'softmax')).toBe(false);
    for (const n of attn) {
      if (n.op !== 'attention') continue;
      expect(n.attrs.causal).toBe(form === 'causal');
      expect(n.inputs.length).toBe(form === 'causal' ? 3 : 4);
      expect(n.attrs.seqK).toBe(keys);
    }
    const scoresSize = heads * T * keys;
    const big = [...valueTypes(opt).values()].filter((t) => numel(t.shape) >= scoresSize && t.shape.at(-1) === keys && t.shape.at(-2) === T);
    expect(big.map((t) => t.shape)).toEqual([]);
  });

  it('the plan writes every cache in place into its weight buffer', () => {
    const opt = O2(decoderGraph(decoder, { tokens: 1, prefill: false }));
    const plan = planMemory(opt);
    const writes = opt.nodes.filter((n) => n.op === 'cacheWrite');
    expect(writes).toHaveLength(2 * layers);
    for (const n of writes) {
      const s = plan.storages[plan.storageOf.get(n.outputs[0]!.id)!]!;
      expect(s.kind).toBe('weight');
      expect(plan.storageOf.get(n.outputs[0]!.id)).toBe(plan.storageOf.get(n.inputs[0]!));
    }
  });
});

describe.each(['ts', 'wasm'] as const)('a compiled step on %s', (target) => {
  it('leaves its new key row in the module\'s memory, and only that row', async () => {
    const m = await compile(decoderGraph(decoder, { tokens: 1, prefill: false }), { target });
    try {
      m.run({ tokens: tensor('i32', [1, 1], [7]), pos: tensor('i32', [], [3]) });
      const cache = m.module.weight('cache.h.0.key') as Float32Array;
      const hd = TINY.dModel / heads;
      const rowsWritten = new Set<number>();
      cache.forEach((v, i) => v !== 0 && rowsWritten.add(Math.floor(i / hd) % S));
      expect([...rowsWritten]).toEqual([3]);
      expect(() => m.run({ tokens: tensor('i32', [1, 1], [7]), pos: tensor('i32', [], [S]) })).toThrow(IndexError);
    } finally {
      m.dispose();
    }
  });
});

describe('decoder errors', () => {
  it('a prompt and steps beyond the context', async () => {
    const dec = await compileDecoder(gptDecoder({ ...TINY, context: 8 }), { target: 'ts' });
    await expect(dec.generate([1, 2, 3, 4, 5], { steps: 5 })).rejects.toThrow(/9 positions do not fit its context of 8/);
    await expect(dec.prefill([])).rejects.toThrow(/at least one prompt token/);
    dec.destroy();
  });
  it('a cache name used twice in one graph', () => {
    const model = { ...decoder, forward: (_g: never, tokens: never, ctx: Parameters<typeof decoder.forward>[2]) => {
      const q = F.zeros(ctx.builder, [1, 1, 1, 4]);
      ctx.attend('same', q, q, q);
      return ctx.attend('same', q, q, q);
    } };
    expect(() => decoderGraph(model as never, { tokens: 1, prefill: false })).toThrow(/cache "same" is used twice/);
  });
  it('a cache weight read outside its cacheWrite', () => {
    const g = graph('peek', (b) => {
      const c = b.param('cache.x.key', { dtype: 'f32', shape: [1, 1, 4, 2] }, (sh) => f32(sh, new Float32Array(8)));
      const w = b.op('cacheWrite', { axis: 2 }, [c, b.input('k', [1, 1, 1, 2]), b.input('pos', [], 'i32')])[0]!;
      return { logits: w.add(c) };
    });
    expect(() => cacheWeights(g)).toThrow(/cache weight "cache.x.key" must be read by exactly one cacheWrite \(it has 2 readers, 1 cache writes/);
    const plan = planMemory(g);
    const write = g.nodes.find((n) => n.op === 'cacheWrite')!;
    expect(plan.storages[plan.storageOf.get(write.outputs[0]!.id)!]!.kind).toBe('arena');
  });
});

describe('sampling', () => {
  it('top-k 1 is greedy; the seed decides the samples', () => {
    const logits = [0.1, 2, 1.9, -1];
    expect(sampler({ temperature: 1, topK: 1, seed: 3 })(logits)).toBe(1);
    const a = sampler({ temperature: 1.5, seed: 9 });
    const b = sampler({ temperature: 1.5, seed: 9 });
    const draws = Array.from({ length: 20 }, () => a(logits));
    expect(Array.from({ length: 20 }, () => b(logits))).toEqual(draws);
    expect(new Set(draws).size).toBeGreaterThan(1);
  });
  it('sampleTopK inverts the top-k softmax CDF', () => {
    const logits = [0, Math.log(3), -5];
    // top-2 probabilities: 3/4 for token 1, 1/4 for token 0 (token 2 is outside the top 2).
    expect(sampleTopK(logits, 1, 2, 0.74)).toBe(1);
    expect(sampleTopK(logits, 1, 2, 0.76)).toBe(0);
    expect(sampleTopK(logits, 1, 2, 0.999)).toBe(0);
  });
  it('refuses a negative temperature and a zero top-k', () => {
    expect(() => sampler({ temperature: -1 })).toThrow(/temperature/);
    expect(() => sampler({ temperature: 1, topK: 0 })).toThrow(/top-k/);
  });
});
