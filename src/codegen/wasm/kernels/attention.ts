// The fused attention op in wasm, one query row per unit (so any batch x heads, 1 x 1 included,
// splits across threads): the row's scores s_j = scale q.k_j + mask (keys past the diagonal
// skipped when causal) into an nk-float scratch row, a two-pass softmax with the vector exp,
// then out = P V with an up-to-8-vector accumulator block over the value dims. q.k runs four
// lanes along headDim with two accumulators; Q, K, V and the output must be contiguous along
// their last dim (head splits and merges are; other layouts stay on the TS kernel). A fully
// masked row gives NaN, as the interpreter; with `weights`, the probabilities are stored too.
import type { FunctionBuilder } from '../encoder.ts';
import type { UnitRange, WasmKernelFamily, WasmKernelInput } from '../kernel.ts';
import { VecMath } from './vmath.ts';

/** Value-dim vectors accumulated at once in P V (8 v128 accumulators fit V8's x64 registers). */
const PV_BLOCK = 8;

/** i32 locals of a loop over [0, end) in steps: `vec` for each group of 4 then `one` for the rest. */
function ragged(f: FunctionBuilder, j: number, end: number, vec: () => void, one: () => void): void {
  f.i32(0).set(j);
  f.block(() => f.loop(() => {
    f.get(j).i32(4).op('i32.add').get(end).op('i32.gt_s').brIf(1);
    vec();
    f.get(j).i32(4).op('i32.add').set(j).br(0);
  }));
  f.block(() => f.loop(() => {
    f.get(j).get(end).op('i32.ge_s').brIf(1);
    one();
    f.get(j).i32(1).op('i32.add').set(j).br(0);
  }));
}

/** Pushes base + i * bytes (i32 locals and a literal). */
function at(f: FunctionBuilder, base: number, i: number, bytes: number): FunctionBuilder {
  return f.get(base).get(i).i32(bytes).op('i32.mul', 'i32.add');
}

/** Bytes of one share's score row: seqK floats rounded up to whole vectors, plus one spare vector. */
function scoreRowBytes(seqK: number): number {
  return 4 * (Math.ceil(seqK / 4) * 4 + 4);
}

function emitAttention(f: FunctionBuilder, k: WasmKernelInput<'attention'>, { lo, hi, share }: UnitRange): void {
  const a = k.node.attrs;
  const vm = new VecMath(f, k.simd);
  const relaxed = k.simd === 'relaxed';
  const mulAcc = (acc: number): void => {
    // a b on the stack -> acc += a * b
    if (relaxed) f.get(acc).op('f32x4.relaxed_madd').set(acc);
    else f.op('f32x4.mul').get(acc).op('f32x4.add').set(acc);
  };
  const S = k.scratch!;
  // This share's score row: shares run at once, each in its own part of the scratch.
  const sc = f.local('i32');
  f.get(share).i32(scoreRowBytes(a.seqK)).op('i32.mul').set(sc);
  const [u, i, bh, j, end] = Array.from({ length: 5 }, () => f.local('i32'));
  const [qb, kb, vb, mb, ob, wb, kr] = Array.from({ length: 7 }, () => f.local('i32'));
  const [acc0, acc1, mx, t] = [f.local('v128'), f.local('v128'), f.local('v128'), f.local('v128')];
  const [s, m, inv, fs] = [f.local('f32'), f.local('f32'), f.local('f32'), f.local('f32')];
  const pv = Array.from({ length: PV_BLOCK }, () => f.local('v128'));
  const [qs, ks, vs, ms, os] = [a.q.strides, a.k.strides, a.v.strides, a.mask?.strides, a.out.strides];
  /** base = 4 (offset + b s0 + h s1 [+ i s2]) for a [b, h, ...] access. */
  const rowBase = (dst: number, offset: number, st: readonly number[], withRow: boolean): void => {
    f.get(bh).i32(a.heads).op('i32.div_u').i32(4 * st[0]!).op('i32.mul');
    f.get(bh).i32(a.heads).op('i32.rem_u').i32(4 * st[1]!).op('i32.mul', 'i32.add');
    if (withRow) f.get(i).i32(4 * st[2]!).op('i32.mul', 'i32.add');
    f.i32(4 * offset).op('i32.add').set(dst);
  };
  const d4 = a.headDim - (a.headDim % 4);
  f.get(lo).set(u);
  f.block(() => f.loop(() => {
    f.get(u).get(hi).op('i32.ge_s').brIf(1);
    f.get(u).i32(a.seqQ).op('i32.div_u').tee(bh).i32(a.seqQ).op('i32.mul').set(i);
    f.get(u).get(i).op('i32.sub').set(i);
    rowBase(qb, a.q.offset, qs, true);
    rowBase(kb, a.k.offset, ks, false);
    rowBase(vb, a.v.offset, vs, false);
    if (a.mask) rowBase(mb, a.mask.offset, ms!, true);
    rowBase(ob, 0, os, true);
    f.get(u).i32(4 * a.seqK).op('i32.mul').set(wb);
    // Keys visited: all, or those up to the diagonal.
    if (a.causal) f.get(i).i32(1).op('i32.add').tee(end).i32(a.seqK).get(end).i32(a.seqK).op('i32.lt_s', 'select').set(end);
    else f.i32(a.seqK).set(end);
    // Scores.
    f.i32(0).set(j);
    f.block(() => f.loop(() => {
      f.get(j).get(end).op('i32.ge_s').brIf(1);
      at(f, kb, j, 4 * ks[2]!).set(kr);
      f.f32x4(0).set(acc0).f32x4(0).set(acc1);
      for (let c = 0; c < d4; c += 4) {
        f.get(qb).mem('v128.load', k.x[0]! + 4 * c).get(kr).mem('v128.load', k.x[1]! + 4 * c);
        mulAcc(c % 8 === 0 ? acc0 : acc1);
      }
      f.get(acc0).get(acc1).op('f32x4.add').set(acc0);
      f.f32(0);
      for (let l = 0; l < 4; l++) f.get(acc0).lane('f32x4.extract_lane', l).op('f32.add');
      for (let c = d4; c < a.headDim; c++) f.get(qb).mem('f32.load', k.x[0]! + 4 * c).get(kr).mem('f32.load', k.x[1]! + 4 * c).op('f32.mul', 'f32.add');
      f.f32(a.scale).op('f32.mul');
      if (a.mask) at(f, mb, j, 4 * ms![3]!).mem('f32.load', k.x[3]!).op('f32.add');
      f.set(s).get(j).i32(4).op('i32.mul').get(sc).op('i32.add').get(s).mem('f32.store', S);
      f.get(j).i32(1).op('i32.add').set(j).br(0);
    }));
    const sj = (): FunctionBuilder => f.get(j).i32(4).op('i32.mul').get(sc).op('i32.add');
    const lanes = (v: number, op: 'f32.max' | 'f32.add'): void => {
      for (let l = 0; l < 4; l++) f.get(v).lane('f32x4.extract_lane', l).op(op);
    };
    // Softmax pass 1: the row max (-Infinity when every key is masked: then NaN follows, as the reference).
    f.f32x4(-Infinity).set(mx).f32(-Infinity).set(m);
    ragged(f, j, end, () => sj().mem('v128.load', S).get(mx).op('f32x4.max').set(mx), () => sj().mem('f32.load', S).get(m).op('f32.max').set(m));
    f.get(m);
    lanes(mx, 'f32.max');
    f.op('f32x4.splat').set(mx);
    // Pass 2: p = exp(s - max), summed.
    f.f32x4(0).set(acc0).f32(0).set(s);
    ragged(f, j, end, () => {
      sj();
      sj().mem('v128.load', S).get(mx).op('f32x4.sub');
      vm.exp();
      f.tee(t).mem('v128.store', S).get(acc0).get(t).op('f32x4.add').set(acc0);
    }, () => {
      sj();
      sj().mem('v128.load32_zero', S).get(mx).op('f32x4.sub');
      vm.exp();
      f.lane('f32x4.extract_lane', 0).tee(fs).mem('f32.store', S).get(s).get(fs).op('f32.add').set(s);
    });
    f.get(s);
    lanes(acc0, 'f32.add');
    f.set(s).f32(1).get(s).op('f32.div').tee(inv).op('f32x4.splat').set(t);
    // Pass 3: normalise (and store the weights).
    ragged(f, j, end, () => {
      sj();
      sj().mem('v128.load', S).get(t).op('f32x4.mul').tee(acc0).mem('v128.store', S);
      if (a.weights) at(f, wb, j, 4).get(acc0).mem('v128.store', k.y[1]!);
    }, () => {
      sj();
      sj().mem('f32.load', S).get(inv).op('f32.mul').tee(fs).mem('f32.store', S);
      if (a.weights) at(f, wb, j, 4).get(fs).mem('f32.store', k.y[1]!);
    });
    // Keys past the diagonal weigh 0 (NaN when the row's sum is NaN).
    if (a.weights && a.causal) {
      f.get(end).set(j);
      f.block(() => f.loop(() => {
        f.get(j).i32(a.seqK).op('i32.ge_s').brIf(1);
        at(f, wb, j, 4).f32(0).get(inv).op('f32.mul').mem('f32.store', k.y[1]!);
        f.get(j).i32(1).op('i32.add').set(j).br(0);
      }));
    }
    // out = P V: blocks of up to PV_BLOCK vectors of value dims, then single columns.
    const dv4 = a.valueDim - (a.valueDim % 4);
    for (let c0 = 0; c0 < dv4; c0 += 4 * PV_BLOCK) {
      const nb = Math.min(PV_BLOCK, (dv4 - c0) / 4);
      for (let c = 0; c < nb; c++) f.f32x4(0).set(pv[c]!);
      f.i32(0).set(j);
      f.block(() => f.loop(() => {
        f.get(j).get(end).op('i32.ge_s').brIf(1);
        sj().mem('v128.load32_splat', S).set(t);
        at(f, vb, j, 4 * vs[2]!).set(kr);
        for (let c = 0; c < nb; c++) {
          f.get(kr).mem('v128.load', k.x[2]! + 4 * (c0 + 4 * c)).get(t);
          mulAcc(pv[c]!);
        }
        f.get(j).i32(1).op('i32.add').set(j).br(0);
      }));
      for (let c = 0; c < nb; c++) f.get(ob).get(pv[c]!).mem('v128.store', k.y[0]! + 4 * (c0 + 4 * c));
    }
    for (let col = dv4; col < a.valueDim; col++) {
      f.f32(0).set(fs).i32(0).set(j);
      f.block(() => f.loop(() => {
        f.get(j).get(end).op('i32.ge_s').brIf(1);
        f.get(fs);
        sj().mem('f32.load', S);
        at(f, vb, j, 4 * vs[2]!).mem('f32.load', k.x[2]! + 4 * col).op('f32.mul', 'f32.add').set(fs);
        f.get(j).i32(1).op('i32.add').set(j).br(0);
      }));
      f.get(ob).get(fs).mem('f32.store', k.y[0]! + 4 * col);
    }
    f.get(u).i32(1).op('i32.add').set(u).br(0);
  }));
}

export const attentionFamily: WasmKernelFamily<'attention'> = {
  name: 'attention: one query row per unit, vector q.k, two-pass softmax with the vector exp, P V in 8-vector blocks',
  accepts(n) {
    const a = n.node.attrs;
    const inner = [a.q, a.k, a.v, a.out].every((x) => x.strides[3] === 1);
    return inner && a.seqK > 0 && a.headDim > 0 && a.valueDim > 0 && a.batch * a.heads * a.seqQ > 0;
  },
  units: (n) => Math.max(1, n.node.attrs.batch * n.node.attrs.heads * n.node.attrs.seqQ),
  scratchBytes: (n) => scoreRowBytes(n.node.attrs.seqK),
  emit: emitAttention,
};
