// The fused attention kernel, tiled like FlashAttention: for each block of 4 query rows, keys
// are visited in blocks of 64 with an online softmax (running max and sum per row, the output
// accumulator rescaled when the max grows). Q·K^T of a block and P·V of a block are both the
// register-blocked contraction, reading Q, K and V through their literal strides; only a
// 4 x 64 score tile exists at a time, never the N x N matrix (unless the graph also asks for
// the attention weights, which are then written as a second output).
import type { CodeBlockWriter } from 'ts-morph';
import type { OpAttrs } from '../../../ops/attrs.ts';
import { numberLiteral } from '../names.ts';
import { type KernelEmitter, inArg, outArg } from '../kernel.ts';
import { emitContraction } from './contraction.ts';

type Attn = OpAttrs['attention'];

/** Query rows per tile (the contraction's register block). */
const QB = 4;
/** Keys per tile. */
const KB = 64;

const sum = (...terms: string[]): string => terms.filter((t) => t !== '' && t !== '0').join(' + ') || '0';
const term = (v: string, s: number): string => (s === 0 ? '' : s === 1 ? v : `${v} * ${s}`);

export const emitAttention: KernelEmitter<'attention'> = (w, k) => {
  const a = k.node.attrs;
  if (a.batch * a.heads * a.seqQ === 0) return;
  const dv = Math.max(a.valueDim, 1);
  w.writeLine(`const S = new Float64Array(${QB * KB});`);
  w.writeLine(`const A = new Float64Array(${QB * dv});`);
  w.writeLine(`const M = new Float64Array(${QB});`);
  w.writeLine(`const L = new Float64Array(${QB});`);
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

/** One block of `rows` query rows: all key tiles, then the normalised output rows. */
function emitRowBlock(w: CodeBlockWriter, a: Attn, rows: number): void {
  w.writeLine('M.fill(-Infinity);');
  w.writeLine('L.fill(0);');
  w.writeLine('A.fill(0);');
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
    w.writeLine(`for (let e = 0; e < ${a.valueDim}; e++) ${outArg(0)}[${sum('ob', term('r', o[2]!), term('e', o[3]!))}] = A[r * ${Math.max(a.valueDim, 1)} + e] / L[r];`);
  });
  if (a.weights) emitWeights(w, a, rows);
}

/** Scores of one tile (Q·K^T, scaled, masked), the online-softmax update, then A += P·V. */
function emitKeyTile(w: CodeBlockWriter, a: Attn, rows: number, cols: number): void {
  const [q, kk, v] = [a.q.strides, a.k.strides, a.v.strides];
  w.writeLine(`const qb = ${sum(String(a.q.offset), term('b', q[0]!), term('h', q[1]!), term('i0', q[2]!))};`);
  w.writeLine(`const kb = ${sum(String(a.k.offset), term('b', kk[0]!), term('h', kk[1]!), term('j0', kk[2]!))};`);
  emitContraction(w, {
    m: rows, n: cols, k: a.headDim, dtype: 'f32',
    a: { arr: inArg(0), base: 'qb', rowStride: q[2]!, colStride: q[3]! },
    b: { arr: inArg(1), base: 'kb', rowStride: kk[3]!, colStride: kk[2]! },
    out: 'S', outBase: '0', outRowStride: KB,
    epilogue: (acc, i, j, wr) => scoreValue(wr, a, acc, i, j),
    store: (x) => x,
  });
  w.write(`for (let r = 0; r < ${rows}; r++) `).block(() => {
    w.writeLine(`const row = r * ${KB};`);
    w.writeLine('let bm = -Infinity;');
    w.writeLine(`for (let c = 0; c < ${cols}; c++) bm = Math.max(bm, S[row + c]);`);
    w.writeLine('const mNew = Math.max(M[r], bm);');
    w.write('if (mNew === -Infinity) ').block(() => {
      w.writeLine(`for (let c = 0; c < ${cols}; c++) S[row + c] = 0;`);
      w.writeLine('continue;');
    });
    w.writeLine('const corr = Math.exp(M[r] - mNew);');
    w.writeLine('L[r] *= corr;');
    w.writeLine(`for (let e = 0; e < ${a.valueDim}; e++) A[r * ${Math.max(a.valueDim, 1)} + e] *= corr;`);
    w.writeLine('let total = 0;');
    w.write(`for (let c = 0; c < ${cols}; c++) `).block(() => {
      w.writeLine('const p = Math.exp(S[row + c] - mNew);');
      w.writeLine('S[row + c] = p;');
      w.writeLine('total += p;');
    });
    w.writeLine('L[r] += total;');
    w.writeLine('M[r] = mNew;');
  });
  w.writeLine(`const vb = ${sum(String(a.v.offset), term('b', v[0]!), term('h', v[1]!), term('j0', v[2]!))};`);
  emitContraction(w, {
    m: rows, n: a.valueDim, k: cols, dtype: 'f32',
    a: { arr: 'S', base: '0', rowStride: KB, colStride: 1 },
    b: { arr: inArg(2), base: 'vb', rowStride: v[2]!, colStride: v[3]! },
    out: 'A', outBase: '0', outRowStride: Math.max(a.valueDim, 1), accumulate: true,
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

/** With `weights`, turns the block's stored scores into probabilities. */
function emitWeights(w: CodeBlockWriter, a: Attn, rows: number): void {
  w.write(`for (let r = 0; r < ${rows}; r++) `).block(() => {
    w.writeLine(`const wb = ((b * ${a.heads} + h) * ${a.seqQ} + i0 + r) * ${a.seqK};`);
    const keys = a.causal ? `Math.min(i0 + r + 1, ${a.seqK})` : String(a.seqK);
    w.writeLine(`for (let c = 0; c < ${keys}; c++) ${outArg(1)}[wb + c] = Math.exp(${outArg(1)}[wb + c] - M[r]) / L[r];`);
    if (a.causal) w.writeLine(`for (let c = ${keys}; c < ${a.seqK}; c++) ${outArg(1)}[wb + c] = 0;`);
  });
}
