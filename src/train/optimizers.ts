// Optimizers as graph transformations: each emits, per parameter, the nodes of one update step
// (new parameter and new state from the parameter, its gradient and the state), with
// PyTorch 1.13's update rules and defaults, so a trajectory matches torch.optim's.
import type { ValueId } from '../ir/graph.ts';
import type { GradEmitter } from '../ops/gradient.ts';

/** One parameter's update: its value, gradient and state slots in; new value and slots out. */
export interface UpdateInput {
  readonly param: ValueId;
  readonly grad: ValueId;
  /** The state slots, in `Optimizer.slots` order. */
  readonly state: readonly ValueId[];
  /** The step number being taken (1 for the first), an f32 scalar. */
  readonly step: ValueId;
}

/** An optimizer: its per-parameter state slots (zeros at the start) and its update rule. */
export interface Optimizer {
  readonly name: string;
  /** Hyper-parameters, as saved beside the state. */
  readonly options: Readonly<Record<string, number | boolean>>;
  /** Names of the per-parameter state tensors (PyTorch's: exp_avg, exp_avg_sq, momentum_buffer). */
  readonly slots: readonly string[];
  update(d: GradEmitter, u: UpdateInput): { param: ValueId; state: ValueId[] };
}

/** Options of adam(), as torch.optim.Adam names them (amsgrad and maximize are not supported). */
export interface AdamOptions {
  readonly lr?: number;
  readonly betas?: readonly [number, number];
  readonly eps?: number;
  readonly weightDecay?: number;
}

/**
 * torch.optim.Adam (1.13, single-tensor path): g += wd * p; m = b1 m + (1 - b1) g;
 * v = b2 v + (1 - b2) g^2; p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps).
 * Defaults lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight decay 0; eps is added after dividing
 * by the bias correction, exactly where torch adds it.
 */
export function adam(opts: AdamOptions = {}): Optimizer {
  const { lr = 1e-3, betas = [0.9, 0.999], eps = 1e-8, weightDecay = 0 } = opts;
  const [b1, b2] = betas;
  return {
    name: 'adam',
    options: { lr, beta1: b1, beta2: b2, eps, weightDecay },
    slots: ['exp_avg', 'exp_avg_sq'],
    update(d, { param, grad, state: [m, v], step }) {
      const g = weightDecay ? d.add(grad, d.scale(param, weightDecay)) : grad;
      const m1 = d.add(d.scale(m!, b1), d.scale(g, 1 - b1));
      const v1 = d.add(d.scale(v!, b2), d.scale(d.mul(g, g), 1 - b2));
      const correction = (b: number): ValueId => d.sub(d.scalar(1), d.op('pow', {}, [d.scalar(b), step]));
      const stepSize = d.div(d.scalar(lr), correction(b1));
      const denom = d.add(d.div(d.op('sqrt', {}, [v1]), d.op('sqrt', {}, [correction(b2)])), d.scalar(eps));
      return { param: d.sub(param, d.mul(stepSize, d.div(m1, denom))), state: [m1, v1] };
    },
  };
}

/** Options of sgd(), as torch.optim.SGD names them (dampening 0, no Nesterov). */
export interface SgdOptions {
  readonly lr: number;
  readonly momentum?: number;
  readonly weightDecay?: number;
}

/**
 * torch.optim.SGD: g += wd * p; with momentum, b = mu b + g (the first step's b = g, which the
 * zero-initialised buffer gives) and g = b; then p -= lr g.
 */
export function sgd(opts: SgdOptions): Optimizer {
  const { lr, momentum = 0, weightDecay = 0 } = opts;
  return {
    name: 'sgd',
    options: { lr, momentum, weightDecay },
    slots: momentum ? ['momentum_buffer'] : [],
    update(d, { param, grad, state: [buf] }) {
      const g = weightDecay ? d.add(grad, d.scale(param, weightDecay)) : grad;
      const b = momentum ? d.add(d.scale(buf!, momentum), g) : g;
      return { param: d.sub(param, d.scale(b, lr)), state: momentum ? [b] : [] };
    },
  };
}
