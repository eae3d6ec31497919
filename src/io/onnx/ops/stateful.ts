// Opset-27 ops that carry a state across tokens, as compositions. LinearAttention: the recurrence
// of the ONNX reference unrolled over the (static) sequence, per token a decay of the state by
// exp(decay) (gated rules), the delta correction v <- beta (v - S^T k) (delta rules), the write
// S += k v^T and the read o = scale q S (kv heads repeated for grouped queries); its length is
// bounded by maxUnrolledNodes like a Loop. CausalConvWithState: the past state (or zeros) joined
// before the input, one depthwise conv (group = channels), the bias, SiLU when asked, and the last
// kernel - 1 steps as the present state.
import { LimitError } from '../../../errors.ts';
import type { NodeContext, Val } from '../context.ts';
import type { Lowerings } from './lowering.ts';

const RULES = ['linear', 'gated', 'delta', 'gated_delta'] as const;
const NODES_PER_TOKEN = 24;

/** [B, T, H*D] -> [B, H, T, D]. */
function heads(c: NodeContext, x: Val, h: number, what: string): Val {
  const [b, t, hd] = x.type.shape as [number, number, number];
  if (x.type.shape.length !== 3 || hd % h !== 0) c.fail(`${what} must be [batch, seq, ${h} * head size], got ${c.fmt(x)}`);
  return c.op1('transpose', { perm: [0, 2, 1, 3] }, [c.op1('reshape', { shape: [b, t, h, hd / h] }, [x])]);
}

/** Token `t` of a [B, H, T, D] tensor: [B, H, D]. */
const token = (c: NodeContext, x: Val, t: number): Val =>
  c.op1('squeeze', { axes: [2] }, [c.op1('slice', { starts: [t], ends: [t + 1], axes: [2], steps: [1] }, [x])]);

/** The [B, H, T, 1 or D] gate of a rank-3 [B, T, H or H*D] input. */
function gate(c: NodeContext, g: Val, hkv: number, dk: number, allowed: readonly number[], what: string): Val {
  const last = g.type.shape[2]!;
  if (g.type.shape.length !== 3 || !allowed.includes(last)) c.fail(`${what} must be [batch, seq, ${allowed.join(' or ')}], got ${c.fmt(g)}`);
  return last === hkv * dk && last !== hkv ? heads(c, g, hkv, what) : heads(c, g, last, what);
}

function linearAttention(c: NodeContext): Val[] {
  const rule = c.string('update_rule', 'gated_delta');
  if (!(RULES as readonly string[]).includes(rule)) c.fail(`update_rule ${JSON.stringify(rule)} is not one of ${RULES.join(', ')}`);
  const [hq, hkv] = [c.int('q_num_heads', 0), c.int('kv_num_heads', 0)];
  if (hq <= 0 || hkv <= 0 || hq % hkv !== 0) c.fail(`q_num_heads (${hq}) must be a positive multiple of kv_num_heads (${hkv})`);
  const gated = rule === 'gated' || rule === 'gated_delta';
  const delta = rule === 'delta' || rule === 'gated_delta';
  const [decayIn, betaIn] = [c.maybe(4), c.maybe(5)];
  if (gated !== (decayIn !== undefined)) c.fail(`update_rule ${rule} ${gated ? 'requires' : 'forbids'} the decay input`);
  if (delta !== (betaIn !== undefined)) c.fail(`update_rule ${rule} ${delta ? 'requires' : 'forbids'} the beta input`);
  if (c.inputCount > 6 && c.maybe(6)) c.unsupported('erase_gate', 'the erase_gate input is not supported');
  const [q, k, v] = [heads(c, c.input(0), hq, 'query'), heads(c, c.input(1), hkv, 'key'), heads(c, c.input(2), hkv, 'value')];
  const [B, , T, dk] = q.type.shape as [number, number, number, number];
  const dv = v.type.shape[3]!;
  if (k.type.shape[3] !== dk) c.fail(`query and key head sizes differ (${dk} and ${k.type.shape[3]})`);
  if (T * NODES_PER_TOKEN > c.em.limits.maxUnrolledNodes) throw new LimitError(`${c.where}: ${T} tokens unroll to about ${T * NODES_PER_TOKEN} nodes, over the limit maxUnrolledNodes = ${c.em.limits.maxUnrolledNodes}`);
  const decay = decayIn && gate(c, decayIn, hkv, dk, [hkv, hkv * dk], 'decay');
  const beta = betaIn && gate(c, betaIn, hkv, dk, [hkv, 1], 'beta');
  const past = c.maybe(3);
  const shape = [B, hkv, dk, dv];
  if (past && past.type.shape.join() !== shape.join()) c.fail(`past_state must be [${shape.join(', ')}], got ${c.fmt(past)}`);
  let state = past ?? c.constant('f32', shape, new Array<number>(B * hkv * dk * dv).fill(0));
  const given = c.float('scale', 0);
  const scale = c.scalar(given === 0 ? 1 / Math.sqrt(dk) : given);
  const outs: Val[] = [];
  for (let t = 0; t < T; t++) {
    const kt = c.op1('unsqueeze', { axes: [3] }, [token(c, k, t)]); // [B, H, dk, 1]
    let vt = token(c, v, t);
    if (decay) state = c.op1('mul', {}, [state, c.op1('unsqueeze', { axes: [3] }, [c.op1('exp', {}, [token(c, decay, t)])])]);
    if (beta) {
      const read = c.op1('squeeze', { axes: [3] }, [c.op1('matmul', { transA: true, transB: false }, [state, kt])]); // S^T k: [B, H, dv]
      vt = c.op1('mul', {}, [token(c, beta, t), c.op1('sub', {}, [vt, read])]);
    }
    state = c.op1('add', {}, [state, c.op1('matmul', { transA: false, transB: false }, [kt, c.op1('unsqueeze', { axes: [2] }, [vt])])]);
    const s = hq === hkv ? state : c.op1('reshape', { shape: [B, hq, dk, dv] }, [c.op1('expand', { shape: [B, hkv, hq / hkv, dk, dv] }, [c.op1('unsqueeze', { axes: [2] }, [state])])]);
    const qt = c.op1('unsqueeze', { axes: [2] }, [token(c, q, t)]); // [B, Hq, 1, dk]
    outs.push(c.op1('mul', {}, [scale, c.op1('matmul', { transA: false, transB: false }, [qt, s])])); // [B, Hq, 1, dv]
  }
  const o = outs.length === 1 ? outs[0]! : c.op1('concat', { axis: 2 }, outs);
  const output = c.op1('reshape', { shape: [B, T, hq * dv] }, [c.op1('transpose', { perm: [0, 2, 1, 3] }, [o])]);
  return [output, state];
}

function causalConvWithState(c: NodeContext): Val[] {
  const [x, w, bias, past] = [c.input(0), c.input(1), c.maybe(2), c.maybe(3)];
  const [B, C, L] = x.type.shape as [number, number, number];
  if (x.type.shape.length !== 3 || w.type.shape.length !== 3 || w.type.shape[0] !== C || w.type.shape[1] !== 1) c.fail(`input and weight must be [batch, channels, length] and [channels, 1, kernel], got ${c.fmt(x)} and ${c.fmt(w)}`);
  const K = w.type.shape[2]!;
  const act = c.string('activation', 'none');
  if (act !== 'none' && act !== 'silu') c.fail(`activation ${JSON.stringify(act)} is not one of none, silu`);
  const shape = [B, C, K - 1];
  if (past && past.type.shape.join() !== shape.join()) c.fail(`past_state must be [${shape.join(', ')}], got ${c.fmt(past)}`);
  // A kernel of 1 has an empty state: the input alone, and an empty slice of it as present_state.
  const padded = K === 1 ? x : c.op1('concat', { axis: 2 }, [past ?? c.constant('f32', shape, new Array<number>(B * C * (K - 1)).fill(0)), x]);
  let y = c.op1('conv', { strides: [1], dilations: [1], pads: [0, 0], group: C }, bias ? [padded, w, bias] : [padded, w]);
  if (act === 'silu') y = c.op1('mul', {}, [y, c.op1('sigmoid', {}, [y])]);
  const present = c.op1('slice', { starts: [L], ends: [L + K - 1], axes: [2], steps: [1] }, [padded]);
  return [y, present];
}

/** The stateful-op lowerings. */
export const statefulLowerings: Lowerings = { LinearAttention: linearAttention, CausalConvWithState: causalConvWithState };
