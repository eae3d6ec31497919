// Recurrent layers (rnn, lstm, gru forward, f32) in wasm. Per direction: W_ih, W_hh and the
// biases are packed into column panels (recurrent-plan.ts; once at create when they are static,
// else at the start of the kernel into scratch), then
//   1. the input projection of every step at once, XW [T*B, G, Hp] = x W_ih^T + b_ih (+ b_hh),
//      register-blocked MR x 16 over the panels (panels.ts);
//   2. the time loop (sequential; reverse runs from the last step): per panel, h W_hh^T for a
//      block of batch rows with the accumulators started from XW, and the gate math (vector
//      sigmoid and tanh from vmath.ts) on those accumulators in registers, writing c in place
//      and h into the other of two state buffers (the matvec still reads the old h); then the
//      step's h rows are copied into y. A gru without linearBeforeReset has two stages: r and z
//      (storing r * h and z), then W_hn (r * h) + b_hn and the n gate.
// One unit of work is one direction: a bidirectional layer splits into 2 shares, anything else
// runs on one thread (the steps depend on each other). Accumulation is in f32.
import type { FunctionBuilder } from '../encoder.ts';
import type { UnitRange, WasmKernelFamily, WasmKernelInput } from '../kernel.ts';
import { PanelLocals, emitPanelBlock, rowBlocks } from './panels.ts';
import { emitPackDirection } from './recurrent-pack.ts';
import { type PanelSet, type RecurrentKind, type RecurrentPlan, recurrentPlan } from './recurrent-plan.ts';
import { VecMath } from './vmath.ts';

type Input = WasmKernelInput<RecurrentKind>;

/** The locals and facts of one kernel function. */
interface Ctx {
  readonly f: FunctionBuilder;
  readonly k: Input;
  readonly p: RecurrentPlan;
  readonly L: PanelLocals;
  readonly vm: VecMath;
  /** i32 locals: share scratch base, packed data base, panel's unit offset (bytes), first row of a block, step. */
  readonly sb: number; readonly pk: number; readonly puB: number; readonly r0: number; readonly s: number;
  /** Step rows of XW and y, old and new h state, per-block addresses. */
  readonly xwRow: number; readonly yRow: number; readonly hp: number; readonly hn: number;
  readonly rb: number; readonly oh: number; readonly on: number; readonly oc: number; readonly xa: number;
  /** v128 temporaries of the gate math. */
  readonly t: readonly number[];
}

function context(f: FunctionBuilder, k: Input): Ctx {
  const i = (): number => f.local('i32');
  return {
    f, k, p: recurrentPlan(k), L: new PanelLocals(f), vm: new VecMath(f, k.simd),
    sb: i(), pk: i(), puB: i(), r0: i(), s: i(), xwRow: i(), yRow: i(), hp: i(), hn: i(), rb: i(), oh: i(), on: i(), oc: i(), xa: i(),
    t: [f.local('v128'), f.local('v128'), f.local('v128'), f.local('v128')],
  };
}

/** XW = x W_ih^T + bias for every step, panel by panel, MR rows at a time. */
function emitProjection(c: Ctx, set: PanelSet, wih: number): void {
  const { f, p, L } = c;
  const { PC, U, MR, gates } = set;
  const [rows, Uq, rowBytes] = [p.T * p.B, U / 4, p.G * p.Hp * 4];
  f.for(c.puB, 0, p.Hp * 4, U * 4, () => rowBlocks(f, c.r0, rows, MR, (mr) => {
    for (let r = 0; r < mr; r++) gates.forEach((g, gi) => {
      for (let q = 0; q < Uq; q++) f.get(c.pk).get(c.puB).op('i32.add').mem('v128.load', p.pack.bias + g * p.Hp * 4 + 16 * q).set(L.acc(r, gi * Uq + q));
    });
    emitPanelBlock(L, c.k.simd, {
      rows: mr, vecs: PC / 4, k: p.I, aRowBytes: p.I * 4,
      a: () => f.get(c.r0).i32(p.I * 4).op('i32.mul').i32(c.k.x[0]!).op('i32.add'),
      w: () => f.get(c.pk).get(c.puB).i32(gates.length * p.I).op('i32.mul', 'i32.add').i32(wih).op('i32.add'),
    });
    f.get(c.sb).i32(p.scratch.xw).op('i32.add').get(c.r0).i32(rowBytes).op('i32.mul', 'i32.add').get(c.puB).op('i32.add').set(c.xa);
    for (let r = 0; r < mr; r++) gates.forEach((g, gi) => {
      for (let q = 0; q < Uq; q++) f.get(c.xa).get(L.acc(r, gi * Uq + q)).mem('v128.store', r * rowBytes + g * p.Hp * 4 + 16 * q);
    });
  }));
}

/** The gate math of one (row r, four units q) of stage `stage`; acc(g) pushes gate g's accumulator. */
function emitGates(c: Ctx, stage: number, r: number, q: number, acc: (g: number) => void): void {
  const { f, p, vm, t } = c;
  const own = r * p.Hp * 4 + 16 * q;
  const xwN = (): void => void f.get(c.xa).mem('v128.load', r * p.G * p.Hp * 4 + 2 * p.Hp * 4 + 16 * q);
  const hOld = (): void => void f.get(c.oh).mem('v128.load', own);
  const store = (): void => void f.get(c.on).get(t[3]!).mem('v128.store', own);
  /** h = (1 - z) n + z h_old, with z in t[1], n in t[2]. */
  const blend = (): void => {
    f.f32x4(1).get(t[1]!).op('f32x4.sub').get(t[2]!).op('f32x4.mul');
    f.get(t[1]!);
    hOld();
    f.op('f32x4.mul', 'f32x4.add').set(t[3]!);
  };
  if (p.kind === 'rnn') {
    acc(0);
    if (p.relu) f.f32x4(0).op('f32x4.max');
    else vm.tanh();
    f.set(t[3]!);
  } else if (p.kind === 'lstm') {
    acc(0);
    vm.sigmoid();
    acc(2);
    vm.tanh();
    f.op('f32x4.mul').set(t[0]!); // i g
    acc(1);
    vm.sigmoid();
    f.get(c.oc).mem('v128.load', p.scratch.c + own).op('f32x4.mul').get(t[0]!).op('f32x4.add').set(t[1]!); // c = f c + i g
    f.get(c.oc).get(t[1]!).mem('v128.store', p.scratch.c + own);
    acc(3);
    vm.sigmoid();
    f.get(t[1]!);
    vm.tanh();
    f.op('f32x4.mul').set(t[3]!);
  } else if (!p.resetFirst) {
    acc(0);
    vm.sigmoid();
    f.set(t[0]!);
    acc(1);
    vm.sigmoid();
    f.set(t[1]!);
    xwN();
    f.get(t[0]!);
    acc(2);
    f.op('f32x4.mul', 'f32x4.add');
    vm.tanh();
    f.set(t[2]!);
    blend();
  } else if (stage === 0) {
    acc(0);
    vm.sigmoid();
    f.set(t[0]!);
    f.get(c.oc).get(t[0]!);
    hOld();
    f.op('f32x4.mul').mem('v128.store', p.scratch.rh + own); // r h
    f.get(c.oc);
    acc(1);
    vm.sigmoid();
    f.mem('v128.store', p.scratch.z + own);
    return;
  } else {
    xwN();
    acc(2);
    f.op('f32x4.add');
    vm.tanh();
    f.set(t[2]!);
    f.get(c.oc).mem('v128.load', p.scratch.z + own).set(t[1]!);
    blend();
  }
  store();
}

/** One stage of one step: every panel of `set`, blocks of batch rows, matvec then gate math. */
function emitStage(c: Ctx, stage: number, set: PanelSet): void {
  const { f, p, L } = c;
  const { PC, U, MR, gates } = set;
  const Uq = U / 4;
  const K = p.H;
  f.for(c.puB, 0, p.Hp * 4, U * 4, () => rowBlocks(f, c.r0, p.B, MR, (mr) => {
    f.get(c.r0).i32(p.Hp * 4).op('i32.mul').set(c.rb);
    f.get(c.hp).get(c.rb).op('i32.add').get(c.puB).op('i32.add').set(c.oh);
    f.get(c.hn).get(c.rb).op('i32.add').get(c.puB).op('i32.add').set(c.on);
    f.get(c.sb).get(c.rb).op('i32.add').get(c.puB).op('i32.add').set(c.oc);
    f.get(c.xwRow).get(c.r0).i32(p.G * p.Hp * 4).op('i32.mul', 'i32.add').get(c.puB).op('i32.add').set(c.xa);
    for (let r = 0; r < mr; r++) gates.forEach((g, gi) => {
      for (let q = 0; q < Uq; q++) {
        if (p.kind === 'gru' && g === 2) f.get(c.pk).get(c.puB).op('i32.add').mem('v128.load', p.pack.bhn + 16 * q);
        else f.get(c.xa).mem('v128.load', r * p.G * p.Hp * 4 + g * p.Hp * 4 + 16 * q);
        f.set(L.acc(r, gi * Uq + q));
      }
    });
    emitPanelBlock(L, c.k.simd, {
      rows: mr, vecs: PC / 4, k: K, aRowBytes: p.Hp * 4,
      a: () => (stage === 1 ? f.get(c.sb).i32(p.scratch.rh).op('i32.add') : f.get(c.hp)).get(c.rb).op('i32.add'),
      w: () => f.get(c.pk).get(c.puB).i32(gates.length * K).op('i32.mul', 'i32.add').i32(p.pack.whh[stage]!).op('i32.add'),
    });
    for (let r = 0; r < mr; r++) {
      for (let q = 0; q < Uq; q++) emitGates(c, stage, r, q, (g) => void f.get(L.acc(r, gates.indexOf(g) * Uq + q)));
    }
  }));
}

/** Copies B rows of H floats: dest() + b * dStride <- src() + b * sStride (r0 is the row counter). */
function copyRows(c: Ctx, dest: () => void, dStride: number, src: () => void, sStride: number): void {
  const { f, p } = c;
  f.for(c.r0, 0, p.B, 1, () => {
    dest();
    f.get(c.r0).i32(dStride).op('i32.mul', 'i32.add');
    src();
    f.get(c.r0).i32(sStride).op('i32.mul', 'i32.add').i32(p.H * 4).op('memory.copy');
  });
}

/** One direction: pack (unless prepared), project, load the state, the time loop, the final state. */
function emitDirection(c: Ctx, d: number): void {
  const { f, k, p } = c;
  const { T, B, H, D, Hp, G } = p;
  if (p.prepared) f.i32(k.prepared! + d * p.pack.bytes).set(c.pk);
  else {
    f.get(c.sb).i32(p.scratch.pack).op('i32.add').set(c.pk);
    emitPackDirection(f, k, p, d, () => f.get(c.pk));
  }
  p.ih.forEach((set, i) => emitProjection(c, set, p.pack.wih[i]!));
  const reverse = p.reverseOnly || d === 1;
  f.get(c.sb).i32(p.scratch.h[0]).op('i32.add').set(c.hp);
  f.get(c.sb).i32(p.scratch.h[1]).op('i32.add').set(c.hn);
  const state = [[c.hp, 5], ...(p.kind === 'lstm' ? [[-1, 6]] : [])] as const;
  for (const [local, input] of state) {
    const at = (): void => void (local < 0 ? f.get(c.sb).i32(p.scratch.c).op('i32.add') : f.get(local));
    at();
    f.i32(0).i32(B * Hp * 4).op('memory.fill');
    copyRows(c, at, Hp * 4, () => f.i32(k.x[input]! + d * B * H * 4), H * 4);
  }
  f.for(c.s, 0, T, 1, () => {
    if (reverse) f.i32(T - 1).get(c.s).op('i32.sub');
    else f.get(c.s);
    f.set(c.r0);
    f.get(c.sb).i32(p.scratch.xw).op('i32.add').get(c.r0).i32(B * G * Hp * 4).op('i32.mul', 'i32.add').set(c.xwRow);
    f.get(c.r0).i32(B * D * H * 4).op('i32.mul').i32(k.y[0]! + d * H * 4).op('i32.add').set(c.yRow);
    p.hh.forEach((set, stage) => emitStage(c, stage, set));
    copyRows(c, () => f.get(c.yRow), D * H * 4, () => f.get(c.hn), Hp * 4);
    f.get(c.hp).get(c.hn).set(c.hp).set(c.hn); // swap: the new state is the old one of the next step
  });
  copyRows(c, () => f.i32(k.y[1]! + d * B * H * 4), H * 4, () => f.get(c.hp), Hp * 4);
  if (p.kind === 'lstm') copyRows(c, () => f.i32(k.y[2]! + d * B * H * 4), H * 4, () => f.get(c.sb).i32(p.scratch.c).op('i32.add'), Hp * 4);
}

function emit(f: FunctionBuilder, k: Input, range: UnitRange): void {
  const c = context(f, k);
  f.get(range.share).i32(c.p.scratch.bytes).op('i32.mul').i32(k.scratch!).op('i32.add').set(c.sb);
  for (let d = 0; d < c.p.D; d++) {
    f.get(range.lo).i32(d).op('i32.le_s').get(range.hi).i32(d).op('i32.gt_s', 'i32.and');
    f.if(() => emitDirection(c, d));
  }
}

function emitPrepare(f: FunctionBuilder, k: Input): void {
  const p = recurrentPlan(k);
  for (let d = 0; d < p.D; d++) emitPackDirection(f, k, p, d, () => f.i32(k.prepared! + d * p.pack.bytes));
}

/** rnn, lstm and gru forward: packed panels, a blocked input projection, a fused matvec + gate step loop; one direction per unit. */
export const recurrentFamily: WasmKernelFamily<RecurrentKind> = {
  name: 'recurrent: packed W panels, blocked input projection, per-step panel matvec fused with vector gate math, one direction per unit',
  accepts: (n) => {
    const [T, B, I] = n.inputs[0]!.shape as [number, number, number];
    return n.inputs.every((t) => t.dtype === 'f32') && T * B > 0 && I > 0 && n.node.attrs.hidden > 0;
  },
  units: (n) => recurrentPlan(n).D,
  scratchBytes: (n) => recurrentPlan(n).scratch.bytes,
  preparedBytes: (n) => {
    const p = recurrentPlan(n);
    return p.prepared ? p.D * p.pack.bytes : 0;
  },
  // Prepared, the kernel reads only x and the initial state: W_ih, W_hh, b_ih, b_hh live in the panels.
  consumes: (n) => (recurrentPlan(n).prepared ? [1, 2, 3, 4] : []),
  emitPrepare,
  emit,
};
