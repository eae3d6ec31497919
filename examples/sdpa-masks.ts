// F.scaledDotProductAttention with each mask form a user writes, on one q, k, v: a bool mask
// (true = may attend), an added f32 mask with an explicit scale, isCausal, the hand-written GPT
// form tril(ones) == 0 filled with -inf, BERT's additive (1 - padding) * -10000, and a bool padding
// mask. At -O2 each output is one fused attention (the causal ones with the causal flag).
import { F, graph } from '../src/index.ts';

const [B, H, L, S, D] = [2, 2, 4, 5, 3];

export default () =>
  graph('sdpa_masks', (g) => {
    const q = g.input('q', [B, H, L, D]);
    const k = g.input('k', [B, H, S, D]);
    const v = g.input('v', [B, H, S, D]);
    const attnMask = g.input('attn_mask', [L, S], 'bool');
    const attnBias = g.input('attn_bias', [L, S]);
    const padding = g.input('padding', [B, S]);
    const scores = q.matmul(k.transpose(-2, -1)).div(Math.sqrt(D));
    const ext = F.onesLike(padding).sub(padding).view(B, 1, 1, S).mul(-10000);
    return {
      bool_mask: F.scaledDotProductAttention(q, k, v, { attnMask }),
      float_mask_scaled: F.scaledDotProductAttention(q, k, v, { attnMask: attnBias, scale: 0.5 }),
      causal: F.scaledDotProductAttention(q, k, v, { isCausal: true }),
      tril_masked_fill: scores.maskedFill(F.tril(F.ones(g, [L, S])).eq(0), -Infinity).softmax(-1).matmul(v),
      additive_padding: F.scaledDotProductAttention(q, k, v, { attnMask: ext }),
      bool_padding: F.scaledDotProductAttention(q, k, v, { attnMask: padding.ne(0).view(B, 1, 1, S) }),
    };
  });

/** The PyTorch fixture (test/fixtures/) this example reproduces. */
export const FIXTURE = 'torch_sdpa_masks';
