// Pool kernels on the row skeleton of window.ts: per (image, channel) plane and output row, every
// tap updates an f64 row of accumulators over the contiguous run of outputs it reads inside the
// input (max, or sums of x or |x|^p), in the reference's tap order; the row is then finished
// (mean: divided by the per-dim tap counts, computed here as literals; lp: the 1/p power) and stored.
import type { CodeBlockWriter } from 'ts-morph';
import type { PoolAttrs } from '../../../ops/attrs.ts';
import type { Node } from '../../../ir/graph.ts';
import { padBegin, padEnd } from '../../../ops/window.ts';
import { type KernelEmitter, type KernelInput, inArg, outArg } from '../kernel.ts';
import { numberLiteral } from '../names.ts';
import { type Geometry, emitLastTaps, emitOuterTaps, emitRowCoords, sizes, strided } from './window.ts';

type PoolKind = 'maxPool' | 'avgPool' | 'lpPool';

function geometry(k: KernelInput<PoolKind>): Geometry {
  const a = k.node.attrs;
  return { input: k.inputs[0]!.shape.slice(2), output: k.outputs[0]!.shape.slice(2), kernel: a.kernel, attrs: a };
}

/** f64 scratch: one row of accumulators, plus one of argmax indices for maxPool with indices. */
export function poolScratch(k: KernelInput<PoolKind>): number {
  const node = k.node as Node;
  const rows = node.op === 'maxPool' && node.attrs.indices ? 2 : 1;
  return rows * sizes(geometry(k)).wOut;
}

/** How one pool kind starts, updates and finishes a row (`v` is the tap's input value, `at` its index). */
interface RowOps {
  readonly init: string;
  readonly update: (v: string, at: string) => string;
  readonly finish: (acc: string) => string;
}

/** The taps of dim `d` of output `o` inside the input (or, counting pads, inside input and pads). */
export function tapCount(a: PoolAttrs, size: number, d: number, o: number, withPads: boolean): number {
  let n = 0;
  for (let t = 0; t < a.kernel[d]!; t++) {
    const i = o * a.strides[d]! - padBegin(a, d) + t * a.dilations[d]!;
    if (withPads ? i >= -padBegin(a, d) && i < size + padEnd(a, d) : i >= 0 && i < size) n++;
  }
  return n;
}

/**
 * The divisor of avgPool as an expression of the row coordinates o0.. and `ow`: a product of
 * per-dim tap counts (the taps of a window are a product set), a literal for a dim whose count
 * never varies, else a lookup in a literal table written before the loops.
 */
function divisor(w: CodeBlockWriter, g: Geometry, a: PoolAttrs, withPads: boolean): string {
  const factors: string[] = [];
  g.output.forEach((n, d) => {
    const counts = Array.from({ length: n }, (_, o) => tapCount(a, g.input[d]!, d, o, withPads));
    const coord = d === g.output.length - 1 ? 'ow' : `o${d}`;
    if (counts.every((c) => c === counts[0])) factors.push(String(counts[0]));
    else {
      w.writeLine(`const cnt${d} = [${counts.join(', ')}];`);
      factors.push(`cnt${d}[${coord}]`);
    }
  });
  return factors.join(' * ');
}

/** The row operations of `k`'s kind. */
function rowOps(w: CodeBlockWriter, k: KernelInput<PoolKind>, g: Geometry, width: number): RowOps {
  const node = k.node as Node;
  if (node.op === 'avgPool') {
    const div = divisor(w, g, node.attrs, node.attrs.countIncludePad);
    return { init: '0', update: (v) => `sc[ow] += ${v};`, finish: (acc) => `${acc} / (${div})` };
  }
  if (node.op === 'lpPool') {
    const p = numberLiteral(node.attrs.p);
    return { init: '0', update: (v) => `sc[ow] += Math.abs(${v}) ** ${p};`, finish: (acc) => `${acc} ** (1 / ${p})` };
  }
  if (node.op !== 'maxPool' || !node.attrs.indices) return { init: '-Infinity', update: (v) => `{ const v = ${v}; if (v > sc[ow] || v !== v) sc[ow] = v; }`, finish: (acc) => acc };
  // The first maximum wins; a NaN wins over any number, and the first NaN over later ones.
  const best = `(sc[${width} + ow] < 0 || v > sc[ow] || (v !== v && sc[ow] === sc[ow]))`;
  return { init: '-Infinity', update: (v, at) => `{ const v = ${v}; if ${best} { sc[ow] = v; sc[${width} + ow] = ${at}; } }`, finish: (acc) => acc };
}

/** The flat index stored for argmax input offset `q` (absolute in x): row-major, or spatially column-major. */
function indexValue(g: Geometry, q: string, columnMajor: boolean): string {
  if (!columnMajor) return q;
  const z = sizes(g);
  const dims = g.input;
  const terms: string[] = [];
  let rowStride = z.inSize;
  let colStride = 1;
  dims.forEach((n) => {
    rowStride /= n;
    terms.push(`(Math.floor(${q} / ${rowStride}) % ${n}) * ${colStride}`);
    colStride *= n;
  });
  return `${q} - ${q} % ${z.inSize} + ${terms.join(' + ')}`;
}

/** A pool kernel. */
const emitPool: KernelEmitter<PoolKind> = (w, k) => {
  const g = geometry(k);
  const z = sizes(g);
  const planes = k.inputs[0]!.shape[0]! * k.inputs[0]!.shape[1]!;
  const ops = rowOps(w, k, g, z.wOut);
  const node = k.node as Node;
  const indices = node.op === 'maxPool' ? node.attrs.indices : undefined;
  w.write(`for (let plane = 0; plane < ${planes}; plane++) `).block(() => {
    w.writeLine(`const xc = plane * ${z.inSize};`);
    w.writeLine(`const yo = plane * ${z.outSize};`);
    w.write(`for (let r = 0; r < ${z.rows}; r++) `).block(() => {
      emitRowCoords(w, g, 'r');
      w.writeLine(`for (let ow = 0; ow < ${z.wOut}; ow++) sc[ow] = ${ops.init};`);
      if (indices) w.writeLine(`for (let ow = 0; ow < ${z.wOut}; ow++) sc[${z.wOut} + ow] = -1;`);
      emitOuterTaps(w, g, (inRow) => {
        w.writeLine(`const xr = xc + ${inRow};`);
        emitLastTaps(w, g, () => {
          w.writeLine('const src = xr + shift;');
          const at = `src + ${z.sLast === 1 ? 'ow' : `ow * ${z.sLast}`}`;
          w.writeLine(`for (let ow = lo; ow < hi; ow++) ${ops.update(strided(inArg(0), 'src', 'ow', z.sLast), at)}`);
        });
      });
      w.write(`for (let ow = 0; ow < ${z.wOut}; ow++) `).block(() => {
        w.writeLine(`${outArg(0)}[yo + r * ${z.wOut} + ow] = ${ops.finish('sc[ow]')};`);
        if (indices) {
          w.writeLine(`const q = sc[${z.wOut} + ow];`);
          w.writeLine(`${outArg(1)}[yo + r * ${z.wOut} + ow] = BigInt(q < 0 ? -1 : ${indexValue(g, 'q', indices === 'column-major')});`);
        }
      });
    });
  });
};

/** The pool emitters. */
export const poolKernels = { maxPool: emitPool as KernelEmitter<'maxPool'>, avgPool: emitPool as KernelEmitter<'avgPool'>, lpPool: emitPool as KernelEmitter<'lpPool'> };
