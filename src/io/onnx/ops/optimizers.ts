// The preview-training domain's Adagrad and Momentum as elementwise primitives over n tensors
// (Adam sits with the losses in training.ts).
import type { NodeContext, Val } from '../context.ts';
import type { Lowerings } from './lowering.ts';

/** The n tensors of an optimizer with `groups` inputs per tensor after R and T, or fails. */
function tensorCount(c: NodeContext, groups: number): number {
  const n = (c.inputCount - 2) / groups;
  if (!Number.isInteger(n) || n < 1) c.fail(`expects R, T and ${groups} inputs per tensor, got ${c.inputCount} inputs`);
  return n;
}

/** g + norm_coefficient * x (the L2-regularised gradient). */
function regularised(c: NodeContext, x: Val, g: Val): Val {
  const decay = c.float('norm_coefficient', 0);
  return decay === 0 ? g : c.op1('add', {}, [c.op1('mul', {}, [c.scalar(decay), x]), g]);
}

/**
 * Adagrad (R, T, X1..n, G1..n, H1..n): r = R / (1 + T decay_factor); g regularised; h' = h + g^2;
 * x' = x - r g / (sqrt(h') + epsilon). Outputs X'1..n, H'1..n.
 */
function adagrad(c: NodeContext): Val[] {
  const n = tensorCount(c, 3);
  const [decay, eps] = [c.float('decay_factor', 0), c.float('epsilon', 0)];
  const t = c.op1('cast', { to: 'f32' }, [c.input(1)]);
  const r = c.op1('div', {}, [c.input(0), c.op1('add', {}, [c.scalar(1), c.op1('mul', {}, [t, c.scalar(decay)])])]);
  const xs: Val[] = [];
  const hs: Val[] = [];
  for (let i = 0; i < n; i++) {
    const [x, g0, h] = [0, 1, 2].map((k) => c.input(2 + k * n + i)) as [Val, Val, Val];
    const g = regularised(c, x, g0);
    const h2 = c.op1('add', {}, [h, c.op1('mul', {}, [g, g])]);
    const step = c.op1('div', {}, [c.op1('mul', {}, [r, g]), c.op1('add', {}, [c.op1('sqrt', {}, [h2]), c.scalar(eps)])]);
    xs.push(c.op1('sub', {}, [x, step]));
    hs.push(h2);
  }
  return [...xs, ...hs];
}

/**
 * Momentum (R, T, X1..n, G1..n, V1..n): g regularised; v' = alpha v + beta' g, beta' = beta when
 * T > 0, else 1; standard x' = x - R v', nesterov x' = x - R (g + alpha v'). Outputs X'1..n, V'1..n.
 */
function momentum(c: NodeContext): Val[] {
  const n = tensorCount(c, 3);
  const [alpha, beta] = [c.float('alpha', 0), c.float('beta', 0)];
  const mode = c.string('mode', '');
  if (mode !== 'standard' && mode !== 'nesterov') c.fail(`mode must be standard or nesterov, got ${JSON.stringify(mode)}`);
  const [r, tRaw] = [c.input(0), c.input(1)];
  const b = c.op1('where', {}, [c.op1('greater', {}, [tRaw, c.scalar(0, tRaw.type.dtype)]), c.scalar(beta), c.scalar(1)]);
  const xs: Val[] = [];
  const vs: Val[] = [];
  for (let i = 0; i < n; i++) {
    const [x, g0, v] = [0, 1, 2].map((k) => c.input(2 + k * n + i)) as [Val, Val, Val];
    const g = regularised(c, x, g0);
    const v2 = c.op1('add', {}, [c.op1('mul', {}, [c.scalar(alpha), v]), c.op1('mul', {}, [b, g])]);
    const dir = mode === 'standard' ? v2 : c.op1('add', {}, [g, c.op1('mul', {}, [c.scalar(alpha), v2])]);
    xs.push(c.op1('sub', {}, [x, c.op1('mul', {}, [r, dir])]));
    vs.push(v2);
  }
  return [...xs, ...vs];
}

/** The optimizer lowerings of the preview-training domain. */
export const optimizerLowerings: Lowerings = {
  'ai.onnx.preview.training:Adagrad': adagrad,
  'ai.onnx.preview.training:Momentum': momentum,
};
