// Row kernels: softmax and logSoftmax over the last axis, layerNorm over trailing dims (with or
// without scale and bias). One unit is one row; each pass over a row runs four lanes at a time
// with four-lane accumulators (reduced across lanes at the end of the pass) and a scalar tail.
// Accumulation is in f32 (the rtol 1e-4 contract); NaN and infinities behave as the reference:
// a row that is all -Infinity softmaxes to NaN.
import { numel } from '../../../ir/types.ts';
import { normAxis } from '../../../ops/util.ts';
import type { FunctionBuilder, PlainOp } from '../encoder.ts';
import type { UnitRange, WasmKernelFamily, WasmKernelInput, WasmNodeInfo } from '../kernel.ts';
import { VecMath } from './vmath.ts';

type RowKind = 'softmax' | 'logSoftmax' | 'layerNorm';

/** Elements per row. */
function rowLength(n: WasmNodeInfo<RowKind>): number {
  const shape = n.inputs[0]!.shape;
  return numel(shape.slice(normAxis(n.node.attrs.axis, shape.length)));
}

/**
 * One pass over a row of `d` elements: `body(addr, tail)` pushes nothing and consumes nothing;
 * `addr` pushes the element's byte offset from the row start plus the row's (memarg offsets add
 * the tensor). Vectors first (tail false), then each leftover element (tail true, offset extra).
 */
function pass(f: FunctionBuilder, j: number, rb: number, d: number, body: (addr: () => void, extra: number, tail: boolean) => void): void {
  const full = d - (d % 4);
  f.for(j, 0, full * 4, 16, () => body(() => f.get(rb).get(j).op('i32.add'), 0, false));
  for (let t = full; t < d; t++) body(() => f.get(rb), 4 * t, true);
}

/** Reduces the four lanes of the v128 local `v` with `op`, folds in the f32 local `s`, leaves the f32 on the stack. */
function horizontal(f: FunctionBuilder, v: number, s: number, op: PlainOp): void {
  f.get(s);
  for (let l = 0; l < 4; l++) f.get(v).lane('f32x4.extract_lane', l).op(op);
}

/** Loops units [lo, hi) as rows; `rb` holds the row's byte offset. */
function rowLoop(f: FunctionBuilder, { lo, hi }: UnitRange, d: number, body: (rb: number) => void): void {
  const [r, rb] = [f.local('i32'), f.local('i32')];
  f.get(lo).set(r);
  f.block(() => f.loop(() => {
    f.get(r).get(hi).op('i32.ge_s').brIf(1);
    f.get(r).i32(4 * d).op('i32.mul').set(rb);
    body(rb);
    f.get(r).i32(1).op('i32.add').set(r).br(0);
  }));
}

function emitSoftmax(f: FunctionBuilder, k: WasmKernelInput<RowKind>, range: UnitRange, log: boolean): void {
  const d = rowLength(k);
  const [x, y] = [k.x[0]!, k.y[0]!];
  const vm = new VecMath(f, k.simd);
  const j = f.local('i32');
  const [acc, mx, e] = [f.local('v128'), f.local('v128'), f.local('v128')];
  const [s, m] = [f.local('f32'), f.local('f32')];
  rowLoop(f, range, d, (rb) => {
    // Pass 1: the row's max (NaN propagates, as Math.max).
    f.f32x4(-Infinity).set(acc).f32(-Infinity).set(s);
    pass(f, j, rb, d, (addr, extra, tail) => {
      if (tail) {
        addr();
        f.mem('f32.load', x + extra).get(s).op('f32.max').set(s);
      } else {
        f.get(acc);
        addr();
        f.mem('v128.load', x).op('f32x4.max').set(acc);
      }
    });
    horizontal(f, acc, s, 'f32.max');
    f.tee(m).op('f32x4.splat').set(mx);
    // Pass 2: exp(x - max), stored for softmax, summed.
    f.f32x4(0).set(acc).f32(0).set(s);
    pass(f, j, rb, d, (addr, extra, tail) => {
      addr();
      f.mem(tail ? 'v128.load32_zero' : 'v128.load', x + extra).get(mx).op('f32x4.sub');
      vm.exp();
      f.set(e);
      if (!log) {
        addr();
        f.get(e);
        if (tail) f.lane('f32x4.extract_lane', 0).mem('f32.store', y + extra);
        else f.mem('v128.store', y);
      }
      if (tail) f.get(s).get(e).lane('f32x4.extract_lane', 0).op('f32.add').set(s);
      else f.get(acc).get(e).op('f32x4.add').set(acc);
    });
    horizontal(f, acc, s, 'f32.add');
    // Pass 3: y / sum, or x - (max + log sum).
    if (log) {
      f.op('f32x4.splat');
      vm.log();
      f.get(mx).op('f32x4.add').set(mx);
    } else {
      f.set(s).f32x4(1).get(s).op('f32x4.splat', 'f32x4.div').set(mx);
    }
    pass(f, j, rb, d, (addr, extra, tail) => {
      addr();
      addr();
      if (log) f.mem(tail ? 'v128.load32_zero' : 'v128.load', x + extra).get(mx).op('f32x4.sub');
      else f.mem(tail ? 'v128.load32_zero' : 'v128.load', y + extra).get(mx).op('f32x4.mul');
      if (tail) f.lane('f32x4.extract_lane', 0).mem('f32.store', y + extra);
      else f.mem('v128.store', y);
    });
  });
}

function emitLayerNorm(f: FunctionBuilder, k: WasmKernelInput<'layerNorm'>, range: UnitRange): void {
  const d = rowLength(k);
  const [x, y, g, b] = [k.x[0]!, k.y[0]!, k.x[1], k.x[2]];
  const j = f.local('i32');
  const [acc, mean, inv, c] = [f.local('v128'), f.local('v128'), f.local('v128'), f.local('v128')];
  const s = f.local('f32');
  rowLoop(f, range, d, (rb) => {
    f.f32x4(0).set(acc).f32(0).set(s);
    pass(f, j, rb, d, (addr, extra, tail) => {
      if (tail) f.get(s);
      else f.get(acc);
      addr();
      if (tail) f.mem('f32.load', x + extra).op('f32.add').set(s);
      else f.mem('v128.load', x).op('f32x4.add').set(acc);
    });
    horizontal(f, acc, s, 'f32.add');
    f.f32(d).op('f32.div', 'f32x4.splat').set(mean);
    f.f32x4(0).set(acc).f32(0).set(s);
    pass(f, j, rb, d, (addr, extra, tail) => {
      addr();
      f.mem(tail ? 'v128.load32_zero' : 'v128.load', x + extra).get(mean).op('f32x4.sub').tee(c).get(c).op('f32x4.mul');
      if (tail) f.lane('f32x4.extract_lane', 0).get(s).op('f32.add').set(s);
      else f.get(acc).op('f32x4.add').set(acc);
    });
    horizontal(f, acc, s, 'f32.add');
    f.f32(d).op('f32.div').f32(k.node.attrs.epsilon).op('f32.add', 'f32.sqrt').set(s);
    f.f32x4(1).get(s).op('f32x4.splat', 'f32x4.div').set(inv);
    pass(f, j, rb, d, (addr, extra, tail) => {
      const load = tail ? 'v128.load32_zero' : 'v128.load';
      addr();
      addr();
      f.mem(load, x + extra).get(mean).op('f32x4.sub').get(inv).op('f32x4.mul');
      // Scale and bias are indexed by the element's place in the row: the row offset is taken off.
      const inRow = (): FunctionBuilder => (tail ? f.i32(0) : f.get(j));
      if (g !== undefined) inRow().mem(load, g + extra).op('f32x4.mul');
      if (b !== undefined) inRow().mem(load, b + extra).op('f32x4.add');
      if (tail) f.lane('f32x4.extract_lane', 0).mem('f32.store', y + extra);
      else f.mem('v128.store', y);
    });
  });
}

const accepts = (n: WasmNodeInfo<RowKind>): boolean => {
  const shape = n.inputs[0]!.shape;
  if (!n.inputs.every((t) => t.dtype === 'f32') || numel(shape) === 0 || rowLength(n) === 0) return false;
  // softmax along an inner axis reads strided columns: that stays TS.
  return n.node.op === 'layerNorm' || normAxis(n.node.attrs.axis, shape.length) === shape.length - 1;
};

/** softmax and logSoftmax over the last axis, one row per unit. */
export const softmaxFamily: WasmKernelFamily<'softmax' | 'logSoftmax'> = {
  name: 'rows: softmax / logSoftmax over the last axis, vector max, exp and sum passes',
  accepts,
  units: (n) => Math.max(1, numel(n.inputs[0]!.shape) / rowLength(n)),
  emit: (f, k, range) => emitSoftmax(f, k, range, k.node.op === 'logSoftmax'),
};

/** layerNorm, one row per unit. */
export const layerNormFamily: WasmKernelFamily<'layerNorm'> = {
  name: 'rows: layerNorm, vector mean and variance passes, then normalise-scale-shift',
  accepts,
  units: (n) => Math.max(1, numel(n.inputs[0]!.shape) / rowLength(n)),
  emit: emitLayerNorm,
};
