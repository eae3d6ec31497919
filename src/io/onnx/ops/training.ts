// Training ops lowered onto primitives: SoftmaxCrossEntropyLoss and NegativeLogLikelihoodLoss (every
// reduction, class weights, ignore_index; SCE's log_prob output), Dropout at inference and the preview-training domain's Adam.
import type { NodeContext, Val } from '../context.ts';
import type { Lowerings } from './lowering.ts';

/**
 * The weighted negative log-likelihood of `logProb` ([N, C, d..]) at `labels` ([N, d..]):
 * loss[n, d..] = -logProb[n, label, d..] * weight[label], 0 where label is ignore_index (which
 * may lie outside [0, C)); the class is picked with a one-hot mask (labels == class index).
 * Reduced by `reduction`: none, sum, or mean (the sum over the sum of the weights used).
 */
function weightedNll(c: NodeContext, logProb: Val, labels: Val, weights: Val | undefined): Val {
  const reduction = c.string('reduction', 'mean');
  if (!['none', 'sum', 'mean'].includes(reduction)) c.fail(`reduction ${JSON.stringify(reduction)} is not none, sum or mean`);
  const shape = logProb.type.shape;
  if (shape.length < 2) c.fail(`input must be [N, C, ...], got ${c.fmt(logProb)}`);
  const C = shape[1]!;
  const classShape = shape.map((_, i) => (i === 1 ? C : 1));
  const classes = c.constant(labels.type.dtype, classShape, Array.from({ length: C }, (_, i) => i));
  const hot = c.op1('cast', { to: 'f32' }, [c.op1('equal', {}, [c.op1('unsqueeze', { axes: [1] }, [labels]), classes])]);
  const picked = c.op1('reduceSum', { axes: [1], keepDims: false }, [c.op1('mul', {}, [logProb, hot])]);
  let weight: Val = weights
    ? c.op1('reduceSum', { axes: [1], keepDims: false }, [c.op1('mul', {}, [hot, c.op1('reshape', { shape: classShape }, [weights])])])
    : c.op1('expand', { shape: labels.type.shape }, [c.scalar(1)]);
  if (c.has('ignore_index')) {
    const ignored = c.op1('equal', {}, [labels, c.scalar(c.int('ignore_index', 0), labels.type.dtype)]);
    weight = c.op1('where', {}, [ignored, c.scalar(0), weight]);
  }
  const loss = c.op1('neg', {}, [c.op1('mul', {}, [picked, weight])]);
  const all = { axes: [], keepDims: false };
  return reduction === 'none' ? loss
    : reduction === 'sum' ? c.op1('reduceSum', all, [loss])
    : c.op1('div', {}, [c.op1('reduceSum', all, [loss]), c.op1('reduceSum', all, [weight])]);
}

/** SoftmaxCrossEntropyLoss: the weighted NLL of log_softmax(scores) along the classes; log_prob is output 1. */
function softmaxCrossEntropy(c: NodeContext): Val[] {
  const scores = c.input(0);
  if (scores.type.shape.length < 2) c.fail(`scores must be [N, C, ...], got ${c.fmt(scores)}`);
  const logProb = c.op1('logSoftmax', { axis: 1 }, [scores]);
  return [weightedNll(c, logProb, c.input(1), c.maybe(2)), logProb];
}

/** NegativeLogLikelihoodLoss: input 0 already holds log-probabilities [N, C, d..]. */
function negativeLogLikelihood(c: NodeContext): Val[] {
  if (c.input(0).type.dtype !== 'f32') c.fail(`input must be f32, got ${c.fmt(c.input(0))}`);
  return [weightedNll(c, c.input(0), c.input(1), c.maybe(2))];
}

/**
 * Adam over n tensors (inputs R, T, X1..n, G1..n, V1..n, H1..n): g = norm_coefficient * x + g;
 * v' = alpha v + (1 - alpha) g; h' = beta h + (1 - beta) g^2; with T > 0 the rate is
 * R sqrt(1 - beta^T) / (1 - alpha^T); x' = (1 - norm_coefficient_post)(x - rate v' / (sqrt(h') + epsilon)).
 */
function adam(c: NodeContext): Val[] {
  const n = (c.inputCount - 2) / 4;
  if (!Number.isInteger(n) || n < 1) c.fail(`expects R, T and four inputs per tensor, got ${c.inputCount} inputs`);
  const [alpha, beta, eps] = [c.float('alpha', 0.9), c.float('beta', 0.999), c.float('epsilon', 1e-6)];
  const [decay, post] = [c.float('norm_coefficient', 0), c.float('norm_coefficient_post', 0)];
  const s = (x: number): Val => c.scalar(x);
  const r = c.input(0);
  const tRaw = c.input(1);
  const t = c.op1('cast', { to: 'f32' }, [tRaw]);
  const bias1 = c.op1('sub', {}, [s(1), c.op1('pow', {}, [s(alpha), t])]);
  const bias2 = c.op1('sub', {}, [s(1), c.op1('pow', {}, [s(beta), t])]);
  const adjusted = c.op1('div', {}, [c.op1('mul', {}, [r, c.op1('sqrt', {}, [bias2])]), bias1]);
  const rate = c.op1('where', {}, [c.op1('greater', {}, [tRaw, c.scalar(0, tRaw.type.dtype)]), adjusted, r]);
  const xs: Val[] = [];
  const vs: Val[] = [];
  const hs: Val[] = [];
  for (let i = 0; i < n; i++) {
    const [x, g0, v, h] = [0, 1, 2, 3].map((k) => c.input(2 + k * n + i)) as [Val, Val, Val, Val];
    const g = decay === 0 ? g0 : c.op1('add', {}, [c.op1('mul', {}, [s(decay), x]), g0]);
    const v2 = c.op1('add', {}, [c.op1('mul', {}, [s(alpha), v]), c.op1('mul', {}, [s(1 - alpha), g])]);
    const h2 = c.op1('add', {}, [c.op1('mul', {}, [s(beta), h]), c.op1('mul', {}, [s(1 - beta), c.op1('mul', {}, [g, g])])]);
    const step = c.op1('mul', {}, [rate, c.op1('div', {}, [v2, c.op1('add', {}, [c.op1('sqrt', {}, [h2]), s(eps)])])]);
    const x2 = c.op1('sub', {}, [x, step]);
    xs.push(post === 0 ? x2 : c.op1('mul', {}, [s(1 - post), x2]));
    vs.push(v2);
    hs.push(h2);
  }
  return [...xs, ...vs, ...hs];
}

/**
 * Dropout at inference: the identity, with an all-true mask (output 1, bool from opset 10, the
 * input's type before). training_mode (input 2, opset 12 on) must be known at import; in training,
 * only a ratio of 0 is supported (the identity again): dropping at random is refused.
 */
function dropout(c: NodeContext): Val[] {
  const x = c.input(0);
  const training = c.opset >= 12 ? (c.staticInts(2, 'training_mode')?.[0] ?? 0) !== 0 : false;
  if (training) {
    const ratio = c.opset >= 12 ? (c.staticInts(1, 'ratio')?.[0] ?? 0.5) : c.float('ratio', 0.5);
    if (ratio !== 0) c.unsupported('training_mode', `training_mode with ratio ${ratio} drops at random, which opgraph does not compute (only inference, or ratio 0)`);
  }
  if (c.node.output.length < 2 || c.node.output[1] === '') return [x];
  const maskType = c.opset >= 10 ? 'bool' : x.type.dtype;
  return [x, c.op1('expand', { shape: [...x.type.shape] }, [c.scalar(1, maskType)])];
}

/** The training lowerings. */
export const trainingLowerings: Lowerings = {
  SoftmaxCrossEntropyLoss: softmaxCrossEntropy,
  NegativeLogLikelihoodLoss: negativeLogLikelihood,
  Dropout: dropout,
  'ai.onnx.preview.training:Adam': adam,
};
