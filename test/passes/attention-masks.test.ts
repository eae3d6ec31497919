// Every attention-mask form a user writes (issue 19) compiles at -O2 into the fused attention op:
// the causal flag for a constant causal mask, a mask operand otherwise, and never a scores-sized
// intermediate; each form's -O2 graph matches its -O0 graph on the interpreter.
import { describe, expect, it } from 'vitest';
import { PIPELINES, runPipeline } from '../../passes/pipeline.ts';
import { F, type GraphBuilder, type Sym, graph, nn } from '../../src/api/index.ts';
import type { Graph } from '../../src/ir/graph.ts';
import { tensor } from '../../src/ir/tensor.ts';
import { numel } from '../../src/ir/types.ts';
import { Rng, randomInputs } from '../codegen/helpers.ts';
import { differ } from './harness.ts';
import { buildExample } from '../example-graphs.ts';

// batch 2, heads 2, 4 queries, 5 keys, head dim 3: the scores [2,2,4,5] (80 elements) are larger than q, k, v and out.
const [B, H, L, S, D] = [2, 2, 4, 5, 3];

type Body = (g: GraphBuilder, q: Sym, k: Sym, v: Sym) => Sym;
/** The layer forms read inputs of their own and leave q, k, v unread. */
const model = (body: Body): Graph =>
  graph('masked', (g) => body(g, g.input('q', [B, H, L, D]), g.input('k', [B, H, S, D]), g.input('v', [B, H, S, D])));
const scores = (q: Sym, k: Sym): Sym => q.matmul(k.transpose(-2, -1)).div(Math.sqrt(D));

/** Each form, and what the fused attention must look like: the causal flag, or a mask operand. */
const FORMS: readonly (readonly [string, 'causal' | 'mask', Body])[] = [
  ['SDPA isCausal', 'causal', (_g, q, k, v) => F.scaledDotProductAttention(q, k, v, { isCausal: true })],
  ['SDPA with the bool tril(ones) mask (true = may attend)', 'causal', (g, q, k, v) => F.scaledDotProductAttention(q, k, v, { attnMask: F.tril(F.ones(g, [L, S], 'bool')) })],
  ['scores + generateSquareSubsequentMask-style constant', 'causal', (g, q, k, v) => scores(q, k).add(F.causalMask(g, L, S)).softmax(-1).matmul(v)],
  ['tril(ones) == 0 then maskedFill(-inf)', 'causal', (g, q, k, v) => scores(q, k).maskedFill(F.tril(F.ones(g, [L, S])).eq(0), -Infinity).softmax(-1).matmul(v)],
  ['torch.where(tril, scores, -inf) without a scale', 'causal', (g, q, k, v) => F.where(F.tril(F.ones(g, [L, S])).gt(0), q.matmul(k.transpose(-2, -1)), -Infinity).softmax(-1).matmul(v)],
  ['arange(L)[:, None] >= arange(S)[None] as the mask', 'causal', (g, q, k, v) => F.scaledDotProductAttention(q, k, v, { attnMask: F.arange(g, L).unsqueeze(1).ge(F.arange(g, S).unsqueeze(0)) })],
  ['additive (1 - m) * -10000 from an f32 padding input', 'mask', (g, q, k, v) => {
    const m = g.input('m', [B, S]);
    return scores(q, k).add(F.onesLike(m).sub(m).mul(-10000).view(B, 1, 1, S)).softmax(-1).matmul(v);
  }],
  ['bool padding input through SDPA', 'mask', (g, q, k, v) => F.scaledDotProductAttention(q, k, v, { attnMask: g.input('pad', [B, S], 'bool').view(B, 1, 1, S) })],
  ['maskedFill(-inf) with a bool padding input', 'mask', (g, q, k, v) => scores(q, k).maskedFill(g.input('pad', [B, 1, 1, S], 'bool'), -Infinity).softmax(-1).matmul(v)],
  ['SDPA with an f32 [L, S] input mask', 'mask', (g, q, k, v) => F.scaledDotProductAttention(q, k, v, { attnMask: g.input('bias', [L, S]) })],
  ['a constant non-causal bool mask', 'mask', (g, q, k, v) => F.scaledDotProductAttention(q, k, v, { attnMask: g.constant(tensor('bool', [L, S], [1, 0, 1, 0, 1, 1, 1, 0, 0, 1, 0, 1, 1, 1, 1, 1, 0, 0, 0, 1])) })],
  ['nn.MultiheadAttention key padding + bool attn mask', 'mask', (g) => {
    const x = g.input('x', [B, L, 6]);
    const mha = new nn.MultiheadAttention(6, 2, { batchFirst: true });
    return mha.forward(x, x, x, { keyPaddingMask: g.input('pad', [B, L], 'bool'), attnMask: F.triu(F.ones(g, [L, L], 'bool'), 1), needWeights: false }).output;
  }],
  ['nn.MultiheadAttention with the subsequent mask is causal', 'causal', (g) => {
    const x = g.input('x', [L, B, 6]);
    return new nn.MultiheadAttention(6, 2).forward(x, x, x, { attnMask: nn.Transformer.generateSquareSubsequentMask(g, L), needWeights: false }).output;
  }],
];

describe.each(FORMS)('%s', (_name, want, body) => {
  const g = model(body);
  const o2 = runPipeline(g, PIPELINES[2], { verify: true }).graph;

  it(`is one fused attention with ${want === 'causal' ? 'the causal flag and no mask operand' : 'a mask operand'}, no softmax, no scores-sized value`, () => {
    const atts = o2.nodes.filter((n) => n.op === 'attention');
    expect(atts).toHaveLength(1);
    const att = atts[0]!;
    if (att.op !== 'attention') throw new Error('unreachable');
    expect(att.attrs.causal).toBe(want === 'causal');
    expect(att.inputs.length).toBe(want === 'causal' ? 3 : 4);
    expect(o2.nodes.filter((n) => n.op === 'softmax')).toEqual([]);
    const { batch, heads, seqQ, seqK } = att.attrs;
    const scoresSized = o2.nodes.filter((n) => n !== att && n.outputs.some((o) => o.type.shape.at(-1) === seqK && numel(o.type.shape) >= batch * heads * seqQ * seqK));
    expect(scoresSized.map((n) => n.op)).toEqual([]);
  });

  it('matches -O0 on the interpreter', () => {
    const o0 = runPipeline(g, PIPELINES[0], { verify: true }).graph;
    expect(differ(o0, o2, randomInputs(g, new Rng(19)))).toBeUndefined();
  });
});

describe('the decoder examples at -O2', () => {
  // [example, attention ops, of which causal]: the self-attention of a decoder without target padding is causal.
  const CASES = [
    ['sdpa-masks', 6, 2],
    ['torch-mha-masked', 2, 0],
    ['torch-decoder-layer', 2, 1],
    ['torch-decoder', 4, 0],
    ['torch-transformer', 6, 2],
  ] as const;
  it.each(CASES)('%s: %d fused attentions, %d with the causal flag, no softmax, no scores-sized value', async (name, count, causal) => {
    const g = await buildExample(name);
    const o2 = runPipeline(g, PIPELINES[2], { verify: true }).graph;
    const atts = o2.nodes.filter((n) => n.op === 'attention');
    expect(atts).toHaveLength(count);
    expect(atts.filter((n) => n.op === 'attention' && n.attrs.causal)).toHaveLength(causal);
    expect(o2.nodes.filter((n) => n.op === 'softmax')).toEqual([]);
    for (const att of atts) {
      if (att.op !== 'attention') continue;
      const { batch, heads, seqQ, seqK, weights } = att.attrs;
      const big = o2.nodes.filter((n) => n.op !== 'attention' && !(weights && n.inputs.includes(att.outputs[1]!.id)) && n.outputs.some((o) => o.type.shape.at(-1) === seqK && numel(o.type.shape) >= batch * heads * seqQ * seqK));
      expect(big.map((n) => `${n.op} ${n.outputs[0]!.type.shape}`)).toEqual([]);
    }
  });
});
