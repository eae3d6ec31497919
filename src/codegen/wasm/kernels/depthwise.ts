// The wasm depthwise convolution family: conv (f32) with one input and one output channel per
// group (groups = channels, no channel multiplier), any number of spatial dims, strides,
// dilations, pads, optional bias and epilogue. The im2col + GEMM path would run such a conv as
// a block of one row; here a unit is one output row of one (image, channel) plane, accumulated
// in place in the output row: it starts at the channel's bias (or 0); every tap of the outer dims
// whose input row is inside the input, and every tap of the last dim (unrolled, its weight one
// v128.load32_splat at a literal offset), adds weight x input to the run of outputs [lo, hi) that
// reads inside the input (static per tap: the border outputs are the runs' complement), 4 outputs
// at a time (one v128 load at stride 1; two loads and a shuffle of the even lanes at stride 2;
// lane by lane otherwise), then the run's last outputs one by one. Then the epilogue program runs
// over the row, its per-channel operands splatted. Kernels wider than 16 taps in the last dim or
// with over 64 taps stay on the im2col path.
import { numel, stridesOf } from '../../../ir/types.ts';
import { type ConvPlan, channelStride, planConv } from '../../../ops/conv-plan.ts';
import type { ElementwiseProgram } from '../../../ops/program.ts';
import { padBegin } from '../../../ops/window.ts';
import type { FunctionBuilder } from '../encoder.ts';
import type { UnitRange, WasmKernelFamily, WasmKernelInput, WasmNodeInfo } from '../kernel.ts';
import { emitVectorProgram, vectorProgramFits } from './elementwise.ts';
import { VecMath } from './vmath.ts';

/** Largest last-dim kernel and tap count the family unrolls. */
const MAX_LAST_TAPS = 16;
const MAX_TAPS = 64;

/** The static geometry of one depthwise conv node. */
interface Geometry {
  readonly p: ConvPlan;
  readonly attrs: WasmNodeInfo<'conv'>['node']['attrs'];
  readonly taps: number;
  readonly inSize: number;
  readonly outSize: number;
  readonly rows: number;
  readonly wOut: number;
  readonly hasBias: boolean;
  readonly program?: ElementwiseProgram;
  /** The epilogue's operands: input index and channel stride (1 per channel, 0 one value). */
  readonly extras: readonly { readonly input: number; readonly stride: 0 | 1 }[];
}

function geometry(n: WasmNodeInfo<'conv'>): Geometry {
  const a = n.node.attrs;
  const own = n.inputs.length - (a.epilogue ? a.epilogue.inputs - 1 : 0);
  const p = planConv(n.inputs.slice(0, own), a);
  const out = n.outputs[0]!.shape;
  return {
    p, attrs: a, taps: numel(p.kernel), inSize: numel(p.input), outSize: numel(p.output),
    rows: numel(p.output.slice(0, -1)), wOut: p.output[p.output.length - 1]!, hasBias: own > 2,
    ...(a.epilogue ? { program: a.epilogue } : {}),
    extras: n.inputs.slice(own).map((t, e) => ({ input: own + e, stride: channelStride(out, t.shape) ?? 0 })),
  };
}

/** Whether a conv node is depthwise without a multiplier. */
export function isDepthwise(n: WasmNodeInfo<'conv'>): boolean {
  const own = n.inputs.length - (n.node.attrs.epilogue ? n.node.attrs.epilogue.inputs - 1 : 0);
  const p = planConv(n.inputs.slice(0, own), n.node.attrs);
  return p.group > 1 && p.group === p.inChannels && p.group === p.outChannels;
}

/** Locals of one kernel. */
interface Locals {
  readonly f: FunctionBuilder;
  readonly g: Geometry;
  readonly vm: VecMath;
  readonly u: number;
  readonly plane: number;
  readonly ch: number;
  readonly row: number;
  readonly out: number;
  readonly src: number;
  readonly valid: number;
  readonly tmp: number;
  readonly ow: number;
  readonly wAt: number;
  readonly acc: number;
  readonly wv: number;
  readonly ins: readonly number[];
  readonly steps: readonly number[];
  readonly o: readonly number[];
}

/** Pushes the 4 inputs of outputs ow..ow+3 from src (at stride s). */
function load4(L: Locals, s: number): void {
  const { f } = L;
  f.get(L.src).get(L.ow).i32(s * 4).op('i32.mul').op('i32.add').set(L.tmp);
  if (s === 1) f.get(L.tmp).mem('v128.load', 0, 0);
  else if (s === 2) f.get(L.tmp).mem('v128.load', 0, 0).get(L.tmp).mem('v128.load', 16, 0).shuffle([0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27]);
  else {
    f.get(L.tmp).mem('v128.load32_zero', 0, 0);
    for (let l = 1; l < 4; l++) f.set(L.acc).get(L.acc).get(L.tmp).mem('f32.load', l * s * 4).lane('f32x4.replace_lane', l);
  }
}

/** One last-dim tap at `shift` (src is the input row + shift, wv its weight splatted): out[ow] += w * x over [lo, hi). */
function emitTap(L: Locals, shift: number): void {
  const { f, g } = L;
  const r = g.p.input.length - 1;
  const [s, wIn] = [g.attrs.strides[r]!, g.p.input[r]!];
  const lo = shift >= 0 ? 0 : Math.min(g.wOut, Math.ceil(-shift / s));
  const hi = Math.max(lo, Math.min(g.wOut, wIn - 1 - shift < 0 ? 0 : Math.floor((wIn - 1 - shift) / s) + 1));
  // Interior groups of 4 whose loads stay inside the input row (stride 2 reads one element past the 4th).
  let groups = 0;
  while (lo + 4 * groups + 4 <= hi && (s !== 2 || (lo + 4 * groups + 3) * s + shift + 1 <= wIn - 1)) groups++;
  f.for(L.ow, lo, lo + 4 * groups, 4, () => {
    f.get(L.out).get(L.ow).i32(4).op('i32.mul').op('i32.add').set(L.valid);
    f.get(L.valid).get(L.valid).mem('v128.load', 0, 0);
    load4(L, s);
    f.get(L.wv).op('f32x4.mul', 'f32x4.add');
    f.mem('v128.store', 0, 0);
  });
  f.for(L.ow, lo + 4 * groups, hi, 1, () => {
    f.get(L.out).get(L.ow).i32(4).op('i32.mul').op('i32.add').tee(L.valid).get(L.valid).mem('f32.load');
    f.get(L.src).get(L.ow).i32(s * 4).op('i32.mul').op('i32.add').mem('f32.load');
    f.get(L.wv).lane('f32x4.extract_lane', 0).op('f32.mul', 'f32.add');
    f.mem('f32.store');
  });
}

/** Pushes the channel's value of operand `input` (stride 1) or its one value (0), splatted. */
function splatOperand(L: Locals, k: WasmKernelInput<'conv'>, input: number, stride: 0 | 1): void {
  const { f } = L;
  if (stride === 1) f.get(L.ch).i32(4).op('i32.mul').mem('v128.load32_splat', k.x[input]!);
  else f.i32(0).mem('v128.load32_splat', k.x[input]!);
}

/** Sets the output row to the bias splat (or 0). */
function emitInit(L: Locals, k: WasmKernelInput<'conv'>): void {
  const { f, g } = L;
  if (g.hasBias) splatOperand(L, k, 2, 1);
  else f.f32x4(0);
  f.set(L.acc);
  const full = g.wOut - (g.wOut % 4);
  f.for(L.ow, 0, full, 4, () => void f.get(L.out).get(L.ow).i32(4).op('i32.mul').op('i32.add').get(L.acc).mem('v128.store', 0, 0));
  f.for(L.ow, full, g.wOut, 1, () => void f.get(L.out).get(L.ow).i32(4).op('i32.mul').op('i32.add').get(L.acc).lane('f32x4.extract_lane', 0).mem('f32.store'));
}

/** Runs the epilogue over the output row: 4 outputs a vector, the last ones lane 0 of a vector. */
function emitEpilogue(L: Locals, k: WasmKernelInput<'conv'>): void {
  const { f, g } = L;
  const program = g.program!;
  g.extras.forEach((x, e) => {
    splatOperand(L, k, x.input, x.stride);
    f.set(L.ins[e]!);
  });
  const full = g.wOut - (g.wOut % 4);
  const body = (vector: boolean): void => {
    f.get(L.out).get(L.ow).i32(4).op('i32.mul').op('i32.add').set(L.valid);
    f.get(L.valid);
    f.get(L.valid).mem(vector ? 'v128.load' : 'v128.load32_zero', 0, vector ? 0 : undefined).set(L.acc);
    f.get(emitVectorProgram(f, L.vm, program, [L.acc, ...L.ins], L.steps));
    if (vector) f.mem('v128.store', 0, 0);
    else f.lane('f32x4.extract_lane', 0).mem('f32.store');
  };
  f.for(L.ow, 0, full, 4, () => body(true));
  f.for(L.ow, full, g.wOut, 1, () => body(false));
}

/** One unit: output row `row` of plane `plane` (image * C + channel). */
function emitRow(L: Locals, k: WasmKernelInput<'conv'>): void {
  const { f, g } = L;
  const a = g.attrs;
  const kernel = g.p.kernel;
  const outer = g.p.output.slice(0, -1);
  const ost = stridesOf(outer);
  const ist = stridesOf(g.p.input);
  f.get(L.u).i32(g.rows).op('i32.div_u').set(L.plane).get(L.u).i32(g.rows).op('i32.rem_u').set(L.row);
  f.get(L.plane).i32(g.p.outChannels).op('i32.rem_u').set(L.ch);
  L.o.forEach((o, d) => {
    f.get(L.row);
    if (ost[d] !== 1) f.i32(ost[d]!).op('i32.div_u');
    if (d > 0) f.i32(outer[d]!).op('i32.rem_u');
    f.set(o);
  });
  f.get(L.plane).i32(g.outSize).op('i32.mul').get(L.row).i32(g.wOut).op('i32.mul').op('i32.add').i32(4).op('i32.mul').i32(k.y[0]!).op('i32.add').set(L.out);
  f.get(L.ch).i32(g.taps * 4).op('i32.mul').i32(k.x[1]!).op('i32.add').set(L.wAt);
  emitInit(L, k);
  const r = g.p.input.length - 1;
  const outerK = kernel.slice(0, -1);
  const count = numel(outerK);
  for (let ti = 0; ti < count; ti++) {
    const t = outerK.map((_, d) => Math.floor(ti / numel(outerK.slice(d + 1))) % outerK[d]!);
    f.get(L.plane).i32(g.inSize * 4).op('i32.mul').i32(k.x[0]!).op('i32.add').set(L.src).i32(1).set(L.valid);
    t.forEach((td, d) => {
      f.get(L.o[d]!).i32(a.strides[d]!).op('i32.mul').i32(td * a.dilations[d]! - padBegin(a, d)).op('i32.add').tee(L.tmp);
      f.i32(g.p.input[d]!).op('i32.lt_u').get(L.valid).op('i32.and').set(L.valid);
      f.get(L.src).get(L.tmp).i32(ist[d]! * 4).op('i32.mul').op('i32.add').set(L.src);
    });
    const taps = (): void => {
      for (let tl = 0; tl < kernel[r]!; tl++) {
        const shift = tl * a.dilations[r]! - padBegin(a, r);
        f.get(L.wAt).mem('v128.load32_splat', (ti * kernel[r]! + tl) * 4).set(L.wv);
        f.get(L.src).i32(shift * 4).op('i32.add').set(L.src);
        emitTap(L, shift);
        f.get(L.src).i32(shift * 4).op('i32.sub').set(L.src);
      }
    };
    if (t.length === 0) taps();
    else f.get(L.valid).if(taps);
  }
  if (g.program) emitEpilogue(L, k);
}

/** The depthwise family (tried before the im2col family, which takes every other conv). */
export const depthwiseFamily: WasmKernelFamily<'conv'> = {
  name: 'depthwise conv as f32x4 updates of an output row by unrolled taps, one row of one channel a unit',
  accepts(n) {
    if (![...n.inputs, ...n.outputs].every((t) => t.dtype === 'f32') || numel(n.outputs[0]!.shape) === 0 || !isDepthwise(n)) return false;
    const g = geometry(n);
    if (g.p.kernel[g.p.kernel.length - 1]! > MAX_LAST_TAPS || g.taps > MAX_TAPS) return false;
    return !g.program || vectorProgramFits(g.program, [n.outputs[0]!, ...g.extras.map((x) => n.inputs[x.input]!)]);
  },
  units: (n) => {
    const g = geometry(n);
    return g.p.batch * g.p.outChannels * g.rows;
  },
  emit(f, k, range: UnitRange) {
    const g = geometry(k);
    const i32 = (): number => f.local('i32');
    const v128 = (): number => f.local('v128');
    const L: Locals = {
      f, g, vm: new VecMath(f, k.simd),
      u: i32(), plane: i32(), ch: i32(), row: i32(), out: i32(), src: i32(), valid: i32(), tmp: i32(), ow: i32(), wAt: i32(),
      acc: v128(), wv: v128(), ins: g.extras.map(v128), steps: (g.program?.steps ?? []).map(v128),
      o: g.p.output.slice(0, -1).map(i32),
    };
    f.get(range.lo).set(L.u);
    f.block(() => {
      f.get(L.u).get(range.hi).op('i32.ge_s').brIf(0);
      f.loop(() => {
        emitRow(L, k);
        f.get(L.u).i32(1).op('i32.add').tee(L.u).get(range.hi).op('i32.lt_s').brIf(0);
      });
    });
  },
};
