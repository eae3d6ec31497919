// The opset-23 Attention op lowered onto primitives: head split for 3-D inputs, past key/value
// concatenation (the present outputs), grouped-query heads by broadcasting each key/value head
// over its query heads, Q and K each scaled by sqrt(scale), softcap, then boolean or additive
// masks (a short mask padded as masked) and causal masking (offset by the past length), and
// softmax @ V. A static nonpad_kv_seqlen (opset 24) masks padding keys. A query row whose keys
// are all masked gives zeros rather than NaN. The qk_matmul_output modes follow ONNX's
// reference: 0 the scaled product, 1 after softcap, 2 after softcap and masks, 3 the probabilities.
import type { NodeContext, Val } from '../context.ts';
import type { Lowerings } from './lowering.ts';

/** [B, S, heads*d] -> [B, heads, S, d]. */
function splitHeads(c: NodeContext, v: Val, heads: number, what: string): Val {
  const [B, S, E] = v.type.shape as [number, number, number];
  if (!heads || E % heads !== 0) c.fail(`${what} of ${c.fmt(v)} does not split into ${heads} heads`);
  return c.op1('transpose', { perm: [0, 2, 1, 3] }, [c.op1('reshape', { shape: [B, S, heads, E / heads] }, [v])]);
}

function attention(c: NodeContext): (Val | undefined)[] {
  let [q, k, v] = [c.input(0), c.input(1), c.input(2)];
  const threeD = q.type.shape.length === 3;
  if (threeD) {
    q = splitHeads(c, q, c.int('q_num_heads', 0), 'Q');
    k = splitHeads(c, k, c.int('kv_num_heads', 0), 'K');
    v = splitHeads(c, v, c.int('kv_num_heads', 0), 'V');
  }
  if ([q, k, v].some((t) => t.type.shape.length !== 4)) c.fail(`Q, K and V must all be 3-D or 4-D, got ${c.fmt(c.input(0))}, ${c.fmt(c.input(1))}, ${c.fmt(c.input(2))}`);
  if (c.int('softmax_precision', 1) !== 1 && c.has('softmax_precision')) c.unsupported(`softmax_precision ${c.int('softmax_precision', 1)}`, 'only softmax_precision FLOAT is supported');
  const [pastK, pastV] = [c.maybe(4), c.maybe(5)];
  if (!!pastK !== !!pastV) c.fail('past_key and past_value must come together');
  if (pastK) k = c.op1('concat', { axis: 2 }, [pastK, k]);
  if (pastV) v = c.op1('concat', { axis: 2 }, [pastV, v]);
  const [presentK, presentV] = [k, v];
  const [B, qHeads, Sq, d] = q.type.shape as [number, number, number, number];
  const [, kvHeads, Skv] = k.type.shape as [number, number, number];
  if (qHeads % kvHeads !== 0) c.fail(`${qHeads} query heads are not a multiple of ${kvHeads} key/value heads`);
  const group = qHeads / kvHeads;
  const repeat = (t: Val): Val => {
    if (group === 1) return t;
    const [, , S, e] = t.type.shape as [number, number, number, number];
    const wide = c.op1('expand', { shape: [B, kvHeads, group, S, e] }, [c.op1('unsqueeze', { axes: [2] }, [t])]);
    return c.op1('reshape', { shape: [B, qHeads, S, e] }, [wide]);
  };
  const scale = c.has('scale') ? c.float('scale', 0) : 1 / Math.sqrt(d);
  const root = c.scalar(Math.sqrt(scale));
  const qs = c.op1('mul', {}, [q, root]);
  const ks = c.op1('mul', {}, [repeat(k), root]);
  const qk = c.op1('matmul', { transA: false, transB: true }, [qs, ks]);
  const mode = c.int('qk_matmul_output_mode', 0);
  if (mode < 0 || mode > 3) c.fail(`qk_matmul_output_mode ${mode} is not 0..3`);
  let logits = qk;
  let capped = qk;
  const softcap = c.float('softcap', 0);
  if (softcap > 0) {
    const cap = c.scalar(softcap);
    logits = capped = c.op1('mul', {}, [c.op1('tanh', {}, [c.op1('div', {}, [logits, cap])]), cap]);
  }
  const negInf = c.scalar(-Infinity);
  let mask = c.maybe(3);
  if (mask && mask.type.shape.length > 0 && mask.type.shape.at(-1)! < Skv) {
    // A mask shorter than the keys is padded with masked positions.
    const pad = mask.type.shape.map((n, i, all) => (i === all.length - 1 ? Skv - n : n));
    const masked = mask.type.dtype === 'bool' ? c.constant('bool', [], [0]) : negInf;
    mask = c.op1('concat', { axis: -1 }, [mask, c.op1('expand', { shape: pad }, [masked])]);
  }
  if (mask) {
    const bias = mask.type.dtype === 'bool' ? c.op1('where', {}, [mask, c.scalar(0), negInf]) : mask;
    logits = c.op1('add', {}, [logits, bias]);
  }
  // Static nonpad_kv_seqlen [B]: keys at or after a batch row's length are padding.
  const nonpad = c.staticInts(6, 'nonpad_kv_seqlen');
  if (nonpad && nonpad.length !== B) c.fail(`nonpad_kv_seqlen has ${nonpad.length} entries for batch ${B}`);
  const causal = c.int('is_causal', 0) === 1;
  if (nonpad || causal) {
    // Query i of batch row b sees key j when j < nonpad[b] and, if causal, j <= i + offset, where
    // offset is the past length (or, without a past, nonpad[b] - Sq; else 0).
    const keep: number[] = [];
    for (let b = 0; b < B; b++) {
      const valid = nonpad ? nonpad[b]! : Skv;
      const offset = pastK ? pastK.type.shape[2]! : nonpad ? valid - Sq : 0;
      for (let i = 0; i < Sq; i++) for (let j = 0; j < Skv; j++) keep.push(j < valid && (!causal || j <= i + offset) ? 1 : 0);
    }
    logits = c.op1('where', {}, [c.constant('bool', [B, 1, Sq, Skv], keep), logits, negInf]);
  }
  let qkOut = mode === 0 ? qk : mode === 1 ? capped : logits;
  let probs = c.op1('softmax', { axis: -1 }, [logits]);
  if (mask || causal || nonpad) probs = c.op1('where', {}, [c.op1('equal', {}, [probs, probs]), probs, c.scalar(0)]);
  if (mode === 3) qkOut = probs;
  let y = c.op1('matmul', { transA: false, transB: false }, [probs, repeat(v)]);
  if (threeD) {
    const dv = y.type.shape[3]!;
    y = c.op1('reshape', { shape: [B, Sq, qHeads * dv] }, [c.op1('transpose', { perm: [0, 2, 1, 3] }, [y])]);
  }
  return [y, presentK, presentV, qkOut];
}

/** The Attention lowering. */
export const attentionLowerings: Lowerings = { Attention: attention };
