// The wasm pool family: maxPool (without indices) and avgPool whose divisor is the same for every
// window (no window cut by the input's edge, or by the pads with countIncludePad), f32. A unit is
// one output row of one (image, channel) plane, accumulated in place in the output row: it starts
// at -Inf (max) or 0 (sum); every tap of the outer dims whose input row is inside the input, and
// every tap of the last dim, updates the run of outputs [lo, hi) that reads inside the input
// (static per tap), 4 outputs at a time (one v128 load at stride 1; two loads and a shuffle of the
// even lanes at stride 2; lane by lane otherwise), then the edge outputs one by one. f32x4.max
// propagates NaN as the reference does; an empty window stays -Inf. avgPool then divides by the
// divisor. Other pools (indices, lpPool, edge-dependent divisors, kernels wider than 16 or with
// over 64 taps) stay on the TS kernel.
import { numel, stridesOf } from '../../../ir/types.ts';
import type { PoolAttrs } from '../../../ops/attrs.ts';
import { padBegin } from '../../../ops/window.ts';
import { tapCount } from '../../ts/kernels/pool.ts';
import type { FunctionBuilder } from '../encoder.ts';
import type { UnitRange, WasmKernelFamily, WasmKernelInput, WasmNodeInfo } from '../kernel.ts';

type PoolKind = 'maxPool' | 'avgPool';

/** Largest last-dim kernel and tap count the family unrolls. */
const MAX_LAST_TAPS = 16;
const MAX_TAPS = 64;

/** The static geometry of one pool node. */
interface PoolGeometry {
  readonly a: PoolAttrs;
  readonly planes: number;
  readonly input: readonly number[];
  readonly output: readonly number[];
  readonly inSize: number;
  readonly outSize: number;
  readonly rows: number;
  readonly wOut: number;
  /** avgPool's divisor (undefined for maxPool, or when it varies between windows). */
  readonly divisor?: number;
}

function geometry(n: WasmNodeInfo<PoolKind>): PoolGeometry {
  const a = n.node.attrs;
  const [x, y] = [n.inputs[0]!.shape, n.outputs[0]!.shape];
  const input = x.slice(2);
  const output = y.slice(2);
  let divisor: number | undefined;
  if (n.node.op === 'avgPool') {
    const withPads = (a as { countIncludePad: boolean }).countIncludePad;
    const counts = output.map((size, d) => new Set(Array.from({ length: size }, (_, o) => tapCount(a, input[d]!, d, o, withPads))));
    if (counts.every((c) => c.size === 1)) divisor = counts.reduce((p, c) => p * [...c][0]!, 1);
  }
  return {
    a, planes: x[0]! * x[1]!, input, output, inSize: numel(input), outSize: numel(output),
    rows: numel(output.slice(0, -1)), wOut: output[output.length - 1]!, ...(divisor === undefined ? {} : { divisor }),
  };
}

/** Locals of one pool kernel. */
interface Locals {
  readonly f: FunctionBuilder;
  readonly g: PoolGeometry;
  readonly max: boolean;
  readonly u: number;
  readonly plane: number;
  readonly row: number;
  readonly out: number;
  readonly src: number;
  readonly valid: number;
  readonly tmp: number;
  readonly ow: number;
  readonly acc: number;
  readonly o: readonly number[];
}

/** acc = max(acc, top) or acc + top, for f32x4 or f32. */
function combine(L: Locals, vector: boolean): void {
  L.f.op(vector ? (L.max ? 'f32x4.max' : 'f32x4.add') : L.max ? 'f32.max' : 'f32.add');
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

/** One last-dim tap: the outputs [lo, hi) reading inside the input, from src (the input row + the tap's shift). */
function emitTap(L: Locals, shift: number): void {
  const { f, g } = L;
  const r = g.input.length - 1;
  const [s, wIn] = [g.a.strides[r]!, g.input[r]!];
  const lo = shift >= 0 ? 0 : Math.min(g.wOut, Math.ceil(-shift / s));
  const hi = Math.max(lo, Math.min(g.wOut, wIn - 1 - shift < 0 ? 0 : Math.floor((wIn - 1 - shift) / s) + 1));
  // Groups of 4 whose loads stay inside the input row (stride 2 reads one element past the 4th).
  let groups = 0;
  while (lo + 4 * groups + 4 <= hi && (s !== 2 || (lo + 4 * groups + 3) * s + shift + 1 <= wIn - 1)) groups++;
  f.for(L.ow, lo, lo + 4 * groups, 4, () => {
    f.get(L.out).get(L.ow).i32(4).op('i32.mul').op('i32.add').set(L.valid);
    f.get(L.valid).get(L.valid).mem('v128.load', 0, 0);
    load4(L, s);
    combine(L, true);
    f.mem('v128.store', 0, 0);
  });
  f.for(L.ow, lo + 4 * groups, hi, 1, () => {
    f.get(L.out).get(L.ow).i32(4).op('i32.mul').op('i32.add').tee(L.valid).get(L.valid).mem('f32.load');
    f.get(L.src).get(L.ow).i32(s * 4).op('i32.mul').op('i32.add').mem('f32.load');
    combine(L, false);
    f.mem('f32.store');
  });
}

/** Fills the output row with v (f32x4 stores, then lane stores), or maps it through `/ divisor`. */
function emitRowPass(L: Locals, init?: number): void {
  const { f, g } = L;
  const body = (vector: boolean): void => {
    f.get(L.out).get(L.ow).i32(4).op('i32.mul').op('i32.add').set(L.valid);
    f.get(L.valid);
    if (init !== undefined) {
      if (vector) f.f32x4(init);
      else f.f32(init);
    } else {
      f.get(L.valid).mem(vector ? 'v128.load' : 'f32.load', 0, vector ? 0 : undefined);
      if (vector) f.f32x4(g.divisor!).op('f32x4.div');
      else f.f32(g.divisor!).op('f32.div');
    }
    f.mem(vector ? 'v128.store' : 'f32.store', 0, vector ? 0 : undefined);
  };
  const full = g.wOut - (g.wOut % 4);
  f.for(L.ow, 0, full, 4, () => body(true));
  f.for(L.ow, full, g.wOut, 1, () => body(false));
}

/** One unit: output row `row` of plane `plane`. */
function emitRow(L: Locals, k: WasmKernelInput<PoolKind>): void {
  const { f, g } = L;
  const a = g.a;
  const outer = g.output.slice(0, -1);
  const ost = stridesOf(outer);
  const ist = stridesOf(g.input);
  f.get(L.u).i32(g.rows).op('i32.div_u').set(L.plane).get(L.u).i32(g.rows).op('i32.rem_u').set(L.row);
  L.o.forEach((o, d) => {
    f.get(L.row);
    if (ost[d] !== 1) f.i32(ost[d]!).op('i32.div_u');
    if (d > 0) f.i32(outer[d]!).op('i32.rem_u');
    f.set(o);
  });
  f.get(L.plane).i32(g.outSize).op('i32.mul').get(L.row).i32(g.wOut).op('i32.mul').op('i32.add').i32(4).op('i32.mul').i32(k.y[0]!).op('i32.add').set(L.out);
  emitRowPass(L, L.max ? -Infinity : 0);
  const r = g.input.length - 1;
  const outerK = a.kernel.slice(0, -1);
  const count = numel(outerK);
  for (let ti = 0; ti < count; ti++) {
    const t = outerK.map((_, d) => Math.floor(ti / numel(outerK.slice(d + 1))) % outerK[d]!);
    // src = x + (plane * inSize + sum_d i_d * inStride_d) * 4, valid = every i_d inside the input.
    f.get(L.plane).i32(g.inSize * 4).op('i32.mul').i32(k.x[0]!).op('i32.add').set(L.src).i32(1).set(L.valid);
    t.forEach((td, d) => {
      f.get(L.o[d]!).i32(a.strides[d]!).op('i32.mul').i32(td * a.dilations[d]! - padBegin(a, d)).op('i32.add').tee(L.tmp);
      f.i32(g.input[d]!).op('i32.lt_u').get(L.valid).op('i32.and').set(L.valid);
      f.get(L.src).get(L.tmp).i32(ist[d]! * 4).op('i32.mul').op('i32.add').set(L.src);
    });
    const taps = (): void => {
      for (let tl = 0; tl < a.kernel[r]!; tl++) {
        const shift = tl * a.dilations[r]! - padBegin(a, r);
        f.get(L.src).i32(shift * 4).op('i32.add').set(L.src);
        emitTap(L, shift);
        f.get(L.src).i32(shift * 4).op('i32.sub').set(L.src);
      }
    };
    if (t.length === 0) taps();
    else f.get(L.valid).if(taps);
  }
  if (!L.max) emitRowPass(L);
}

/** The pool family. */
export const poolFamily: WasmKernelFamily<PoolKind> = {
  name: 'maxPool and constant-divisor avgPool as f32x4 updates of an output row, one row a unit',
  accepts(n) {
    const a = n.node.attrs;
    if (n.node.op === 'maxPool' && (a as { indices?: string }).indices) return false;
    if (n.node.op === 'avgPool' && geometry(n).divisor === undefined) return false;
    const last = a.kernel[a.kernel.length - 1]!;
    return n.inputs[0]!.dtype === 'f32' && last <= MAX_LAST_TAPS && numel(a.kernel) <= MAX_TAPS && numel(n.outputs[0]!.shape) > 0;
  },
  units: (n) => {
    const g = geometry(n);
    return g.planes * g.rows;
  },
  emit(f, k, range: UnitRange) {
    const g = geometry(k);
    const i32 = (): number => f.local('i32');
    const L: Locals = {
      f, g, max: k.node.op === 'maxPool',
      u: i32(), plane: i32(), row: i32(), out: i32(), src: i32(), valid: i32(), tmp: i32(), ow: i32(), acc: f.local('v128'),
      o: g.output.slice(0, -1).map(i32),
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
