// Scores of one key tile: S = scale Q_block K_tile^T + mask, past-the-diagonal keys -Infinity,
// into the share's score rows. A register block of 2 query rows x 4 keys holds 8 f32x4
// accumulators along headDim (Q from the share's packed rows, K rows read in place, contiguous
// along headDim: no packing), one headDim vector a loop step, rows and keys as memarg offsets
// (an unrolled headDim spills: TurboFan hoists every load of the block); a 4 x 4 transpose-and-add turns each row's 4 accumulators into the vector of its 4
// scores. Whole groups of 4 keys run in a loop; the seqK % 4 keys of the last group are a
// static tail block whose missing lanes are -Infinity (so they weigh 0 in the softmax).
import type { FunctionBuilder } from '../encoder.ts';
import { type AttnCtx, KEY_GROUP, MR, addrOf, loadLanes, madd } from './attention-plan.ts';

/** Byte lanes of an i8x16.shuffle picking 32-bit lanes (0-3 from the first vector, 4-7 from the second). */
const pick = (l: readonly number[]): number[] => l.flatMap((x) => [0, 1, 2, 3].map((b) => 4 * x + b));
const LO = pick([0, 4, 1, 5]);
const HI = pick([2, 6, 3, 7]);
const HALF_LO = pick([0, 1, 4, 5]);
const HALF_HI = pick([2, 3, 6, 7]);

/** Pushes [sum a0, sum a1, sum a2, sum a3] of four v128 locals (a0 and a2 are clobbered). */
function reduce4(f: FunctionBuilder, a: readonly number[]): void {
  const [a0, a1, a2, a3] = a as [number, number, number, number];
  f.get(a0).get(a1).shuffle(LO).get(a0).get(a1).shuffle(HI).op('f32x4.add').set(a0);
  f.get(a2).get(a3).shuffle(LO).get(a2).get(a3).shuffle(HI).op('f32x4.add').set(a2);
  f.get(a0).get(a2).shuffle(HALF_LO).get(a0).get(a2).shuffle(HALF_HI).op('f32x4.add');
}

/** Locals of the score loop. */
interface ScoreLocals {
  readonly j: number;
  readonly kp: number;
  readonly sp: number;
  readonly ma: number;
  readonly qp: number;
  readonly qe: number;
  readonly kq: number;
  readonly jv: number;
  readonly q: readonly number[];
  readonly kv: number;
  readonly acc: readonly (readonly number[])[];
  readonly v: number;
}

/** Pushes the mask of row r for keys j .. j + kk - 1 (other lanes unspecified but finite or overwritten). */
function maskVector(c: AttnCtx, s: ScoreLocals, r: number, kk: number): void {
  const { f } = c;
  const m = c.k.node.attrs.mask!;
  const [, , m2, m3] = m.strides as [number, number, number, number];
  const x = c.k.x[3]!;
  f.get(c.mbh).get(c.ir[r]!).i32(4 * m2).op('i32.mul', 'i32.add');
  if (m3 !== 0) f.get(s.j).i32(4 * m3).op('i32.mul', 'i32.add');
  f.set(s.ma);
  if (m3 === 0) f.get(s.ma).mem('v128.load32_splat', x);
  else if (m3 === 1) loadLanes(f, s.ma, x, kk);
  else {
    f.get(s.ma).mem('v128.load32_zero', x);
    for (let l = 1; l < kk; l++) f.get(s.ma).mem('f32.load', x + 4 * l * m3).lane('f32x4.replace_lane', l);
  }
}

/** One block: rows r0, r0 + 1 of the unit x keys j .. j + kk - 1, stored as score vectors. */
function block(c: AttnCtx, s: ScoreLocals, r0: number, kk: number): void {
  const { f, p, k } = c;
  const a = p.a;
  const kRow = 4 * a.k.strides[2]!;
  for (const row of s.acc) for (const acc of row) f.f32x4(0).set(acc);
  // One headDim vector a step (a loop, not unrolled: TurboFan hoists the loads of an unrolled
  // block and spills); the headDim % 4 tail reads only its lanes of K.
  const step = (n: number): void => {
    for (let rr = 0; rr < 2; rr++) f.get(s.qp).mem('v128.load', 4 * rr * p.d4).set(s.q[rr]!);
    for (let l = 0; l < kk; l++) {
      loadLanes(f, s.kq, k.x[1]! + l * kRow, n);
      f.set(s.kv);
      for (let rr = 0; rr < 2; rr++) {
        f.get(s.q[rr]!).get(s.kv);
        madd(f, c.simd, s.acc[rr]![l]!);
      }
    }
  };
  const whole = a.headDim - (a.headDim % 4);
  f.get(c.sc).i32(p.qOff + 4 * r0 * p.d4).op('i32.add').tee(s.qp).i32(4 * whole).op('i32.add').set(s.qe);
  f.get(s.kp).set(s.kq);
  if (whole > 0) {
    f.loop(() => {
      step(4);
      f.get(s.kq).i32(16).op('i32.add').set(s.kq);
      f.get(s.qp).i32(16).op('i32.add').tee(s.qp).get(s.qe).op('i32.ne').brIf(0);
    });
  }
  if (whole < a.headDim) step(a.headDim - whole);
  for (let rr = 0; rr < 2; rr++) {
    const r = r0 + rr;
    reduce4(f, s.acc[rr]!);
    f.f32x4(a.scale).op('f32x4.mul');
    if (a.mask) {
      maskVector(c, s, r, kk);
      f.op('f32x4.add');
    }
    if (a.causal) f.set(s.v).f32x4(-Infinity).get(s.v).get(s.jv).get(c.ir[r]!).op('i32x4.splat', 'i32x4.gt_s', 'v128.bitselect');
    for (let l = kk; l < KEY_GROUP; l++) f.f32(-Infinity).lane('f32x4.replace_lane', l);
    f.set(s.v).get(s.sp).get(s.v).mem('v128.store', p.sOff + 4 * r * p.tile);
  }
}

/** All row pairs of the unit for the key group at `j`. */
function group(c: AttnCtx, s: ScoreLocals, kk: number): void {
  const { f } = c;
  if (c.p.a.causal) f.get(s.j).op('i32x4.splat').get(c.sc).mem('v128.load', c.p.lanesOff).op('i32x4.add').set(s.jv);
  for (let r0 = 0; r0 < MR; r0 += 2) block(c, s, r0, kk);
}

/** Emits the scores of keys [t0, te) of the tile (whole groups, the last rounded up to 4 keys). */
export function emitScores(c: AttnCtx): void {
  const { f, p } = c;
  const a = p.a;
  const i32 = (): number => f.local('i32');
  const v128 = (): number => f.local('v128');
  const s: ScoreLocals = {
    j: i32(), kp: i32(), sp: i32(), ma: i32(), qp: i32(), qe: i32(), kq: i32(), jv: v128(), q: [v128(), v128()], kv: v128(),
    acc: [[v128(), v128(), v128(), v128()], [v128(), v128(), v128(), v128()]], v: v128(),
  };
  const gend = i32();
  const kRow = 4 * a.k.strides[2]!;
  f.get(c.te).i32(p.full4).get(c.te).i32(p.full4).op('i32.lt_s', 'select').set(gend);
  f.get(c.t0).set(s.j);
  addrOf(f, s.kp, c.kbh, c.t0, kRow);
  f.get(c.sc).set(s.sp);
  f.block(() => f.loop(() => {
    f.get(s.j).get(gend).op('i32.ge_s').brIf(1);
    group(c, s, KEY_GROUP);
    f.get(s.kp).i32(KEY_GROUP * kRow).op('i32.add').set(s.kp);
    f.get(s.sp).i32(4 * KEY_GROUP).op('i32.add').set(s.sp);
    f.get(s.j).i32(KEY_GROUP).op('i32.add').set(s.j).br(0);
  }));
  const tail = a.seqK - p.full4;
  if (tail > 0) f.get(c.te).i32(p.full4).op('i32.gt_s').if(() => group(c, s, tail));
}
