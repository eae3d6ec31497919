// The fused attention kernel: per query row, keys are visited in blocks with an online softmax
// (running max, running sum, a rescaled accumulator), so no N x N score matrix is materialised
// unless the graph also returns the attention weights. Every operand is read (and the output
// written) through its literal strides.
import type { CodeBlockWriter } from 'ts-morph';
import { numberLiteral } from '../names.ts';
import { type KernelEmitter, inArg, outArg } from '../kernel.ts';

/** Keys scored per block before the accumulator is rescaled. */
const BLOCK = 32;

const idx = (base: string, parts: readonly [string, number][]): string =>
  [base === '0' ? '' : base, ...parts.filter(([, s]) => s !== 0).map(([v, s]) => (s === 1 ? v : `${v} * ${s}`))].filter(Boolean).join(' + ') || '0';

export const emitAttention: KernelEmitter<'attention'> = (w, k) => {
  const a = k.node.attrs;
  const q = a.q.strides;
  const o = a.out.strides;
  const mask = a.mask;
  const weights = a.weights ? outArg(1) : undefined;
  if (a.batch * a.heads * a.seqQ === 0) return;
  w.writeLine(`const acc = new Float64Array(${Math.max(a.valueDim, 1)});`);
  w.writeLine(`const sc = new Float64Array(${BLOCK});`);
  w.write(`for (let b = 0; b < ${a.batch}; b++) `).block(() => {
    w.write(`for (let h = 0; h < ${a.heads}; h++) `).block(() => {
      w.write(`for (let i = 0; i < ${a.seqQ}; i++) `).block(() => {
        w.writeLine(`const qb = ${idx(String(a.q.offset), [['b', q[0]!], ['h', q[1]!], ['i', q[2]!]])};`);
        w.writeLine('let m = -Infinity;');
        w.writeLine('let l = 0;');
        w.writeLine('acc.fill(0);');
        const keys = a.causal ? `Math.min(i + 1, ${a.seqK})` : String(a.seqK);
        w.write(`for (let j0 = 0; j0 < ${keys}; j0 += ${BLOCK}) `).block(() => emitBlock(w, k.node.attrs, keys, mask !== undefined, weights));
        w.writeLine(`const ob = ${idx('0', [['b', o[0]!], ['h', o[1]!], ['i', o[2]!]])};`);
        w.writeLine(`for (let e = 0; e < ${a.valueDim}; e++) ${outArg(0)}[${idx('ob', [['e', o[3]!]])}] = acc[e] / l;`);
        if (weights) emitWeights(w, k.node.attrs, keys, weights);
      });
    });
  });
};

/** One block of keys: score them, then fold them into the running max, sum and accumulator. */
function emitBlock(w: CodeBlockWriter, a: Parameters<KernelEmitter<'attention'>>[1]['node']['attrs'], keys: string, masked: boolean, weights: string | undefined): void {
  const [q, kk, v] = [a.q.strides, a.k.strides, a.v.strides];
  w.writeLine(`const jn = Math.min(${BLOCK}, ${keys} - j0);`);
  w.writeLine('let bm = -Infinity;');
  w.write('for (let t = 0; t < jn; t++) ').block(() => {
    w.writeLine(`const kb = ${idx(String(a.k.offset), [['b', kk[0]!], ['h', kk[1]!], ['(j0 + t)', kk[2]!]])};`);
    w.writeLine('let s = 0;');
    w.writeLine(`for (let e = 0; e < ${a.headDim}; e++) s += ${inArg(0)}[${idx('qb', [['e', q[3]!]])}] * ${inArg(1)}[${idx('kb', [['e', kk[3]!]])}];`);
    let score = a.scale === 1 ? 's' : `s * ${numberLiteral(a.scale)}`;
    if (masked) {
      const mk = a.mask!.strides;
      score += ` + ${inArg(3)}[${idx(String(a.mask!.offset), [['b', mk[0]!], ['h', mk[1]!], ['i', mk[2]!], ['(j0 + t)', mk[3]!]])}]`;
    }
    w.writeLine(`const st = ${score};`);
    w.writeLine('sc[t] = st;');
    if (weights) w.writeLine(`${weights}[((b * ${a.heads} + h) * ${a.seqQ} + i) * ${a.seqK} + j0 + t] = st;`);
    w.writeLine('if (st > bm) bm = st;');
  });
  w.writeLine('const mNew = Math.max(m, bm);');
  w.writeLine('if (mNew === -Infinity) continue;');
  w.writeLine('const corr = Math.exp(m - mNew);');
  w.writeLine('l *= corr;');
  w.writeLine(`for (let e = 0; e < ${a.valueDim}; e++) acc[e] *= corr;`);
  w.write('for (let t = 0; t < jn; t++) ').block(() => {
    w.writeLine('const p = Math.exp(sc[t] - mNew);');
    w.writeLine('l += p;');
    w.writeLine(`const vb = ${idx(String(a.v.offset), [['b', v[0]!], ['h', v[1]!], ['(j0 + t)', v[2]!]])};`);
    w.writeLine(`for (let e = 0; e < ${a.valueDim}; e++) acc[e] += p * ${inArg(2)}[${idx('vb', [['e', v[3]!]])}];`);
  });
  w.writeLine('m = mNew;');
}

/** With `weights`, turns the row's stored scores into probabilities (masked causal keys are 0). */
function emitWeights(w: CodeBlockWriter, a: Parameters<KernelEmitter<'attention'>>[1]['node']['attrs'], keys: string, weights: string): void {
  w.writeLine(`const wb = ((b * ${a.heads} + h) * ${a.seqQ} + i) * ${a.seqK};`);
  w.writeLine(`for (let j = 0; j < ${keys}; j++) ${weights}[wb + j] = Math.exp(${weights}[wb + j] - m) / l;`);
  if (a.causal) w.writeLine(`for (let j = ${keys}; j < ${a.seqK}; j++) ${weights}[wb + j] = 0;`);
}
