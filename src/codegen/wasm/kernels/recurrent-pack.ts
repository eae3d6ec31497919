// Packing one direction of a recurrent layer's weights into the panels of recurrent-plan.ts:
// W_ih and W_hh (per stage) into k-major column panels, and the biases into [G, Hp] (b_ih plus
// b_hh for every gate but gru's n, whose b_hn stays apart in [Hp], since r multiplies or follows
// it). Emitted into the prepare function when the weights are static, else at the start of the
// kernel into the share's scratch. Reads run along W's rows; padded columns are zero-filled.
import type { FunctionBuilder } from '../encoder.ts';
import type { WasmKernelInput } from '../kernel.ts';
import type { PanelSet, RecurrentKind, RecurrentPlan } from './recurrent-plan.ts';

/** Locals of the packing loops. */
interface PackLocals {
  readonly j: number;
  readonly dj: number;
  readonly sp: number;
  readonly dp: number;
  readonly end: number;
}

function packLocals(f: FunctionBuilder): PackLocals {
  return { j: f.local('i32'), dj: f.local('i32'), sp: f.local('i32'), dp: f.local('i32'), end: f.local('i32') };
}

/**
 * Packs rows g * H + j (j < H, g in the set's gates) of W [GH, K] at byte address `src` into
 * panels at `dest() + off`: unit j goes to panel j / U, column gi * U + j % U.
 */
function packPanels(f: FunctionBuilder, L: PackLocals, p: RecurrentPlan, set: PanelSet, src: number, K: number, dest: () => void, off: number): void {
  const { U, PC } = set;
  dest();
  f.i32(off).op('i32.add').i32(0).i32(set.gates.length * p.Hp * K * 4).op('memory.fill');
  f.for(L.j, 0, p.H, 1, () => {
    dest();
    f.i32(off).op('i32.add');
    f.get(L.j).i32(Math.log2(U)).op('i32.shr_u').i32(PC * K * 4).op('i32.mul', 'i32.add');
    f.get(L.j).i32(U - 1).op('i32.and').i32(4).op('i32.mul', 'i32.add').set(L.dj);
    set.gates.forEach((g, gi) => {
      f.get(L.j).i32(K * 4).op('i32.mul').i32(src + g * p.H * K * 4).op('i32.add').tee(L.sp).i32(K * 4).op('i32.add').set(L.end);
      f.get(L.dj).i32(gi * U * 4).op('i32.add').set(L.dp);
      f.loop(() => {
        f.get(L.dp).get(L.sp).mem('f32.load').mem('f32.store');
        f.get(L.dp).i32(PC * 4).op('i32.add').set(L.dp);
        f.get(L.sp).i32(4).op('i32.add').tee(L.sp).get(L.end).op('i32.lt_u').brIf(0);
      });
    });
  });
}

/** Packs direction d's W_ih, W_hh stages and biases at `dest()` (the direction's packed data). */
export function emitPackDirection(f: FunctionBuilder, k: WasmKernelInput<RecurrentKind>, p: RecurrentPlan, d: number, dest: () => void): void {
  const L = packLocals(f);
  const [wih, whh, bih, bhh] = [k.x[1]!, k.x[2]!, k.x[3]!, k.x[4]!];
  p.ih.forEach((set, i) => packPanels(f, L, p, set, wih + d * p.GH * p.I * 4, p.I, dest, p.pack.wih[i]!));
  p.hh.forEach((set, i) => packPanels(f, L, p, set, whh + d * p.GH * p.H * 4, p.H, dest, p.pack.whh[i]!));
  dest();
  f.i32(p.pack.bias).op('i32.add').i32(0).i32((p.G + 1) * p.Hp * 4).op('memory.fill'); // bias and b_hn are adjacent
  const jb = L.j;
  for (let g = 0; g < p.G; g++) {
    const fold = !(p.kind === 'gru' && g === 2);
    const at = (d * p.GH + g * p.H) * 4;
    f.for(jb, 0, p.H * 4, 4, () => {
      dest();
      f.get(jb).op('i32.add');
      f.get(jb).mem('f32.load', bih + at);
      if (fold) f.get(jb).mem('f32.load', bhh + at).op('f32.add');
      f.mem('f32.store', p.pack.bias + g * p.Hp * 4);
    });
  }
  if (p.kind !== 'gru') return;
  f.for(jb, 0, p.H * 4, 4, () => {
    dest();
    f.get(jb).op('i32.add').get(jb).mem('f32.load', bhh + (d * p.GH + 2 * p.H) * 4).mem('f32.store', p.pack.bhn);
  });
}
