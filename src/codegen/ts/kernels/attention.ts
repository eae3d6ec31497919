// The fused attention kernel, tiled like FlashAttention: for each block of 4 query rows, keys
// are visited in blocks of 64 with an online softmax (running max and sum per row, the output
// accumulator rescaled when the max grows). Q·K^T of a block and P·V of a block are both the
// register-blocked contraction, reading Q, K and V through their literal strides; only a
// 4 x 64 score tile (smaller for short sequences) exists at a time, never the N x N matrix (unless the graph also asks for
// the attention weights, which are then written as a second output).
import type { CodeBlockWriter } from 'ts-morph';
import type { OpAttrs } from '../../../ops/attrs.ts';
import { numberLiteral } from '../names.ts';
import { type KernelEmitter, inArg, outArg } from '../kernel.ts';
import { emitContraction } from './contraction.ts';

type Attn = OpAttrs['attention'];

/** Query rows per tile (the contraction's register block). */
const QB = 4;
/** Keys per tile (fewer when there are fewer keys). */
const KEY_TILE = 64;
const tileKeys = (a: Attn): number => Math.max(1, Math.min(KEY_TILE, a.seqK));

const sum = (...terms: string[]): string => terms.filter((t) => t !== '' && t !== '0').join(' + ') || '0';
const term = (v: string, s: number): string => (s === 0 ? '' : s === 1 ? v : `${v} * ${s}`);

/** Layout of the f64 scratch: a QB x KB score tile S, the QB x dv accumulator A, row maxima M and sums L. */
function scratchLayout(a: Attn): { S: number; A: number; M: number; L: number; total: number } {
  const dv = Math.max(a.valueDim, 1);
  const KB = tileKeys(a);
  return { S: 0, A: QB * KB, M: QB * KB + QB * dv, L: QB * KB + QB * dv + QB, total: QB * KB + QB * dv + 2 * QB };
}

/** f64 scratch elements the attention kernel needs. */
export function attentionScratch(a: Attn): number {
  return scratchLayout(a).total;
}

export const emitAttention: KernelEmitter<'attention'> = (w, k) => {
  const a = k.node.attrs;
  if (a.batch * a.heads * a.seqQ === 0) return;
  const lay = scratchLayout(a);
  // The plan's scratch parameter is named `sc`; without one (a direct emit), allocate it.
  if (k.scratch !== 'sc') w.writeLine(`const sc = ${k.scratch ?? `new Float64Array(${lay.total})`};`);
  w.write(`for (let b = 0; b < ${a.batch}; b++) `).block(() => {
    w.write(`for (let h = 0; h < ${a.heads}; h++) `).block(() => {
      const full = a.seqQ - (a.seqQ % QB);
      if (full > 0) w.write(`for (let i0 = 0; i0 < ${full}; i0 += ${QB}) `).block(() => emitRowBlock(w, a, QB));
      if (full < a.seqQ) w.block(() => {
        w.writeLine(`const i0 = ${full};`);
        emitRowBlock(w, a, a.seqQ - full);
      });
    });
  });
};

/** One block of `rows` query rows: all key tiles, then the normalised output rows (0 / 0 = NaN for a fully masked row). */
function emitRowBlock(w: CodeBlockWriter, a: Attn, rows: number): void {
  const lay = scratchLayout(a);
  w.writeLine(`sc.fill(-Infinity, ${lay.M}, ${lay.M + QB});`);
  w.writeLine(`sc.fill(0, ${lay.L}, ${lay.L + QB});`);
  w.writeLine(`sc.fill(0, ${lay.A}, ${lay.A + QB * Math.max(a.valueDim, 1)});`);
  const KB = tileKeys(a);
  const full = a.seqK - (a.seqK % KB);
  const skip = a.causal ? `if (j0 > i0 + ${rows - 1}) break;` : undefined;
  if (full > 0) {
    w.write(`for (let j0 = 0; j0 < ${full}; j0 += ${KB}) `).block(() => {
      if (skip) w.writeLine(skip);
      emitKeyTile(w, a, rows, KB);
    });
  }
  if (full < a.seqK) {
    w.write('do ').block(() => {
      w.writeLine(`const j0 = ${full};`);
      if (skip) w.writeLine(skip);
      emitKeyTile(w, a, rows, a.seqK - full);
    });
    w.writeLine(' while (false);');
  }
  const o = a.out.strides;
  w.writeLine(`const ob = ${sum(term('b', o[0]!), term('h', o[1]!), term('i0', o[2]!))};`);
  w.write(`for (let r = 0; r < ${rows}; r++) `).block(() => {
    w.writeLine(`for (let e = 0; e < ${a.valueDim}; e++) ${outArg(0)}[${sum('ob', term('r', o[2]!), term('e', o[3]!))}] = sc[${lay.A} + r * ${Math.max(a.valueDim, 1)} + e] / sc[${lay.L} + r];`);
  });
  if (a.weights) emitWeights(w, a, rows);
}

/** Scores of one tile (Q·K^T, scaled, masked), the online-softmax update, then A += P·V. */
function emitKeyTile(w: CodeBlockWriter, a: Attn, rows: number, cols: number): void {
  const [q, kk, v] = [a.q.strides, a.k.strides, a.v.strides];
  const lay = scratchLayout(a);
  const dv = Math.max(a.valueDim, 1);
  const KB = tileKeys(a);
  w.writeLine(`const qb = ${sum(String(a.q.offset), term('b', q[0]!), term('h', q[1]!), term('i0', q[2]!))};`);
  w.writeLine(`const kb = ${sum(String(a.k.offset), term('b', kk[0]!), term('h', kk[1]!), term('j0', kk[2]!))};`);
  emitContraction(w, {
    m: rows, n: cols, k: a.headDim, dtype: 'f32',
    a: { arr: inArg(0), base: 'qb', rowStride: q[2]!, colStride: q[3]! },
    b: { arr: inArg(1), base: 'kb', rowStride: kk[3]!, colStride: kk[2]! },
    out: 'sc', outBase: String(lay.S), outRowStride: KB,
    epilogue: (acc, i, j, wr) => scoreValue(wr, a, acc, i, j),
    store: (x) => x,
  });
  w.write(`for (let r = 0; r < ${rows}; r++) `).block(() => {
    w.writeLine(`const row = ${lay.S} + r * ${KB};`);
    w.writeLine('let bm = -Infinity;');
    w.writeLine(`for (let c = 0; c < ${cols}; c++) bm = Math.max(bm, sc[row + c]);`);
    w.writeLine(`const mOld = sc[${lay.M} + r];`);
    w.writeLine('const mNew = Math.max(mOld, bm);');
    w.write('if (mNew === -Infinity) ').block(() => {
      w.writeLine(`for (let c = 0; c < ${cols}; c++) sc[row + c] = 0;`);
      w.writeLine('continue;');
    });
    w.writeLine('const corr = Math.exp(mOld - mNew);');
    w.writeLine(`for (let e = 0; e < ${a.valueDim}; e++) sc[${lay.A} + r * ${dv} + e] *= corr;`);
    w.writeLine('let total = 0;');
    w.write(`for (let c = 0; c < ${cols}; c++) `).block(() => {
      w.writeLine('const p = Math.exp(sc[row + c] - mNew);');
      w.writeLine('sc[row + c] = p;');
      w.writeLine('total += p;');
    });
    w.writeLine(`sc[${lay.L} + r] = sc[${lay.L} + r] * corr + total;`);
    w.writeLine(`sc[${lay.M} + r] = mNew;`);
  });
  w.writeLine(`const vb = ${sum(String(a.v.offset), term('b', v[0]!), term('h', v[1]!), term('j0', v[2]!))};`);
  emitContraction(w, {
    m: rows, n: a.valueDim, k: cols, dtype: 'f32',
    a: { arr: 'sc', base: String(lay.S), rowStride: KB, colStride: 1 },
    b: { arr: inArg(2), base: 'vb', rowStride: v[2]!, colStride: v[3]! },
    out: 'sc', outBase: String(lay.A), outRowStride: dv, accumulate: true,
    store: (x) => x,
  });
}

/** The score stored for one (row i, key j) of a tile: scaled, plus the mask, -Infinity above the causal diagonal. */
function scoreValue(w: CodeBlockWriter, a: Attn, acc: string, i: string, j: string): string {
  let s = a.scale === 1 ? acc : `${acc} * ${numberLiteral(a.scale)}`;
  if (a.mask) {
    const mk = a.mask.strides;
    s += ` + ${inArg(3)}[${sum(String(a.mask.offset), term('b', mk[0]!), term('h', mk[1]!), term(`(i0 + ${i})`, mk[2]!), term(`(j0 + ${j})`, mk[3]!))}]`;
  }
  if (a.causal) s = `(j0 + ${j} > i0 + ${i} ? -Infinity : ${s})`;
  if (!a.weights) return s;
  w.writeLine(`const ${acc}_s = ${s};`);
  w.writeLine(`${outArg(1)}[((b * ${a.heads} + h) * ${a.seqQ} + i0 + ${i}) * ${a.seqK} + j0 + ${j}] = ${acc}_s;`);
  return `${acc}_s`;
}

/**
 * With `weights`, turns the block's stored scores into probabilities. A row whose keys are all
 * masked has max -Infinity and sum 0, so exp(-Inf - -Inf) / 0 is NaN, as softmax gives.
 */
function emitWeights(w: CodeBlockWriter, a: Attn, rows: number): void {
  w.write(`for (let r = 0; r < ${rows}; r++) `).block(() => {
    w.writeLine(`const wb = ((b * ${a.heads} + h) * ${a.seqQ} + i0 + r) * ${a.seqK};`);
    const keys = a.causal ? `Math.min(i0 + r + 1, ${a.seqK})` : String(a.seqK);
    const lay = scratchLayout(a);
    w.writeLine(`for (let c = 0; c < ${keys}; c++) ${outArg(1)}[wb + c] = Math.exp(${outArg(1)}[wb + c] - sc[${lay.M} + r]) / sc[${lay.L} + r];`);
    // Keys past the diagonal weigh 0, unless every key of the row is masked (sum 0): then the whole row is NaN.
    if (a.causal) w.writeLine(`for (let c = ${keys}; c < ${a.seqK}; c++) ${outArg(1)}[wb + c] = sc[${lay.L} + r] === 0 ? NaN : 0;`);
  });
}
