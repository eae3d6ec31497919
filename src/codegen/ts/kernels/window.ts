// Loop skeletons shared by the TS window kernels (convolutions and pools). Output positions are
// walked as rows of the last spatial dim: for one row, the taps of the outer spatial dims that
// land inside the input are loops with a `continue` for the others, and each tap of the last dim
// covers the contiguous run [lo, hi) of the row's outputs it reads inside the input, computed
// once per tap, so the innermost loops carry no bounds checks. Every size is a literal.
import type { CodeBlockWriter } from 'ts-morph';
import { numel, stridesOf } from '../../../ir/types.ts';
import { type WindowAttrs, padBegin } from '../../../ops/window.ts';
import { inArg } from '../kernel.ts';

/** A window op's static geometry: spatial dims of input, output and kernel, and the window attributes. */
export interface Geometry {
  readonly input: readonly number[];
  readonly output: readonly number[];
  readonly kernel: readonly number[];
  readonly attrs: WindowAttrs;
}

/** Derived sizes: elements per plane, rows of the last dim, its lengths and stride/dilation/pad. */
export function sizes(g: Geometry) {
  const r = g.input.length;
  return {
    inSize: numel(g.input),
    outSize: numel(g.output),
    taps: numel(g.kernel),
    rows: numel(g.output.slice(0, -1)),
    wOut: g.output[r - 1]!,
    wIn: g.input[r - 1]!,
    kLast: g.kernel[r - 1]!,
    sLast: g.attrs.strides[r - 1]!,
    dLast: g.attrs.dilations[r - 1]!,
    pLast: padBegin(g.attrs, r - 1),
  };
}

/** `const o0 = ..., o1 = ...`: the outer output coordinates of row `r` (u32 arithmetic on literals). */
export function emitRowCoords(w: CodeBlockWriter, g: Geometry, r: string): void {
  const outer = g.output.slice(0, -1);
  const st = stridesOf(outer);
  outer.forEach((n, d) => {
    const q = st[d] === 1 ? r : `Math.floor(${r} / ${st[d]})`;
    w.writeLine(`const o${d} = ${d === 0 ? q : `${q} % ${n}`};`);
  });
}

/**
 * Nested loops over the outer-dim taps t0.. of the row whose coordinates are o0..; inside the
 * innermost, `body(inRow, tapRow)` gets the input offset of that row's tap (plane-relative) and
 * the tap's flat kernel offset of its outer dims. Taps outside the input are skipped.
 */
export function emitOuterTaps(w: CodeBlockWriter, g: Geometry, body: (inRow: string, tapRow: string) => void): void {
  const outer = g.output.length - 1;
  const inSt = stridesOf(g.input);
  const kSt = stridesOf(g.kernel);
  const level = (d: number): void => {
    if (d === outer) {
      const sum = (name: string, st: number[]): string => Array.from({ length: outer }, (_, e) => `${name}${e} * ${st[e]}`).join(' + ') || '0';
      body(sum('i', inSt), sum('t', kSt));
      return;
    }
    const { strides: s, dilations: dl } = g.attrs;
    w.write(`for (let t${d} = 0; t${d} < ${g.kernel[d]}; t${d}++) `).block(() => {
      w.writeLine(`const i${d} = o${d} * ${s[d]} + t${d} * ${dl[d]} - ${padBegin(g.attrs, d)};`);
      w.writeLine(`if (i${d} < 0 || i${d} >= ${g.input[d]}) continue;`);
      level(d + 1);
    });
  };
  level(0);
}

/**
 * A loop over the last-dim taps `tl` with `lo`, `hi` (the outputs [lo, hi) of a row whose tap
 * reads inside the input) and `shift` (the input offset of output 0's tap, before stride).
 */
export function emitLastTaps(w: CodeBlockWriter, g: Geometry, body: () => void): void {
  const z = sizes(g);
  w.write(`for (let tl = 0; tl < ${z.kLast}; tl++) `).block(() => {
    w.writeLine(`const shift = tl * ${z.dLast} - ${z.pLast};`);
    w.writeLine(`const lo = shift >= 0 ? 0 : Math.min(${z.wOut}, Math.ceil(-shift / ${z.sLast}));`);
    w.writeLine(`const hi = Math.max(lo, Math.min(${z.wOut}, Math.floor((${z.wIn - 1} - shift) / ${z.sLast}) + 1));`);
    body();
  });
}

/** `x[src + ow * stride]`, with the stride multiply dropped at 1. */
export function strided(arr: string, base: string, ow: string, stride: number): string {
  return `${arr}[${base} + ${stride === 1 ? ow : `${ow} * ${stride}`}]`;
}

/** One chunk of columns: `len` positions from `p0` (an expression), `chunk` apart per (channel, tap) row. */
export interface Columns {
  readonly channels: number;
  readonly chunk: number;
  readonly p0: string;
  readonly len: number;
  /**
   * gather (conv's im2col): sc[kk * chunk + p - p0] = the input that channel/tap kk reads for output
   * position p (0 in the pads), input channel c at `xg + c * inSize`. scatter (convTranspose's
   * col2im): acc[c * outSize + q] += sc[cols + kk * chunk + p - p0] for every output q that input
   * position p reaches through tap kk of output channel c, with `cols` and `acc` expressions.
   */
  readonly mode: 'gather' | 'scatter';
  readonly cols?: string;
}

/**
 * The im2col / col2im loops of one chunk. Both walk rows of the chunk's positions (output rows
 * for gather, input rows for scatter: the geometry then has the roles of input and output swapped,
 * since a transposed tap maps input i to i * stride - pad + t * dilation exactly as conv maps
 * output to input).
 */
export function emitColumns(w: CodeBlockWriter, g: Geometry, c: Columns): void {
  const z = sizes(g);
  const outer = g.output.slice(0, -1);
  w.writeLine(`const p1 = ${c.p0} + ${c.len};`);
  w.writeLine(`const r0 = Math.floor(${c.p0} / ${z.wOut}), r1 = Math.floor((p1 - 1) / ${z.wOut});`);
  w.writeLine('let kk = 0;');
  w.write(`for (let ch = 0; ch < ${c.channels}; ch++) `).block(() => {
    w.writeLine(c.mode === 'gather' ? `const base = xg + ch * ${z.inSize};` : `const base = ch * ${z.inSize};`);
    const taps = (d: number): void => {
      if (d < outer.length) {
        w.write(`for (let t${d} = 0; t${d} < ${g.kernel[d]}; t${d}++) `).block(() => taps(d + 1));
        return;
      }
      emitLastTaps(w, g, () => {
        w.writeLine(`const at = ${c.mode === 'scatter' ? `${c.cols} + ` : ''}kk * ${c.chunk} - ${c.p0};`);
        w.writeLine('kk++;');
        w.write('for (let r = r0; r <= r1; r++) ').block(() => columnRow(w, g, c));
      });
    };
    taps(0);
  });
}

/** One row of a chunk: the run [a, b) of its positions inside the chunk, split at lo and hi. */
function columnRow(w: CodeBlockWriter, g: Geometry, c: Columns): void {
  const z = sizes(g);
  const outer = g.output.slice(0, -1);
  w.writeLine(`const a = r === r0 ? ${c.p0} - r * ${z.wOut} : 0, b = r === r1 ? p1 - r * ${z.wOut} : ${z.wOut};`);
  w.writeLine(`const d = at + r * ${z.wOut};`);
  emitRowCoords(w, g, 'r');
  outer.forEach((_, e) => w.writeLine(`const i${e} = o${e} * ${g.attrs.strides[e]} + t${e} * ${g.attrs.dilations[e]} - ${padBegin(g.attrs, e)};`));
  const valid = outer.map((_, e) => `i${e} >= 0 && i${e} < ${g.input[e]}`).join(' && ');
  const fill0 = c.mode === 'gather' ? 'for (let ow = a; ow < b; ow++) sc[d + ow] = 0; ' : '';
  if (valid) w.writeLine(`if (!(${valid})) { ${fill0}continue; }`);
  const row = outer.map((_, e) => `i${e} * ${numel(g.input.slice(e + 1))}`).join(' + ');
  w.writeLine(`const src = base + ${row ? `${row} + ` : ''}shift;`);
  w.writeLine('const l = lo < a ? a : lo > b ? b : lo, h = hi > b ? b : hi < l ? l : hi;');
  if (c.mode === 'gather') {
    w.writeLine('for (let ow = a; ow < l; ow++) sc[d + ow] = 0;');
    w.writeLine(`for (let ow = l; ow < h; ow++) sc[d + ow] = ${strided(inArg(0), 'src', 'ow', z.sLast)};`);
    w.writeLine('for (let ow = h; ow < b; ow++) sc[d + ow] = 0;');
  } else {
    w.writeLine(`for (let ow = l; ow < h; ow++) ${strided('sc', 'src', 'ow', z.sLast)} += sc[d + ow];`);
  }
}
