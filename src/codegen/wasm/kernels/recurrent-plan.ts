// The shape decisions of the wasm recurrent family, in one place: how W_ih and W_hh are cut
// into column panels, and where every packed array and every piece of per-step state lives.
//
// A panel holds U hidden units of a set of gates, gate-major inside the panel (column
// gi * U + u is unit p * U + u of gate gates[gi]), k-major in memory (all panel columns of k = 0,
// then k = 1, ...). With every gate of a unit in one panel, the accumulators of a panel are the
// gate pre-activations of U units, so the step's gate math runs on them in registers.
// Units are padded to Hp (a multiple of 16, so every U divides it); padded columns are zero.
// The step's panels: lstm 4 units x 4 gates, gru 4 x 3 (without linearBeforeReset: 8 x (r, z),
// then 16 x n), rnn 16 units: 16 columns (gru 12), which WASM-FACTS measured fastest for the matvec
// (15 µs against 27 with 8 and 19 with 32).
import type { OpAttrs } from '../../../ops/attrs.ts';
import { type RecurrentSizes, recurrentSizes } from '../../../ops/recurrent.ts';
import type { WasmNodeInfo } from '../kernel.ts';

/** The ops of this family. */
export type RecurrentKind = 'rnn' | 'lstm' | 'gru';

/** A set of gates packed into panels of U units (PC = gates x U columns, at most 16). */
export interface PanelSet {
  readonly gates: readonly number[];
  readonly U: number;
  /** Columns of one panel. */
  readonly PC: number;
  /** Rows of one register block: `accs` v128 accumulators at most (V8 keeps ~15 v128 in registers, splats and the panel vector included). */
  readonly MR: number;
}

function panelSet(gates: readonly number[], U: number, accs = 12): PanelSet {
  const PC = gates.length * U;
  return { gates, U, PC, MR: Math.max(1, Math.floor(accs / (PC / 4))) };
}

/** Everything the emitters need to know about one node. */
export interface RecurrentPlan extends RecurrentSizes {
  readonly kind: RecurrentKind;
  readonly G: number;
  /** H rounded up to a multiple of 16. */
  readonly Hp: number;
  readonly reverseOnly: boolean;
  readonly relu: boolean;
  /** gru without linearBeforeReset: the n block's hidden projection reads r * h (a second stage). */
  readonly resetFirst: boolean;
  /** The input projection's panel sets (XW's columns are gate-major whatever the sets). */
  readonly ih: readonly PanelSet[];
  /** The step's stages: one panel set each (two for resetFirst: r and z, then n over r * h). */
  readonly hh: readonly PanelSet[];
  /** Byte offsets inside one direction's packed data, and its size. */
  readonly pack: { readonly wih: readonly number[]; readonly whh: readonly number[]; readonly bias: number; readonly bhn: number; readonly bytes: number };
  /** Byte offsets inside one share's scratch, and its size (pack: where unprepared weights go). */
  readonly scratch: { readonly xw: number; readonly h: readonly [number, number]; readonly c: number; readonly rh: number; readonly z: number; readonly pack: number; readonly bytes: number };
  /** Whether the packed data is prepared once at create (W and b all static). */
  readonly prepared: boolean;
}

const align16 = (n: number): number => Math.ceil(n / 16) * 16;

/** The plan of a recurrent node. */
export function recurrentPlan(n: WasmNodeInfo<RecurrentKind>): RecurrentPlan {
  const kind = n.node.op;
  const a = n.node.attrs as OpAttrs['rnn'] & OpAttrs['gru'];
  const s = recurrentSizes(kind, a, n.inputs[0]!);
  const G = s.GH / s.H;
  const Hp = Math.ceil(s.H / 16) * 16;
  const resetFirst = kind === 'gru' && !a.linearBeforeReset;
  const all = Array.from({ length: G }, (_, g) => g);
  // The projection needs no gates together (its epilogue only stores): per gate, 8-column panels
  // in 4-row blocks (8 accumulators + 4 splats + the panel vector stay in registers). 6-row blocks
  // (12 accumulators, the GEMM recipe of ../shared/WASM-FACTS.md) measured 1.72 ms against 1.36
  // for the bench LSTM's two projections (64 x 256 x 1024 each); 16 columns x 3 rows the same as 6.
  const ih = all.map((g) => panelSet([g], 8, 8));
  const hh = resetFirst ? [panelSet([0, 1], 8), panelSet([2], 16)] : [panelSet(all, kind === 'rnn' ? 16 : 4)];
  // Packed data of one direction, f32: W_ih panels, W_hh panels per stage, bias [G, Hp], b_hn [Hp].
  let at = 0;
  const take = (floats: number): number => {
    const o = at;
    at += align16(floats * 4);
    return o;
  };
  const wih = ih.map((set) => take(set.gates.length * Hp * s.I));
  const whh = hh.map((p) => take(p.gates.length * Hp * s.H));
  const bias = take(G * Hp);
  const bhn = take(Hp);
  const pack = { wih, whh, bias, bhn, bytes: at };
  const prepared = [1, 2, 3, 4].every((i) => n.staticInputs[i]);
  at = 0;
  const row = s.B * Hp;
  const xw = take(s.T * s.B * G * Hp);
  const h: [number, number] = [take(row), take(row)];
  const c = take(row);
  const rh = take(resetFirst ? row : 0);
  const z = take(resetFirst ? row : 0);
  const packAt = take(prepared ? 0 : pack.bytes / 4);
  const scratch = { xw, h, c, rh, z, pack: packAt, bytes: at };
  return { ...s, kind, G, Hp, reverseOnly: a.direction === 'reverse', relu: kind === 'rnn' && a.activation === 'relu', resetFirst, ih, hh, pack, scratch, prepared };
}
