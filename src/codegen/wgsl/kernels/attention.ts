// WGSL fused attention. A workgroup serves up to QUERY_BLOCK query rows of one (batch, head), one
// invocation per row holding its query in registers. Keys and values stream past in tiles of
// `bkv` rows that the workgroup stages in workgroup memory (zero past seqK), so each K and V row
// is read from storage once per workgroup instead of once per query. Each invocation runs an
// online softmax over the tile (running max m and sum l, accumulator rescaled by exp(mOld - m)),
// keys in order as the interpreter does, and never forms the score matrix unless the weights are
// an output. Rows too wide to stage read K and V from storage instead; the loop is the same.
// A row whose keys are all masked gives NaN outputs and weights, like the interpreter.
import type { Access } from '../../../ops/access.ts';
import { type WgslEmitter, type WgslInput, pow2Ceil, pow2Floor } from '../kernel.ts';
import { f32Literal, load, store } from '../types.ts';

/** Query rows per workgroup (at most; fewer for short sequences). */
const QUERY_BLOCK = 64;
/** Workgroup memory for a K and a V tile, in 4-byte words (8 KiB of the 16 KiB default). */
const STAGE_WORDS = 2048;
/** Key rows per tile, at most. */
const KEY_BLOCK = 32;

/** u32 expression `offset + sum(index_d * stride_d)` over the named indices. */
const lin = (base: number, parts: readonly [string, number][]): string =>
  [String(base >>> 0) + 'u', ...parts.filter(([, s]) => s !== 0).map(([v, s]) => (s === 1 ? v : `${v} * ${s >>> 0}u`))].join(' + ');

/** Element (b, h, row, e) of an operand read through `acc` at word offset `base`. */
const element = (base: number, acc: Access, row: string, e: string): string =>
  load('f32', base, lin(acc.offset, [['b', acc.strides[0]!], ['h', acc.strides[1]!], [row, acc.strides[2]!], [e, acc.strides[3]!]]));

/**
 * Statements staging rows j0 .. j0 + bkv of an operand (`width` elements each) into workgroup
 * array `tile`, invocations striding over the tile, 0 past seqK.
 */
function stage(tile: string, width: number, bkv: number, bq: number, seqK: number, read: (j: string, e: string) => string): string[] {
  return [
    `for (var x = lidx; x < ${bkv * width}u; x += ${bq}u) {`,
    `  let j = j0 + x / ${Math.max(width, 1)}u;`,
    `  let e = x % ${Math.max(width, 1)}u;`,
    '  var v = 0.0;',
    `  if (j < ${seqK}u) { v = ${read('j', 'e')}; }`,
    `  ${tile}[x] = v;`,
    '}',
  ];
}

/** Where the raw scores, then the weights, of query row i go in the weights output. */
const weightsRow = (a: WgslInput<'attention'>['node']['attrs']): string => `((b * ${a.heads}u + h) * ${a.seqQ}u + i) * ${a.seqK}u`;

/**
 * Statements for key `j0 + jj` of the current tile: its score against `qr` (K element e read
 * by `kAt`), the online-softmax update of m, l and acc (V element e read by `vAt`).
 */
function keyStep(k: WgslInput<'attention'>, kAt: (e: string) => string, vAt: (e: string) => string): string[] {
  const a = k.node.attrs;
  const mask = a.mask ? `s = s + ${load('f32', k.x[3]!, lin(a.mask.offset, [['b', a.mask.strides[0]!], ['h', a.mask.strides[1]!], ['i', a.mask.strides[2]!], ['j', a.mask.strides[3]!]]))};` : '';
  return [
    'let j = j0 + jj;',
    `if (j >= ${a.seqK}u) { break; }`,
    'var s = 0.0;',
    `for (var e = 0u; e < ${a.headDim}u; e++) { s += qr[e] * ${kAt('e')}; }`,
    `s = s * ${f32Literal(a.scale)};`,
    mask,
    a.causal ? `if (j > i) { s = ${f32Literal(-Infinity)}; }` : '',
    a.weights ? store('f32', k.y[1]!, `${weightsRow(a)} + j`, 's') : '',
    'let mNew = max(m, s);',
    `if (mNew == ${f32Literal(-Infinity)}) { continue; }`,
    'let corr = exp(m - mNew);',
    'let p = exp(s - mNew);',
    'l = l * corr + p;',
    `for (var e = 0u; e < ${a.valueDim}u; e++) { acc[e] = acc[e] * corr + p * ${vAt('e')}; }`,
    'm = mNew;',
  ].filter(Boolean);
}

const attention: WgslEmitter<'attention'> = (k) => {
  const a = k.node.attrs;
  const [hd, dv] = [a.headDim, a.valueDim];
  const bq = Math.min(QUERY_BLOCK, pow2Ceil(a.seqQ));
  const staged = hd + dv <= STAGE_WORDS;
  const bkv = staged ? Math.min(KEY_BLOCK, pow2Floor(STAGE_WORDS / Math.max(hd + dv, 1))) : KEY_BLOCK;
  const [x, kx, vx] = [k.x[0]!, k.x[1]!, k.x[2]!];
  const kAt = (e: string): string => (staged ? `tileK[jj * ${Math.max(hd, 1)}u + ${e}]` : element(kx, a.k, 'j', e));
  const vAt = (e: string): string => (staged ? `tileV[jj * ${Math.max(dv, 1)}u + ${e}]` : element(vx, a.v, 'j', e));
  const wIdx = weightsRow(a);
  const o = a.out.strides;
  const body = [
    'let b = group.z;',
    'let h = group.y;',
    `let i = group.x * ${bq}u + lidx;`,
    `let live = i < ${a.seqQ}u;`,
    `var qr: array<f32, ${Math.max(hd, 1)}>;`,
    `if (live) { for (var e = 0u; e < ${hd}u; e++) { qr[e] = ${element(x, a.q, 'i', 'e')}; } }`,
    `var acc: array<f32, ${Math.max(dv, 1)}>;`,
    `var m = ${f32Literal(-Infinity)};`,
    'var l = 0.0;',
    `for (var t = 0u; t < ${Math.ceil(a.seqK / bkv)}u; t++) {`,
    `  let j0 = t * ${bkv}u;`,
    ...(staged ? [...stage('tileK', hd, bkv, bq, a.seqK, (j, e) => element(kx, a.k, j, e)), ...stage('tileV', dv, bkv, bq, a.seqK, (j, e) => element(vx, a.v, j, e))] : []).map((l) => `  ${l}`),
    '  workgroupBarrier();',
    '  if (live) {',
    `    for (var jj = 0u; jj < ${bkv}u; jj++) {`,
    ...keyStep(k, kAt, vAt).map((l) => `      ${l}`),
    '    }',
    '  }',
    '  workgroupBarrier();',
    '}',
    'if (!live) { return; }',
    // Every key masked (l is 0): NaN outputs and weights, as softmax over -Inf gives. Written
    // explicitly, since WGSL leaves 0 / 0 and exp(-Inf - -Inf) unspecified.
    `let dead = l == 0.0;`,
    `for (var e = 0u; e < ${dv}u; e++) { ${store('f32', k.y[0]!, lin(0, [['b', o[0]!], ['h', o[1]!], ['i', o[2]!], ['e', o[3]!]]), `select(acc[e] / l, ${f32Literal(NaN)}, dead)`)} }`,
    a.weights ? `for (var j = 0u; j < ${a.seqK}u; j++) { ${store('f32', k.y[1]!, `${wIdx} + j`, `select(exp(${load('f32', k.y[1]!, `${wIdx} + j`)} - m) / l, ${f32Literal(NaN)}, dead)`)} }` : '',
  ];
  const decls = staged ? [`var<workgroup> tileK: array<f32, ${bkv * Math.max(hd, 1)}>;`, `var<workgroup> tileV: array<f32, ${bkv * Math.max(dv, 1)}>;`].join('\n') : undefined;
  return { groups: [Math.ceil(a.seqQ / bq), a.heads, a.batch], workgroupSize: bq, decls, body: body.filter(Boolean).join('\n') };
};

/** The attention emitter. */
export const wgslAttention = { attention };
