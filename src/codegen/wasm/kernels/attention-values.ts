// The online softmax and O += P V of one key tile, then the output (and the weights).
// Per tile and row: the tile's max m_t, the running max m' = max(m, m_t), the shift
// s = m' (0 while every score so far is -Infinity, so masked keys give exp(-Inf) = 0, not NaN),
// p = exp(score - s) in place, the rescale alpha = exp(m - s) and l = alpha l + sum p; four rows
// at once in the lanes of one vector. P V runs MR rows x PV_VECS value vectors of accumulators
// over the tile's keys (V rows in place, P splatted from the score rows); with one tile it stores
// acc / l straight to the output, with several it folds acc into the scratch accumulator
// (o = alpha o + acc) and divides at the end. A row whose every key is masked ends with l = 0 and
// 0 / 0 = NaN, as the interpreter.
import type { FunctionBuilder } from '../encoder.ts';
import { type AttnCtx, MR, PV_VECS, addrOf, loadLanes, madd, stepLoop, storeLanes } from './attention-plan.ts';

/** Pushes the f32 max or sum of the four lanes of v128 local `v`. */
function across(f: FunctionBuilder, v: number, op: 'f32.max' | 'f32.add'): void {
  f.get(v).lane('f32x4.extract_lane', 0);
  for (let l = 1; l < 4; l++) f.get(v).lane('f32x4.extract_lane', l).op(op);
}

/** Softmax statistics of the tile; leaves p in the score rows and this tile's alpha in stats (several tiles). */
export function emitTileSoftmax(c: AttnCtx): void {
  const { f, p, vm } = c;
  const [pp, pe] = [f.local('i32'), f.local('i32')];
  const [mx, mt, ms, sum, e] = [f.local('v128'), f.local('v128'), f.local('v128'), f.local('v128'), f.local('v128')];
  // Score vectors of the tile: (te - t0) keys rounded up to whole groups (padding lanes are -Infinity).
  f.get(c.te).get(c.t0).op('i32.sub').i32(3).op('i32.add').i32(-4).op('i32.and').i32(4).op('i32.mul').get(c.sc).op('i32.add').set(pe);
  const rows = (body: () => void): void => {
    f.get(c.sc).set(pp);
    stepLoop(f, pp, 16, pe, body);
  };
  f.get(c.sc).mem('v128.load', p.maxOff).set(mt);
  for (let r = 0; r < MR; r++) {
    const off = p.sOff + 4 * r * p.tile;
    f.f32x4(-Infinity).set(mx);
    // pmax (one instruction) may drop a NaN score from the max; the NaN still reaches its p and the sum, so the row is NaN anyway.
    rows(() => f.get(pp).mem('v128.load', off).get(mx).op('f32x4.pmax').set(mx));
    f.get(mt);
    across(f, mx, 'f32.max');
    f.lane('f32x4.replace_lane', r).set(mt);
  }
  // mt = max(m, tile max); the shift ms = mt, or 0 where mt = -Infinity.
  f.get(c.sc).mem('v128.load', p.maxOff).get(mt).op('f32x4.max').set(mt);
  f.f32x4(0).get(mt).get(mt).f32x4(-Infinity).op('f32x4.eq', 'v128.bitselect').set(ms);
  if (p.multi) {
    f.get(c.sc).get(c.sc).mem('v128.load', p.maxOff).get(ms).op('f32x4.sub');
    vm.exp();
    f.mem('v128.store', p.alphaOff);
  }
  f.get(c.sc).get(mt).mem('v128.store', p.maxOff);
  f.f32x4(0).set(sum);
  for (let r = 0; r < MR; r++) {
    const off = p.sOff + 4 * r * p.tile;
    f.f32x4(0).set(mx).get(ms).lane('f32x4.extract_lane', r).op('f32x4.splat').set(mt);
    rows(() => {
      f.get(pp).mem('v128.load', off).get(mt).op('f32x4.sub');
      vm.exp();
      f.set(e).get(pp).get(e).mem('v128.store', off);
      f.get(mx).get(e).op('f32x4.add').set(mx);
    });
    f.get(sum);
    across(f, mx, 'f32.add');
    f.lane('f32x4.replace_lane', r).set(sum);
  }
  f.get(c.sc);
  if (p.multi) f.get(c.sc).mem('v128.load', p.sumOff).get(c.sc).mem('v128.load', p.alphaOff).op('f32x4.mul').get(sum).op('f32x4.add');
  else f.get(sum);
  f.mem('v128.store', p.sumOff);
}

/** Stores 1 / l of each row in stats. */
export function emitInverse(c: AttnCtx): void {
  c.f.get(c.sc).f32x4(1).get(c.sc).mem('v128.load', c.p.sumOff).op('f32x4.div').mem('v128.store', c.p.invOff);
}

/** Sets i32 local `dst` to row r's output address (without the tensor's). */
function outRow(c: AttnCtx, dst: number, r: number): void {
  addrOf(c.f, dst, c.obh, c.ir[r]!, 4 * c.p.a.out.strides[2]!);
}

/** O += P V for the tile, by blocks of MR rows x PV_VECS value vectors. */
export function emitTileValues(c: AttnCtx): void {
  const { f, p, k } = c;
  const a = p.a;
  const vRow = 4 * a.v.strides[2]!;
  const [vp, pp, pe, ob] = [f.local('i32'), f.local('i32'), f.local('i32'), f.local('i32')];
  const acc = Array.from({ length: MR }, () => Array.from({ length: PV_VECS }, () => f.local('v128')));
  const vv = Array.from({ length: PV_VECS }, () => f.local('v128'));
  const [pv, t] = [f.local('v128'), f.local('v128')];
  const vecs = Math.ceil(a.valueDim / 4);
  for (let c0 = 0; c0 < vecs; c0 += PV_VECS) {
    const nv = Math.min(PV_VECS, vecs - c0);
    const lanes = (v: number): number => Math.min(4, a.valueDim - 4 * (c0 + v));
    for (let r = 0; r < MR; r++) for (let v = 0; v < nv; v++) f.f32x4(0).set(acc[r]![v]!);
    addrOf(f, vp, c.vbh, c.t0, vRow);
    f.get(c.sc).tee(pp).get(c.te).get(c.t0).op('i32.sub').i32(4).op('i32.mul', 'i32.add').set(pe);
    f.loop(() => {
      for (let v = 0; v < nv; v++) {
        loadLanes(f, vp, k.x[2]! + 16 * (c0 + v), lanes(v));
        f.set(vv[v]!);
      }
      for (let r = 0; r < MR; r++) {
        f.get(pp).mem('v128.load32_splat', p.sOff + 4 * r * p.tile).set(pv);
        for (let v = 0; v < nv; v++) {
          f.get(pv).get(vv[v]!);
          madd(f, c.simd, acc[r]![v]!);
        }
      }
      f.get(vp).i32(vRow).op('i32.add').set(vp);
      f.get(pp).i32(4).op('i32.add').tee(pp).get(pe).op('i32.lt_u').brIf(0);
    });
    for (let r = 0; r < MR; r++) {
      if (!p.multi) outRow(c, ob, r);
      for (let v = 0; v < nv; v++) {
        const o = p.oOff + 4 * (r * p.dv4 + 4 * (c0 + v));
        if (p.multi) {
          f.get(c.sc).get(c.sc).mem('v128.load', o).get(c.sc).mem('v128.load32_splat', p.alphaOff + 4 * r).op('f32x4.mul').get(acc[r]![v]!).op('f32x4.add').mem('v128.store', o);
        } else {
          f.get(acc[r]![v]!).get(c.sc).mem('v128.load32_splat', p.invOff + 4 * r).op('f32x4.mul').set(t);
          storeLanes(f, ob, k.y[0]! + 16 * (c0 + v), t, lanes(v));
        }
      }
    }
  }
}

/** Several tiles: out = o / l, row by row. */
export function emitFinalOutput(c: AttnCtx): void {
  const { f, p, k } = c;
  const a = p.a;
  const [ob, t] = [f.local('i32'), f.local('v128')];
  for (let r = 0; r < MR; r++) {
    outRow(c, ob, r);
    for (let v = 0; v * 4 < a.valueDim; v++) {
      f.get(c.sc).mem('v128.load', p.oOff + 4 * (r * p.dv4 + 4 * v)).get(c.sc).mem('v128.load32_splat', p.invOff + 4 * r).op('f32x4.mul').set(t);
      storeLanes(f, ob, k.y[0]! + 16 * v, t, Math.min(4, a.valueDim - 4 * v));
    }
  }
}

/** One tile holding every key: weights[b, h, i, :] = p / l for each row. */
export function emitWeights(c: AttnCtx): void {
  const { f, p, k } = c;
  const a = p.a;
  const [wb, pp, pe, inv, t] = [f.local('i32'), f.local('i32'), f.local('i32'), f.local('v128'), f.local('v128')];
  const tail = a.seqK - p.full4;
  for (let r = 0; r < MR; r++) {
    const off = p.sOff + 4 * r * p.tile;
    f.get(c.bh).i32(a.seqQ).op('i32.mul').get(c.ir[r]!).op('i32.add').i32(4 * a.seqK).op('i32.mul').set(wb);
    f.get(c.sc).mem('v128.load32_splat', p.invOff + 4 * r).set(inv);
    if (p.full4 > 0) {
      f.get(c.sc).tee(pp).i32(4 * p.full4).op('i32.add').set(pe);
      stepLoop(f, pp, 16, pe, () => {
        f.get(wb).get(pp).mem('v128.load', off).get(inv).op('f32x4.mul').mem('v128.store', k.y[1]!, 2);
        f.get(wb).i32(16).op('i32.add').set(wb);
      });
    }
    if (tail > 0) {
      f.get(c.sc).mem('v128.load', off + 4 * p.full4).get(inv).op('f32x4.mul').set(t);
      storeLanes(f, wb, k.y[1]!, t, tail);
    }
  }
}
