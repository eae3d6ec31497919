// The closed set of op kinds, each with its typed attributes. Adding an op starts here.
import type { DType } from '../ir/types.ts';
import type { Tensor } from '../ir/tensor.ts';
import type { ElementwiseProgram } from './program.ts';
import type { Access } from './access.ts';
import type { ScatterReduction } from './scatter.ts';
import type { LowFloat } from './lowfloat.ts';
import type { WindowAttrs } from './window.ts';

type None = Record<string, never>;

/** Reduction attributes: axes (negative counts from the end; empty = all) and whether to keep them as 1s. */
export interface ReduceAttrs {
  readonly axes: readonly number[];
  readonly keepDims: boolean;
}

/** A pooling window: its taps per spatial dim, and ceil_mode (the last partial window kept). */
export interface PoolAttrs extends WindowAttrs {
  readonly kernel: readonly number[];
  readonly ceilMode: boolean;
}

/** Which way a recurrent layer runs through time. */
export type Direction = 'forward' | 'reverse' | 'bidirectional';

/**
 * An elementwise program applied to a contraction's result before it is stored: program input 0
 * is the result, inputs 1.. are the node's trailing extra inputs (broadcast to the result).
 */
export type Epilogue = ElementwiseProgram;

/**
 * Attributes of every op kind. `OpKind` is its key set, so the op table, printers and
 * passes are all checked against this one list.
 */
export interface OpAttrs {
  // ── elementwise unary ──
  identity: None;
  neg: None;
  abs: None;
  exp: None;
  log: None;
  sqrt: None;
  reciprocal: None;
  tanh: None;
  sigmoid: None;
  relu: None;
  erf: None;
  /** Rounds f32 values to the nearest float16 (ties to even, overflow to ±Inf): ONNX Cast to FLOAT16, computed in f32. */
  roundF16: None;
  /** Rounds f32 values to the nearest bfloat16 (ties to even): ONNX Cast to BFLOAT16, computed in f32 (src/ops/bfloat16.ts). */
  roundBF16: None;
  /** Rounds f32 values to the nearest value of an 8- or 4-bit float format (src/ops/lowfloat.ts), saturating or not. */
  roundLowFloat: { readonly format: LowFloat; readonly saturate: boolean };
  /** GELU; `tanh` is the tanh approximation, `none` the exact erf form (PyTorch's default). */
  gelu: { readonly approximate: 'none' | 'tanh' };
  not: None;
  // trigonometric and hyperbolic, rounding, sign (no attributes)
  sin: None; cos: None; tan: None; asin: None; acos: None; atan: None;
  sinh: None; cosh: None; asinh: None; acosh: None; atanh: None;
  floor: None; ceil: None;
  /** Round half to even. */
  round: None;
  sign: None;
  // activations
  softplus: None;
  softsign: None;
  mish: None;
  hardSwish: None;
  /** x for x >= 0, alpha x below. */
  leakyRelu: { readonly alpha: number };
  /** x for x > 0, alpha (e^x - 1) below. */
  elu: { readonly alpha: number };
  /** gamma x for x > 0, gamma alpha (e^x - 1) below. */
  selu: { readonly alpha: number; readonly gamma: number };
  /** max(0, x) + min(0, alpha (e^(x / alpha) - 1)). */
  celu: { readonly alpha: number };
  /** max(0, min(1, alpha x + beta)). */
  hardSigmoid: { readonly alpha: number; readonly beta: number };
  /** x for x > alpha, else 0. */
  thresholdedRelu: { readonly alpha: number };
  /** x + bias for x < -lambd, x - bias for x > lambd, else 0. */
  shrink: { readonly lambd: number; readonly bias: number };
  // predicates (bool results)
  isNaN: None;
  /** True at +Inf when detectPositive, at -Inf when detectNegative. */
  isInf: { readonly detectPositive: boolean; readonly detectNegative: boolean };
  /** Element-type conversion; float → int truncates toward zero, as PyTorch and ONNX do. */
  cast: { readonly to: DType };
  // ── elementwise binary (numpy broadcasting) ──
  add: None;
  sub: None;
  mul: None;
  div: None;
  pow: None;
  max: None;
  min: None;
  /** Floored integer remainder (the divisor's sign). */
  mod: None;
  /** Truncated remainder (the dividend's sign, C fmod). */
  fmod: None;
  equal: None;
  less: None;
  greater: None;
  and: None;
  or: None;
  // bitwise, on i32 and i64 (src/ops/bitwise.ts)
  bitAnd: None;
  bitOr: None;
  bitXor: None;
  /** a << b; 0 when b is outside [0, width). */
  shiftLeft: None;
  /** a >> b, arithmetic; 0 or -1 when b is outside [0, width). */
  shiftRight: None;
  /** ~x. */
  bitNot: None;
  /** The 32 bits of an f32 read as an i32, or the reverse. */
  bitcast: { readonly to: 'f32' | 'i32' };
  // ── elementwise ternary ──
  /** where(cond, x, y): x where cond is true, else y; all three broadcast. */
  where: None;
  /** A chain of elementwise ops computed in one pass (made by the fusion pass). */
  fused: { readonly program: ElementwiseProgram };
  // ── sources ──
  /** A literal tensor baked into the graph. */
  constant: { readonly value: Tensor };
  // ── contractions ──
  /**
   * Batched matmul with numpy broadcasting of batch dims; trans* transposes the last two dims of
   * an operand. An epilogue (made by fusion) is applied to the product before it is stored.
   */
  matmul: { readonly transA: boolean; readonly transB: boolean; readonly epilogue?: Epilogue };
  /** alpha * op(A) @ op(B) + beta * C, C optional and broadcast to the result (Linear/Dense/Gemm); then the epilogue. */
  gemm: { readonly transA: boolean; readonly transB: boolean; readonly alpha: number; readonly beta: number; readonly epilogue?: Epilogue };
  /**
   * Fused attention softmax(scale * Q K^T + mask) V over logical Q [batch,heads,seqQ,headDim],
   * K [.., seqK, headDim], V [.., seqK, valueDim], each read through a strided access into its
   * input; the result [batch,heads,seqQ,valueDim] is written through `out` into a tensor of
   * `out.shape`. With `causal`, key j > query i is masked; with `weights`, a second output holds
   * the probabilities [batch,heads,seqQ,seqK].
   */
  attention: {
    readonly batch: number;
    readonly heads: number;
    readonly seqQ: number;
    readonly seqK: number;
    readonly headDim: number;
    readonly valueDim: number;
    readonly scale: number;
    readonly causal: boolean;
    readonly weights: boolean;
    readonly q: Access;
    readonly k: Access;
    readonly v: Access;
    readonly mask?: Access;
    readonly out: Access & { readonly shape: readonly number[] };
  };
  // ── sliding windows over [N, C, ...spatial] (src/ops/window.ts: pads are every begin, then every end) ──
  /**
   * Convolution (cross-correlation, as PyTorch and ONNX): x [N, C, ...], w [OC, C/group, ...kernel],
   * optional bias [OC]; output dims floor((in + pads - (k-1) dilation - 1) / stride) + 1.
   */
  conv: WindowAttrs & { readonly group: number };
  /**
   * Transposed convolution (the gradient of conv with respect to its input): x [N, C, ...],
   * w [C, OC/group, ...kernel], optional bias [OC]; output dims
   * stride (in - 1) + outputPadding + (k-1) dilation + 1 - pads.
   */
  convTranspose: WindowAttrs & { readonly group: number; readonly outputPadding: readonly number[] };
  /**
   * Max over each window (NaN propagates; pads are never chosen). With `indices`, a second i64
   * output holds the flat input index of each maximum (its first occurrence), its spatial part
   * row-major or column-major (ONNX storage_order 1).
   */
  maxPool: PoolAttrs & { readonly indices?: 'row-major' | 'column-major' };
  /** Mean over each window: of the taps inside the input, or with countIncludePad of those inside input and pads. */
  avgPool: PoolAttrs & { readonly countIncludePad: boolean };
  /** (sum over each window of |x|^p)^(1/p); pads count as zeros. */
  lpPool: PoolAttrs & { readonly p: number };
  // ── recurrent layers (time loop inside; see src/ops/recurrent.ts for operands) ──
  /** Elman RNN layer: h' = act(W_ih x + b_ih + W_hh h + b_hh). */
  rnn: { readonly hidden: number; readonly direction: Direction; readonly activation: 'tanh' | 'relu' };
  /** LSTM layer, PyTorch gate order i, f, g, o. */
  lstm: { readonly hidden: number; readonly direction: Direction };
  /**
   * GRU layer, gate order r, z, n. linearBeforeReset (PyTorch's form): n = tanh(W_in x + b_in +
   * r * (W_hn h + b_hn)); otherwise (ONNX's default linear_before_reset = 0):
   * n = tanh(W_in x + b_in + W_hn (r * h) + b_hn).
   */
  gru: { readonly hidden: number; readonly direction: Direction; readonly linearBeforeReset: boolean };
  /** Backpropagation through an rnn's time loop (see src/ops/recurrent-grad.ts for operands). */
  rnnGrad: { readonly hidden: number; readonly direction: Direction; readonly activation: 'tanh' | 'relu' };
  /** Backpropagation through an lstm's time loop (see src/ops/gated-grad.ts for operands). */
  lstmGrad: { readonly hidden: number; readonly direction: Direction };
  /** Backpropagation through a gru's time loop (see src/ops/gated-grad.ts for operands). */
  gruGrad: { readonly hidden: number; readonly direction: Direction };
  // ── normalisations ──
  softmax: { readonly axis: number };
  logSoftmax: { readonly axis: number };
  /** Normalises over dims [axis, rank); optional scale and bias inputs have those trailing dims. */
  layerNorm: { readonly axis: number; readonly epsilon: number };
  // ── reductions ──
  reduceSum: ReduceAttrs;
  reduceMean: ReduceAttrs;
  reduceMax: ReduceAttrs;
  reduceProd: ReduceAttrs;
  // ── movement ──
  /** Target shape; one entry may be -1 (inferred). Element count must match. */
  reshape: { readonly shape: readonly number[] };
  transpose: { readonly perm: readonly number[] };
  concat: { readonly axis: number };
  /** One output per entry of `sizes`, which must sum to the axis length. */
  split: { readonly axis: number; readonly sizes: readonly number[] };
  /** ONNX Slice semantics: per listed axis, start/end clamped to the dim, step non-zero (may be negative). */
  slice: {
    readonly starts: readonly number[];
    readonly ends: readonly number[];
    readonly axes: readonly number[];
    readonly steps: readonly number[];
  };
  squeeze: { readonly axes: readonly number[] };
  unsqueeze: { readonly axes: readonly number[] };
  /** Broadcast to `shape` (numpy rules, both ways, as ONNX Expand). */
  expand: { readonly shape: readonly number[] };
  // ── indexing ──
  /** take(data, indices, axis): embedding lookup is gather on axis 0. Negative indices count from the end. */
  gather: { readonly axis: number };
  // ── selection and scans along one axis (src/ops/arg.ts, cumulative.ts, topk.ts) ──
  /** Index (i64) of the largest element along `axis`; ties to the first, or the last with selectLast; NaN beats numbers. */
  argMax: { readonly axis: number; readonly keepDims: boolean; readonly selectLast: boolean };
  /** Index (i64) of the smallest element along `axis`, as argMax. */
  argMin: { readonly axis: number; readonly keepDims: boolean; readonly selectLast: boolean };
  /** Running sum along `axis`; `exclusive` leaves each element out of its own sum, `reverse` runs from the end. */
  cumSum: { readonly axis: number; readonly exclusive: boolean; readonly reverse: boolean };
  /** Running product along `axis`, as cumSum. */
  cumProd: { readonly axis: number; readonly exclusive: boolean; readonly reverse: boolean };
  /** The k largest (or smallest) elements along `axis` in order, ties by lower index, and their i64 indices. */
  topK: { readonly axis: number; readonly k: number; readonly largest: boolean };
  // ── scatters (src/ops/scatter.ts) ──
  /**
   * scatterElements(data, indices, updates): data with out[idx with its `axis` coordinate replaced
   * by indices[idx]] combined with updates[idx] (`reduction` none replaces), in row-major order.
   */
  scatterElements: { readonly axis: number; readonly reduction: ScatterReduction };
  /** scatterND(data, indices [..., k], updates): the data slices at the k-tuples of indices combined with updates. */
  scatterND: { readonly reduction: ScatterReduction };
  // ── state ──
  /**
   * cacheWrite(cache, update, pos): `cache` with `update` written along `axis` from the runtime
   * offset `pos` (an i32 scalar) on; a KV cache's append. Backends write in place where the plan
   * lets output 0 share the cache's buffer (OpDef.updatesInput0).
   */
  cacheWrite: { readonly axis: number };
}

/** Every op kind. */
export type OpKind = keyof OpAttrs;
