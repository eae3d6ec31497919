// The fused attention op in wasm, blocked: one unit is MR query rows of one (batch, head), so
// any batch x heads (1 x 1 included) splits across threads. Per unit, Q's rows are packed into
// the share's scratch, then the keys go by tiles (attention-plan.ts): scores by a 2 x 4 register
// block (attention-scores.ts), an online softmax with the vector exp and O += P V by an MR x 8
// block (attention-values.ts). Causal kernels stop at the block's last diagonal (tiles past it
// are never visited; the diagonal's own keys are masked lane by lane). Q, K, V and the output
// must be contiguous along their last dim (head splits and merges are; other layouts stay on the
// TS kernel); the mask is read through its access with any strides. A fully masked row gives
// NaN, as the interpreter; with `weights`, the probabilities are stored too (one tile of every key).
import type { FunctionBuilder } from '../encoder.ts';
import type { UnitRange, WasmKernelFamily, WasmKernelInput } from '../kernel.ts';
import { type AttnCtx, MR, attnPlan, loadLanes } from './attention-plan.ts';
import { emitScores } from './attention-scores.ts';
import { emitFinalOutput, emitInverse, emitTileSoftmax, emitTileValues, emitWeights } from './attention-values.ts';
import { VecMath } from './vmath.ts';

/** The kernel's locals. */
function context(f: FunctionBuilder, k: WasmKernelInput<'attention'>): AttnCtx {
  const i32 = (): number => f.local('i32');
  const p = attnPlan(k.node.attrs);
  const c: AttnCtx = {
    f, k, p, simd: k.simd, vm: new VecMath(f, k.simd),
    sc: i32(), ir: Array.from({ length: MR }, i32), bh: i32(), kbh: i32(), vbh: i32(), mbh: i32(), obh: i32(), t0: i32(), te: i32(),
  };
  return c;
}

/** Sets each (batch, head) byte offset and the clamped row indices of unit `u`; returns the Q offset local. */
function unitBases(c: AttnCtx, u: number): number {
  const { f, p } = c;
  const a = p.a;
  const [i0, b, h, qbh] = [f.local('i32'), f.local('i32'), f.local('i32'), f.local('i32')];
  f.get(u).i32(p.blocks).op('i32.div_u').tee(c.bh).i32(p.blocks).op('i32.mul').set(i0);
  f.get(u).get(i0).op('i32.sub').i32(MR).op('i32.mul').set(i0);
  for (let r = 0; r < MR; r++) {
    f.get(i0).i32(r).op('i32.add').tee(c.ir[r]!).i32(a.seqQ - 1).get(c.ir[r]!).i32(a.seqQ - 1).op('i32.lt_s', 'select').set(c.ir[r]!);
  }
  f.get(c.bh).i32(a.heads).op('i32.div_u').tee(b).i32(a.heads).op('i32.mul').set(h);
  f.get(c.bh).get(h).op('i32.sub').set(h);
  const base = (dst: number, acc: { offset: number; strides: readonly number[] }): void => {
    f.get(b).i32(4 * acc.strides[0]!).op('i32.mul').get(h).i32(4 * acc.strides[1]!).op('i32.mul', 'i32.add').i32(4 * acc.offset).op('i32.add').set(dst);
  };
  base(qbh, a.q);
  base(c.kbh, a.k);
  base(c.vbh, a.v);
  if (a.mask) base(c.mbh, a.mask);
  base(c.obh, { offset: 0, strides: a.out.strides });
  return qbh;
}

/** Copies the unit's MR query rows into the share's packed Q rows (headDim tail lanes 0). */
function packQ(c: AttnCtx, qbh: number): void {
  const { f, p, k } = c;
  const a = p.a;
  const src = f.local('i32');
  for (let r = 0; r < MR; r++) {
    f.get(qbh).get(c.ir[r]!).i32(4 * a.q.strides[2]!).op('i32.mul', 'i32.add').set(src);
    for (let e = 0; e < a.headDim; e += 4) {
      f.get(c.sc);
      loadLanes(f, src, k.x[0]! + 4 * e, Math.min(4, a.headDim - e));
      f.mem('v128.store', p.qOff + 4 * (r * p.d4 + e));
    }
  }
}

function emitAttention(f: FunctionBuilder, k: WasmKernelInput<'attention'>, { lo, hi, share }: UnitRange): void {
  const c = context(f, k);
  const { p } = c;
  const a = p.a;
  const [u, end] = [f.local('i32'), f.local('i32')];
  f.get(share).i32(p.bytes).op('i32.mul').i32(k.scratch!).op('i32.add').set(c.sc);
  if (a.causal) {
    f.get(c.sc).i32x4(0);
    for (let l = 1; l < 4; l++) f.i32(l).lane('i32x4.replace_lane', l);
    f.mem('v128.store', p.lanesOff);
  }
  f.get(lo).set(u);
  f.block(() => f.loop(() => {
    f.get(u).get(hi).op('i32.ge_s').brIf(1);
    packQ(c, unitBases(c, u));
    // Keys the block visits: all, or up to its last row's diagonal (the weights output needs every key).
    if (a.causal && !a.weights) f.get(c.ir[MR - 1]!).i32(1).op('i32.add').tee(end).i32(a.seqK).get(end).i32(a.seqK).op('i32.lt_s', 'select').set(end);
    else f.i32(a.seqK).set(end);
    f.get(c.sc).f32x4(-Infinity).mem('v128.store', p.maxOff).get(c.sc).f32x4(0).mem('v128.store', p.sumOff);
    if (p.multi) f.get(c.sc).i32(p.oOff).op('i32.add').i32(0).i32(4 * MR * p.dv4).op('memory.fill');
    f.i32(0).set(c.t0);
    f.loop(() => {
      f.get(c.t0).i32(p.tile).op('i32.add').tee(c.te).get(end).get(c.te).get(end).op('i32.lt_s', 'select').set(c.te);
      emitScores(c);
      emitTileSoftmax(c);
      if (!p.multi) emitInverse(c);
      emitTileValues(c);
      f.get(c.t0).i32(p.tile).op('i32.add').tee(c.t0).get(end).op('i32.lt_s').brIf(0);
    });
    if (p.multi) {
      emitInverse(c);
      emitFinalOutput(c);
    }
    if (a.weights) emitWeights(c);
    f.get(u).i32(1).op('i32.add').set(u).br(0);
  }));
}

export const attentionFamily: WasmKernelFamily<'attention'> = {
  name: 'attention: blocks of 4 query rows per (batch, head), key tiles with an online softmax, 2x4 score and 4x8 P V register blocks',
  accepts(n) {
    const a = n.node.attrs;
    const inner = [a.q, a.k, a.v, a.out].every((x) => x.strides[3] === 1);
    return inner && a.seqK > 0 && a.headDim > 0 && a.valueDim > 0 && a.batch * a.heads * a.seqQ > 0;
  },
  units: (n) => Math.max(1, n.node.attrs.batch * n.node.attrs.heads * attnPlan(n.node.attrs).blocks),
  scratchBytes: (n) => attnPlan(n.node.attrs).bytes,
  emit: emitAttention,
};
