// Per-channel normalisations of [N, C, ...] tensors, lowered onto existing ops:
// BatchNormalization (inference: elementwise with per-channel constants computed once from the
// weights; training mode: batch statistics by reductions, plus the running statistics),
// InstanceNormalization and GroupNormalization (layerNorm over each instance or group, then the
// per-channel scale and bias).
import type { NodeContext, Val } from '../context.ts';
import type { Lowerings } from './lowering.ts';

/** A per-channel vector [C] reshaped to [C, 1, ..., 1] to broadcast against an input of `rank`. */
function perChannel(c: NodeContext, v: Val, channels: number, rank: number, what: string): Val {
  if (v.type.shape.length !== 1 || v.type.shape[0] !== channels) c.fail(`${what} must be [${channels}] (one per channel), got ${c.fmt(v)}`);
  return c.op1('reshape', { shape: [channels, ...new Array<number>(Math.max(rank - 2, 0)).fill(1)] }, [v]);
}

/** The channel count of an [N, C, ...] input. */
function channelsOf(c: NodeContext, x: Val): number {
  if (x.type.shape.length < 2) c.fail(`input must have rank >= 2 ([N, C, ...]), got ${c.fmt(x)}`);
  if (x.type.dtype !== 'f32') c.fail(`input must be f32, got ${c.fmt(x)}`);
  return x.type.shape[1]!;
}

/** 1 / sqrt(v + epsilon). */
function invStd(c: NodeContext, v: Val, epsilon: number): Val {
  return c.op1('reciprocal', {}, [c.op1('sqrt', {}, [c.op1('add', {}, [v, c.scalar(epsilon)])])]);
}

/**
 * BatchNormalization. Inference: (x - mean) * (scale / sqrt(var + eps)) + bias, the factor a
 * weights-only value (computed once when the model is created). Training (training_mode = 1 from
 * opset 14, or more than one output before): the batch mean and biased variance over every dim
 * but C normalise x, and the running statistics are momentum * old + (1 - momentum) * batch.
 */
function batchNorm(c: NodeContext): (Val | undefined)[] {
  const x = c.input(0);
  const channels = channelsOf(c, x);
  const rank = x.type.shape.length;
  if (c.opset < 7 || (c.opset < 9 && c.int('spatial', 1) !== 1)) c.unsupported(`opset ${c.opset}`, 'BatchNormalization before opset 7, or with spatial = 0, is not supported');
  const [scale, bias, mean, variance] = [1, 2, 3, 4].map((i, k) => perChannel(c, c.input(i), channels, rank, ['scale', 'B', 'input_mean', 'input_var'][k]!));
  const epsilon = c.float('epsilon', 1e-5);
  const training = c.opset >= 14 ? c.int('training_mode', 0) === 1 : c.node.output.slice(1).some((o) => o !== '');
  if (!training) {
    const factor = c.op1('mul', {}, [scale!, invStd(c, variance!, epsilon)]);
    return [c.op1('add', {}, [c.op1('mul', {}, [c.op1('sub', {}, [x, mean!]), factor]), bias!])];
  }
  if (c.opset < 14) c.unsupported('training', 'training-mode BatchNormalization before opset 14 (saved mean and variance outputs) is not supported');
  const axes = x.type.shape.map((_, i) => i).filter((i) => i !== 1);
  const batchMean = c.op1('reduceMean', { axes, keepDims: true }, [x]);
  const centred = c.op1('sub', {}, [x, batchMean]);
  const batchVar = c.op1('reduceMean', { axes, keepDims: true }, [c.op1('mul', {}, [centred, centred])]);
  const y = c.op1('add', {}, [c.op1('mul', {}, [c.op1('mul', {}, [centred, invStd(c, batchVar, epsilon)]), scale!]), bias!]);
  const momentum = c.float('momentum', 0.9);
  const running = (old: Val, batch: Val): Val => {
    const mixed = c.op1('add', {}, [c.op1('mul', {}, [old, c.scalar(momentum)]), c.op1('mul', {}, [batch, c.scalar(1 - momentum)])]);
    return c.op1('reshape', { shape: [channels] }, [mixed]);
  };
  const flat = (v: Val): Val => c.op1('reshape', { shape: [channels, ...new Array<number>(rank - 2).fill(1)] }, [v]);
  return [y, running(mean!, flat(batchMean)), running(variance!, flat(batchVar))];
}

/** InstanceNormalization: layerNorm over the spatial dims of each (n, c), then scale and bias per channel. */
function instanceNorm(c: NodeContext): Val[] {
  const x = c.input(0);
  const channels = channelsOf(c, x);
  const rank = x.type.shape.length;
  if (rank < 3) c.fail(`input must have rank >= 3 ([N, C, ...spatial]), got ${c.fmt(x)}`);
  const y = c.op1('layerNorm', { axis: 2, epsilon: c.float('epsilon', 1e-5) }, [x]);
  const [scale, bias] = [perChannel(c, c.input(1), channels, rank, 'scale'), perChannel(c, c.input(2), channels, rank, 'B')];
  return [c.op1('add', {}, [c.op1('mul', {}, [y, scale]), bias])];
}

/**
 * GroupNormalization: x viewed as [N, G, C/G * spatial], layerNorm over each group, then scale and
 * bias per channel (opset 21 on) or per group (opset 18, spread over the group's channels).
 */
function groupNorm(c: NodeContext): Val[] {
  const x = c.input(0);
  const channels = channelsOf(c, x);
  const shape = x.type.shape;
  const groups = c.int('num_groups', 0);
  if (groups < 1 || channels % groups !== 0) c.fail(`num_groups ${groups} must be >= 1 and divide the ${channels} channels`);
  if (c.int('stash_type', 1) !== 1) c.unsupported(`stash_type ${c.int('stash_type', 1)}`, 'only stash_type 1 (float) is supported');
  const grouped = c.op1('reshape', { shape: [shape[0]!, groups, shape.slice(1).reduce((a, b) => a * b, 1) / groups] }, [x]);
  const normed = c.op1('reshape', { shape: [...shape] }, [c.op1('layerNorm', { axis: 2, epsilon: c.float('epsilon', 1e-5) }, [grouped])]);
  const spread = (v: Val): Val => {
    if (c.opset >= 21) return v;
    if (v.type.shape.length !== 1 || v.type.shape[0] !== groups) c.fail(`scale and bias must be [${groups}] (one per group) before opset 21, got ${c.fmt(v)}`);
    const expanded = c.op1('expand', { shape: [groups, channels / groups] }, [c.op1('reshape', { shape: [groups, 1] }, [v])]);
    return c.op1('reshape', { shape: [channels] }, [expanded]);
  };
  const [scale, bias] = [1, 2].map((i) => perChannel(c, spread(c.input(i)), channels, shape.length, i === 1 ? 'scale' : 'bias'));
  return [c.op1('add', {}, [c.op1('mul', {}, [normed, scale!]), bias!])];
}

/** The per-channel normalisation lowerings. */
export const channelNormLowerings: Lowerings = {
  BatchNormalization: batchNorm,
  InstanceNormalization: instanceNorm,
  GroupNormalization: groupNorm,
};
