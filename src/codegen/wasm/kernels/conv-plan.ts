// The wasm convolution family's view of a conv node, as a contraction per (image, group):
// out[oc, p] = bias[oc] + sum_k W[oc, k] * cols[k, p], with k = (input channel, tap) and p the
// output positions. W is the GEMM's A, read in place (row stride K, one splat per row and k);
// cols is its B, written by the kernel as k-major panels of 8 positions (im2col straight into
// the panel layout the register block reads); the output rows are output channels and its
// columns positions, so the blocks' 4-lane stores land in NCHW order. Pure data: no code here.
import { numel, stridesOf } from '../../../ir/types.ts';
import { type ConvPlan, planConv } from '../../../ops/conv.ts';
import type { ElementwiseProgram } from '../../../ops/program.ts';
import { padBegin } from '../../../ops/window.ts';
import type { WasmNodeInfo } from '../kernel.ts';
import { NR } from './gemm-block.ts';
import type { GemmPlan } from './gemm-plan.ts';

/** Floats of one share's im2col panels at most (64 KiB: inside L2 beside the weights). */
const PANEL_FLOATS = 16384;

/** The static geometry of one conv node's kernel. */
export interface ConvGeometry {
  readonly p: ConvPlan;
  /** Input channels and output channels per group, kernel taps, and K = channels x taps. */
  readonly cg: number;
  readonly ocg: number;
  readonly taps: number;
  readonly depth: number;
  /** Elements of one input and one output plane. */
  readonly inSize: number;
  readonly outSize: number;
  /** Output rows (positions of every spatial dim but the last) and the last dim's length. */
  readonly rows: number;
  readonly wOut: number;
  /** Positions of one segment of a row (a multiple of 8, at most the row rounded up), and segments per row. */
  readonly seg: number;
  readonly segs: number;
  /** Positions of the last segment of a row. */
  readonly lastSeg: number;
  /** Per spatial dim: input size, stride, dilation, pad before, kernel size; input plane strides. */
  readonly input: readonly number[];
  readonly strides: readonly number[];
  readonly dilations: readonly number[];
  readonly padsBegin: readonly number[];
  readonly kernel: readonly number[];
  readonly inStrides: readonly number[];
  /** The contraction the register block runs (m = ocg, n = the output plane's row stride, k = K). */
  readonly gemm: GemmPlan;
}

/** bias + acc as the store's epilogue program: value 0 the accumulator, 1 the bias splat. */
const BIAS: ElementwiseProgram = { inputs: 2, steps: [{ op: 'add', attrs: {}, args: [0, 1] } as ElementwiseProgram['steps'][number]] };

/** The geometry of a conv node (shape inference has run, so the plan is valid). */
export function convGeometry(n: WasmNodeInfo<'conv'>): ConvGeometry {
  const a = n.node.attrs;
  const p = planConv(n.inputs, a);
  const r = p.input.length;
  const cg = p.inChannels / p.group;
  const ocg = p.outChannels / p.group;
  const taps = numel(p.kernel);
  const depth = cg * taps;
  const outSize = numel(p.output);
  const wOut = p.output[r - 1]!;
  const seg = Math.min(Math.ceil(wOut / NR) * NR, Math.max(NR, Math.floor(PANEL_FLOATS / depth / NR) * NR));
  const segs = Math.ceil(wOut / seg);
  const hasBias = n.inputs.length > 2;
  const gemm: GemmPlan = {
    batch: [], m: ocg, n: outSize, k: depth,
    a: { batch: [], row: depth, col: 1 },
    b: { batch: [], row: NR, col: 1 },
    bMatrices: 1, bMatrixSize: depth * outSize,
    alpha: 1, beta: 0,
    ...(hasBias ? { program: BIAS } : {}),
    extras: hasBias ? [{ input: 2, ref: { batch: [], row: 1, col: 0 } }] : [],
  };
  return {
    p, cg, ocg, taps, depth, inSize: numel(p.input), outSize,
    rows: numel(p.output.slice(0, -1)), wOut, seg, segs, lastSeg: wOut - (segs - 1) * seg,
    input: p.input, strides: a.strides, dilations: a.dilations,
    padsBegin: a.strides.map((_, d) => padBegin(a, d)), kernel: p.kernel, inStrides: stridesOf(p.input),
    gemm,
  };
}

/** Work units: (image, group, output row, segment), segment fastest. */
export const convUnits = (g: ConvGeometry): number => g.p.batch * g.p.group * g.rows * g.segs;

/** Bytes of one share's panels: K x seg floats. */
export const convScratchBytes = (g: ConvGeometry): number => g.depth * g.seg * 4;
