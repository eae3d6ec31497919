// The workgroup-tiled contraction behind WGSL matmul and gemm. Each workgroup owns a BM x BN
// output tile of one batch matrix; its WM x WN invocations each hold a TM x TN register block
// (rows ty + i*WM, columns tx + j*WN, so neighbouring invocations touch neighbouring columns).
// K is walked in BK-wide steps: the workgroup stages an A tile (BM x BK) and a B tile (BK x BN)
// in workgroup memory, zero-padded past M, N and K, then every invocation accumulates from them.
// Each accumulator sums over k in order, as the interpreter does. Only the stores are guarded,
// so every invocation reaches every barrier. The tile shape is picked per contraction from its
// static M and N (thin outputs hand their spare invocations to the long side). A handful of
// outputs over a long K would leave the tiles idle instead: each output then gets a workgroup
// whose invocations split K and add their partial sums in a tree (splitContraction). An operand
// may be computed rather than stored (`read`): the convolutions stage their im2col matrices so.
import type { DType } from '../../../ir/types.ts';
import { type GroupedKernel, pow2Ceil, pow2Floor, treeReduce } from '../kernel.ts';
import { load } from '../types.ts';

/** A stored operand read as a logical matrix: element (r, c) at base + batch + r*rs + c*cs. */
export interface TiledOperand {
  readonly base: number;
  readonly dtype: DType;
  readonly rs: number;
  readonly cs: number;
  /** WGSL u32 expression of the batch matrix's element offset (names from `batchCode`). */
  readonly batch: string;
  /**
   * A computed operand (an implicit-GEMM im2col matrix, a permuted weight): element (r, c) as a
   * guard and a value read only where the guard holds, 0 elsewhere; then base, rs and cs only
   * choose how staging walks the tile (rs 1: consecutive invocations step along r).
   */
  readonly read?: (r: string, c: string) => { readonly ok: string; readonly value: string };
}

/** A contraction of `batches` [M,K] x [K,N] products into a dense [batches, M, N] output. */
export interface TiledContraction {
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly batches: number;
  /** WGSL accumulator type (f32 or i32). */
  readonly type: 'f32' | 'i32';
  readonly a: TiledOperand;
  readonly b: TiledOperand;
  /** Statements that compute the operands' batch offsets from `bi` (u32). */
  readonly batchCode: string;
  /** Statements storing accumulator `acc` as output element `oidx` (both u32-indexed WGSL names). */
  readonly store: (acc: string, oidx: string) => string;
}

/** Invocations per workgroup: at most WebGPU's default limit. */
const MAX_INVOCATIONS = 256;
/** Workgroup memory for the two staged tiles, in 4-byte words (8 KiB of the 16 KiB default). */
const STAGE_WORDS = 2048;

/** The tile shape: register block TM x TN, invocation grid WM x WN, k step BK, tile BM x BN. */
interface Tile {
  readonly tm: number;
  readonly tn: number;
  readonly wm: number;
  readonly wn: number;
  readonly bk: number;
  readonly bm: number;
  readonly bn: number;
}

/** The tile shape of an M x N output over K. */
function tileShape(m: number, n: number, k: number): Tile {
  const tm = m >= 64 ? 4 : m >= 16 ? 2 : 1;
  const tn = n >= 64 ? 4 : n >= 16 ? 2 : 1;
  const [needM, needN] = [pow2Ceil(Math.ceil(m / tm)), pow2Ceil(Math.ceil(n / tn))];
  let wm = Math.min(16, needM);
  let wn = Math.min(16, needN);
  if (wn < 16) wm = Math.min(needM, 64, MAX_INVOCATIONS / wn);
  if (wm < 16) wn = Math.min(needN, 64, MAX_INVOCATIONS / wm);
  const bk = Math.min(16, pow2Floor(STAGE_WORDS / (wm * tm + wn * tn)), pow2Ceil(k));
  return { tm, tn, wm, wn, bk, bm: wm * tm, bn: wn * tn };
}

/** Element (r, c) of an operand's batch matrix (a WGSL load). */
const element = (o: TiledOperand, r: string, c: string): string => load(o.dtype, o.base, `${o.batch} + ${r} * ${o.rs >>> 0}u + ${c} * ${o.cs >>> 0}u`);

/** Element (r, c) of an operand where `inRange` holds: a strided load, or a computed operand's guarded read. */
function guarded(o: TiledOperand, r: string, c: string, inRange: string): { ok: string; value: string } {
  if (!o.read) return { ok: inRange, value: element(o, r, c) };
  const e = o.read(r, c);
  return { ok: `${inRange} && ${e.ok}`, value: e.value };
}

const indent = (lines: readonly string[], depth: number): string[] => lines.filter(Boolean).map((l) => `${' '.repeat(2 * depth)}${l}`);

/**
 * Statements staging a tile of `dims.r` x `dims.c` elements (c is the k index) into workgroup
 * array `dst` at dst[c * dims.r + r]: the operand's value where `read(r, c).ok` holds, else 0.
 * Consecutive invocations step along c when `alongC` (the operand is contiguous in k), else along
 * r, so that their global reads coalesce.
 */
function stage(dst: string, dims: { r: number; c: number }, alongC: boolean, invocations: number, zero: string, read: (r: string, c: string) => { ok: string; value: string }): string[] {
  const size = dims.r * dims.c;
  const steps = Math.ceil(size / invocations);
  const [r, c] = alongC ? [`e / ${dims.c}u`, `e % ${dims.c}u`] : [`e % ${dims.r}u`, `e / ${dims.r}u`];
  const { ok, value } = read('r', 'c');
  const inner = [`let r = ${r};`, `let c = ${c};`, `var v = ${zero};`, `if (${ok}) { v = ${value}; }`, `${dst}[c * ${dims.r}u + r] = v;`];
  const guarded = size % invocations === 0 ? inner : [`if (e < ${size}u) {`, ...inner.map((l) => `  ${l}`), '}'];
  return [`for (var l = 0u; l < ${steps}u; l++) {`, `  let e = lidx + l * ${invocations}u;`, ...guarded.map((l) => `  ${l}`), '}'];
}

/** Statements staging the A and B tiles of k step `k0`, zero-padded past M, N and K. */
function stageTiles(c: TiledContraction, t: Tile): string[] {
  const zero = c.type === 'f32' ? '0.0' : '0i';
  const w = t.wm * t.wn;
  // A tile: r = row in the tile, c = k in the tile; B tile: r = column in the tile, c = k.
  const stageA = stage('tileA', { r: t.bm, c: t.bk }, c.a.cs === 1, w, zero, (r, cc) =>
    guarded(c.a, `(row0 + ${r})`, `(k0 + ${cc})`, `row0 + ${r} < ${c.m}u && k0 + ${cc} < ${c.k}u`));
  const stageB = stage('tileB', { r: t.bn, c: t.bk }, c.b.rs === 1 && c.b.cs !== 1, w, zero, (r, cc) =>
    guarded(c.b, `(k0 + ${cc})`, `(col0 + ${r})`, `col0 + ${r} < ${c.n}u && k0 + ${cc} < ${c.k}u`));
  return [...stageA, ...stageB];
}

/** Statements adding the staged tiles' product into each invocation's register block `accs`. */
function multiplyTiles(c: TiledContraction, t: Tile): string[] {
  return [
    `for (var q = 0u; q < ${t.bk}u; q++) {`,
    `  var ra: array<${c.type}, ${t.tm}>;`,
    `  for (var i = 0u; i < ${t.tm}u; i++) { ra[i] = tileA[q * ${t.bm}u + ty + i * ${t.wm}u]; }`,
    `  for (var j = 0u; j < ${t.tn}u; j++) {`,
    `    let rb = tileB[q * ${t.bn}u + tx + j * ${t.wn}u];`,
    `    for (var i = 0u; i < ${t.tm}u; i++) { accs[i * ${t.tn}u + j] += ra[i] * rb; }`,
    '  }',
    '}',
  ];
}

/** Statements storing the register block's elements that fall inside the output. */
function storeBlock(c: TiledContraction, t: Tile): string[] {
  return [
    `for (var i = 0u; i < ${t.tm}u; i++) {`,
    `  let row = row0 + ty + i * ${t.wm}u;`,
    `  for (var j = 0u; j < ${t.tn}u; j++) {`,
    `    let col = col0 + tx + j * ${t.wn}u;`,
    `    if (row < ${c.m}u && col < ${c.n}u) {`,
    `      let acc = accs[i * ${t.tn}u + j];`,
    `      let oidx = bi * ${c.m * c.n}u + row * ${c.n}u + col;`,
    ...indent(c.store('acc', 'oidx').split('\n'), 3),
    '    }',
    '  }',
    '}',
  ];
}

/** Outputs at most this many, over a K at least SPLIT_K, split K across a workgroup instead. */
const SPLIT_OUTPUTS = 64;
const SPLIT_K = 256;

/** The grouped kernel of a contraction: split over K for a few outputs over a long K, else tiled. */
export function contractionKernel(c: TiledContraction): GroupedKernel {
  return c.m * c.n * c.batches <= SPLIT_OUTPUTS && c.k >= SPLIT_K ? splitContraction(c) : tiledContraction(c);
}

/**
 * One workgroup per output element: its invocations stride over K, each summing its share in
 * order, then a tree adds the partial sums (a different order than the interpreter's, within
 * the f32 tolerances; exact for integers).
 */
function splitContraction(c: TiledContraction): GroupedKernel {
  const w = Math.min(MAX_INVOCATIONS, pow2Floor(c.k));
  const body = [
    `let oidx = group.x;`,
    `let bi = oidx / ${c.m * c.n}u;`,
    c.batchCode,
    `let row = (oidx / ${c.n}u) % ${c.m}u;`,
    `let col = oidx % ${c.n}u;`,
    `var part: ${c.type} = ${c.type === 'f32' ? '0.0' : '0i'};`,
    ...splitTerm(c, w),
    treeReduce('acc', 'part', w, 'red', (x, y) => `${x} + ${y}`),
    'if (lidx == 0u) {',
    ...indent(c.store('acc', 'oidx').split('\n'), 1),
    '}',
  ];
  return { groups: [c.m * c.n * c.batches], workgroupSize: w, decls: `var<workgroup> red: array<${c.type}, ${w}>;`, body: body.filter(Boolean).join('\n') };
}

/** The strided K loop of one split invocation: computed operands add only where their guards hold. */
function splitTerm(c: TiledContraction, w: number): string[] {
  const [a, b] = [guarded(c.a, 'row', 'q', 'true'), guarded(c.b, 'q', 'col', 'true')];
  const term = `${a.value} * ${b.value}`;
  const ok = [a.ok, b.ok].map((g) => g.replace(/^true && /, '')).filter((g) => g !== 'true');
  const add = ok.length ? `if (${ok.join(' && ')}) { part += ${term}; }` : `part += ${term};`;
  return [`for (var q = lidx; q < ${c.k}u; q += ${w}u) { ${add} }`];
}

/** The grouped kernel of a tiled contraction. */
function tiledContraction(c: TiledContraction): GroupedKernel {
  const t = tileShape(c.m, c.n, c.k);
  const decls = [`var<workgroup> tileA: array<${c.type}, ${t.bm * t.bk}>;`, `var<workgroup> tileB: array<${c.type}, ${t.bk * t.bn}>;`].join('\n');
  const body = [
    'let bi = group.z;',
    c.batchCode,
    `let row0 = group.y * ${t.bm}u;`,
    `let col0 = group.x * ${t.bn}u;`,
    `let tx = lidx % ${t.wn}u;`,
    `let ty = lidx / ${t.wn}u;`,
    `var accs: array<${c.type}, ${t.tm * t.tn}>;`,
    `for (var t = 0u; t < ${Math.ceil(c.k / t.bk)}u; t++) {`,
    `  let k0 = t * ${t.bk}u;`,
    ...indent(stageTiles(c, t), 1),
    '  workgroupBarrier();',
    ...indent(multiplyTiles(c, t), 1),
    '  workgroupBarrier();',
    '}',
    ...storeBlock(c, t),
  ];
  return { groups: [Math.ceil(c.n / t.bn), Math.ceil(c.m / t.bm), c.batches], workgroupSize: t.wm * t.wn, decls, body: body.filter(Boolean).join('\n') };
}
