// Convolutional layers with PyTorch's names, defaults, initialisation and state_dict keys:
// Conv1d/2d, ConvTranspose1d/2d, BatchNorm1d/2d, the pools, Flatten and the activations CNNs use.
import { UsageError } from '../../errors.ts';
import { tensor } from '../../ir/tensor.ts';
import * as F from '../functional.ts';
import { ones, uniform, zeros } from '../init.ts';
import type { Sym } from '../sym.ts';
import { Module, Parameter } from './module.ts';

type Size = F.Size;

/** Options of Conv1d / Conv2d, as PyTorch names them (padding_mode other than zeros is refused). */
export interface ConvLayerOptions extends F.ConvOptions {
  readonly bias?: boolean;
  readonly paddingMode?: 'zeros';
}

/** Options of ConvTranspose1d / ConvTranspose2d. */
export interface ConvTransposeLayerOptions extends F.ConvTransposeOptions {
  readonly bias?: boolean;
}

const expand = (v: Size, n: number): number[] => (typeof v === 'number' ? new Array<number>(n).fill(v) : [...v]);
const product = (xs: readonly number[]): number => xs.reduce((a, b) => a * b, 1);

function checkChannels(what: string, inChannels: number, outChannels: number, groups: number): void {
  const ok = [inChannels, outChannels, groups].every((v) => Number.isSafeInteger(v) && v >= 1);
  if (!ok) throw new UsageError(`${what}: in_channels ${inChannels}, out_channels ${outChannels} and groups ${groups} must be integers >= 1`);
  if (inChannels % groups !== 0 || outChannels % groups !== 0) throw new UsageError(`${what}: in_channels ${inChannels} and out_channels ${outChannels} must be divisible by groups ${groups}`);
}

/**
 * nn.ConvNd: weight [out, in / groups, ...kernel], bias [out], both U(±1/sqrt(fan_in)) with
 * fan_in = in / groups * prod(kernel) (PyTorch's kaiming_uniform(a = sqrt(5)) bound).
 */
abstract class ConvNd extends Module {
  weight: Parameter;
  bias?: Parameter;
  readonly kernelSize: readonly number[];
  constructor(spatial: number, readonly inChannels: number, readonly outChannels: number, kernelSize: Size, readonly opts: ConvLayerOptions) {
    super();
    const what = `nn.Conv${spatial}d`;
    const groups = opts.groups ?? 1;
    checkChannels(what, inChannels, outChannels, groups);
    if ((opts.paddingMode ?? 'zeros') !== 'zeros') throw new UsageError(`${what}: padding_mode ${JSON.stringify(opts.paddingMode)} is not supported (zeros only)`);
    this.kernelSize = expand(kernelSize, spatial);
    const bound = 1 / Math.sqrt((inChannels / groups) * product(this.kernelSize));
    this.weight = new Parameter([outChannels, inChannels / groups, ...this.kernelSize], uniform(bound));
    if (opts.bias ?? true) this.bias = new Parameter([outChannels], uniform(bound));
  }
  protected run(x: Sym, conv: (x: Sym, w: Sym, b: Sym | undefined, o: F.ConvOptions) => Sym): Sym {
    const g = x.builder;
    return this.scope(g, () => conv(x, this.weight.in(g), this.bias?.in(g), this.opts));
  }
}

/** nn.Conv1d(in, out, kernelSize, { stride, padding, dilation, groups, bias }) over [N, C, L]. */
export class Conv1d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: Size, opts: ConvLayerOptions = {}) {
    super(1, inChannels, outChannels, kernelSize, opts);
  }
  forward(x: Sym): Sym {
    return this.run(x, F.conv1d);
  }
}

/** nn.Conv2d(in, out, kernelSize, { stride, padding, dilation, groups, bias }) over [N, C, H, W]. */
export class Conv2d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: Size, opts: ConvLayerOptions = {}) {
    super(2, inChannels, outChannels, kernelSize, opts);
  }
  forward(x: Sym): Sym {
    return this.run(x, F.conv2d);
  }
}

/**
 * nn.ConvTransposeNd: weight [in, out / groups, ...kernel], bias [out], U(±1/sqrt(fan_in)) with
 * PyTorch's fan_in of that weight: out / groups * prod(kernel).
 */
abstract class ConvTransposeNd extends Module {
  weight: Parameter;
  bias?: Parameter;
  readonly kernelSize: readonly number[];
  constructor(spatial: number, readonly inChannels: number, readonly outChannels: number, kernelSize: Size, readonly opts: ConvTransposeLayerOptions) {
    super();
    const groups = opts.groups ?? 1;
    checkChannels(`nn.ConvTranspose${spatial}d`, inChannels, outChannels, groups);
    this.kernelSize = expand(kernelSize, spatial);
    const bound = 1 / Math.sqrt((outChannels / groups) * product(this.kernelSize));
    this.weight = new Parameter([inChannels, outChannels / groups, ...this.kernelSize], uniform(bound));
    if (opts.bias ?? true) this.bias = new Parameter([outChannels], uniform(bound));
  }
  protected run(x: Sym, conv: (x: Sym, w: Sym, b: Sym | undefined, o: F.ConvTransposeOptions) => Sym): Sym {
    const g = x.builder;
    return this.scope(g, () => conv(x, this.weight.in(g), this.bias?.in(g), this.opts));
  }
}

/** nn.ConvTranspose1d(in, out, kernelSize, { stride, padding, outputPadding, groups, dilation, bias }). */
export class ConvTranspose1d extends ConvTransposeNd {
  constructor(inChannels: number, outChannels: number, kernelSize: Size, opts: ConvTransposeLayerOptions = {}) {
    super(1, inChannels, outChannels, kernelSize, opts);
  }
  forward(x: Sym): Sym {
    return this.run(x, F.convTranspose1d);
  }
}

/** nn.ConvTranspose2d(in, out, kernelSize, { stride, padding, outputPadding, groups, dilation, bias }). */
export class ConvTranspose2d extends ConvTransposeNd {
  constructor(inChannels: number, outChannels: number, kernelSize: Size, opts: ConvTransposeLayerOptions = {}) {
    super(2, inChannels, outChannels, kernelSize, opts);
  }
  forward(x: Sym): Sym {
    return this.run(x, F.convTranspose2d);
  }
}

/** Options of BatchNorm1d / BatchNorm2d, as PyTorch names them. */
export interface BatchNormLayerOptions {
  readonly eps?: number;
  /** Kept for the state_dict's sake; opgraph never updates the running statistics. */
  readonly momentum?: number;
  readonly affine?: boolean;
  /** false (batch statistics even in eval) is refused. */
  readonly trackRunningStats?: boolean;
}

/**
 * nn.BatchNormNd in eval mode: weight (ones), bias (zeros), running_mean (zeros), running_var
 * (ones) and num_batches_tracked (i64), PyTorch's state_dict keys, so its weights load as they
 * are. Training mode (train()) is refused: batch statistics and the running statistics' update
 * are not implemented.
 */
abstract class BatchNormNd extends Module {
  weight?: Parameter;
  bias?: Parameter;
  running_mean: Parameter;
  running_var: Parameter;
  num_batches_tracked: Parameter;
  constructor(private readonly what: string, private readonly ranks: readonly number[], readonly numFeatures: number, readonly opts: BatchNormLayerOptions) {
    super();
    if (!(Number.isSafeInteger(numFeatures) && numFeatures >= 1)) throw new UsageError(`${what}: num_features must be an integer >= 1, got ${numFeatures}`);
    if (opts.trackRunningStats === false) throw new UsageError(`${what}(track_running_stats=False) normalises with batch statistics, which is not supported`);
    if (opts.affine ?? true) {
      this.weight = new Parameter([numFeatures], ones);
      this.bias = new Parameter([numFeatures], zeros);
    }
    this.running_mean = new Parameter([numFeatures], zeros);
    this.running_var = new Parameter([numFeatures], ones);
    this.num_batches_tracked = new Parameter([], (shape) => tensor('i64', shape), 'i64');
  }
  forward(x: Sym): Sym {
    const g = x.builder;
    if (!this.ranks.includes(x.rank)) g.fail(`${this.what} expects an input of rank ${this.ranks.join(' or ')}, got ${x}`);
    if (this.training) g.fail(`${this.what} at ${this.path || 'the root'} in training mode: batch statistics are not supported; call eval() on the model`);
    return this.scope(g, () => {
      // Declared so that a PyTorch state_dict loads with every key; nothing reads it.
      this.num_batches_tracked.in(g);
      const opts = { eps: this.opts.eps ?? 1e-5, ...(this.weight ? { weight: this.weight.in(g) } : {}), ...(this.bias ? { bias: this.bias.in(g) } : {}) };
      return F.batchNorm(x, this.running_mean.in(g), this.running_var.in(g), opts);
    });
  }
}

/** nn.BatchNorm1d(numFeatures) over [N, C] or [N, C, L]. */
export class BatchNorm1d extends BatchNormNd {
  constructor(numFeatures: number, opts: BatchNormLayerOptions = {}) {
    super('nn.BatchNorm1d', [2, 3], numFeatures, opts);
  }
}

/** nn.BatchNorm2d(numFeatures) over [N, C, H, W]. */
export class BatchNorm2d extends BatchNormNd {
  constructor(numFeatures: number, opts: BatchNormLayerOptions = {}) {
    super('nn.BatchNorm2d', [4], numFeatures, opts);
  }
}

/** nn.MaxPool1d(kernelSize, { stride, padding, dilation, ceilMode }). */
export class MaxPool1d extends Module {
  constructor(readonly kernelSize: Size, readonly opts: F.MaxPoolOptions = {}) {
    super();
  }
  forward(x: Sym): Sym {
    return this.scope(x.builder, () => F.maxPool1d(x, this.kernelSize, this.opts));
  }
}

/** nn.MaxPool2d(kernelSize, { stride, padding, dilation, ceilMode }). */
export class MaxPool2d extends Module {
  constructor(readonly kernelSize: Size, readonly opts: F.MaxPoolOptions = {}) {
    super();
  }
  forward(x: Sym): Sym {
    return this.scope(x.builder, () => F.maxPool2d(x, this.kernelSize, this.opts));
  }
}

/** nn.AvgPool1d(kernelSize, { stride, padding, ceilMode, countIncludePad }). */
export class AvgPool1d extends Module {
  constructor(readonly kernelSize: Size, readonly opts: F.AvgPoolOptions = {}) {
    super();
  }
  forward(x: Sym): Sym {
    return this.scope(x.builder, () => F.avgPool1d(x, this.kernelSize, this.opts));
  }
}

/** nn.AvgPool2d(kernelSize, { stride, padding, ceilMode, countIncludePad }). */
export class AvgPool2d extends Module {
  constructor(readonly kernelSize: Size, readonly opts: F.AvgPoolOptions = {}) {
    super();
  }
  forward(x: Sym): Sym {
    return this.scope(x.builder, () => F.avgPool2d(x, this.kernelSize, this.opts));
  }
}

/** nn.AdaptiveAvgPool1d(outputSize). */
export class AdaptiveAvgPool1d extends Module {
  constructor(readonly outputSize: Size) {
    super();
  }
  forward(x: Sym): Sym {
    return this.scope(x.builder, () => F.adaptiveAvgPool1d(x, this.outputSize));
  }
}

/** nn.AdaptiveAvgPool2d(outputSize); `1` is global average pooling. */
export class AdaptiveAvgPool2d extends Module {
  constructor(readonly outputSize: Size) {
    super();
  }
  forward(x: Sym): Sym {
    return this.scope(x.builder, () => F.adaptiveAvgPool2d(x, this.outputSize));
  }
}

/** nn.Flatten(startDim = 1, endDim = -1). */
export class Flatten extends Module {
  constructor(readonly startDim = 1, readonly endDim = -1) {
    super();
  }
  forward(x: Sym): Sym {
    return F.flatten(x, this.startDim, this.endDim);
  }
}

/** nn.LeakyReLU(negativeSlope = 0.01). */
export class LeakyReLU extends Module {
  constructor(readonly negativeSlope = 0.01) {
    super();
  }
  forward(x: Sym): Sym {
    return this.scope(x.builder, () => F.leakyRelu(x, this.negativeSlope));
  }
}

/** nn.ReLU6: clamp(x, 0, 6). */
export class ReLU6 extends Module {
  forward(x: Sym): Sym {
    return this.scope(x.builder, () => F.relu6(x));
  }
}

/** nn.Hardsigmoid: clamp(x / 6 + 1 / 2, 0, 1). */
export class Hardsigmoid extends Module {
  forward(x: Sym): Sym {
    return this.scope(x.builder, () => F.hardSigmoid(x));
  }
}

/** nn.Hardswish: x * hardsigmoid(x). */
export class Hardswish extends Module {
  forward(x: Sym): Sym {
    return this.scope(x.builder, () => F.hardSwish(x));
  }
}
