// conv as a contraction on the blocked GEMM of contraction.ts. Per image and group the output
// [OC/g, positions] is W [OC/g, K] times the im2col matrix [K, positions] (K = C/g x taps), computed
// as rows = output positions, columns = output channels so the result lands in NCHW order. The
// im2col matrix is built in the f64 scratch one chunk of positions at a time (a chunk x K panel
// that stays in cache), k-major so each k step of the 4x4 block reads four neighbouring values.
// A pointwise conv (1x1, stride 1, no pads) reads its input directly through literal strides;
// a depthwise conv (one input channel per group) runs a direct kernel: each tap adds
// weight x input row into an f64 row of outputs. Bias is the contraction's epilogue.
import type { CodeBlockWriter } from 'ts-morph';
import { numel } from '../../../ir/types.ts';
import { planConv } from '../../../ops/conv.ts';
import type { NodeOf } from '../../../ir/graph.ts';
import type { TensorType } from '../../../ir/types.ts';
import { type KernelEmitter, type KernelInput, inArg, outArg } from '../kernel.ts';
import { contractionScratch, emitContraction } from './contraction.ts';
import { type Geometry, emitColumns, emitLastTaps, emitOuterTaps, emitRowCoords, sizes, strided } from './window.ts';

/** Target size of one im2col chunk, in f64 elements (128 KiB: well inside L2 beside the output tile). */
const CHUNK_ELEMENTS = 16384;

/** The static sizes of a conv node. */
function convSizes(node: NodeOf<'conv'>, inputs: readonly TensorType[]) {
  const p = planConv(inputs, node.attrs);
  const g: Geometry = { input: p.input, output: p.output, kernel: p.kernel, attrs: node.attrs };
  const cg = p.inChannels / p.group;
  const ocg = p.outChannels / p.group;
  const depth = cg * numel(p.kernel);
  const outSize = numel(p.output);
  const chunk = Math.min(outSize, Math.max(4, Math.floor(CHUNK_ELEMENTS / depth / 4) * 4));
  return { p, g, cg, ocg, depth, outSize, inSize: numel(p.input), chunk };
}

type Path = 'pointwise' | 'depthwise' | 'im2col';

/** Which kernel a conv gets. */
function pathOf(node: NodeOf<'conv'>, inputs: readonly TensorType[]): Path {
  const z = convSizes(node, inputs);
  const { p, cg } = z;
  const a = node.attrs;
  if (p.kernel.every((d) => d === 1) && a.strides.every((s) => s === 1) && a.pads.every((v) => v === 0)) return 'pointwise';
  // One input channel per group: a direct kernel, unless enough output channels share it to fill 4-wide GEMM blocks.
  return cg === 1 && z.ocg < 4 ? 'depthwise' : 'im2col';
}

/** f64 scratch elements a conv kernel needs: the im2col chunk and a packed weight panel, or a depthwise row. */
export function convScratch(node: NodeOf<'conv'>, inputs: readonly TensorType[], simple: boolean): number {
  const z = convSizes(node, inputs);
  const path = pathOf(node, inputs);
  if (path === 'depthwise') return sizes(z.g).wOut;
  const pack = simple ? 0 : contractionScratch(path === 'pointwise' ? z.outSize : z.chunk, z.depth);
  return (path === 'im2col' ? z.chunk * z.depth : 0) + pack;
}

/** The bias epilogue (input 2), indexed by the column j (the output channel within group `gi`). */
function biasEpilogue(k: KernelInput<'conv'>, ocg: number): { epilogue?: (acc: string, i: string, j: string) => string } {
  if (k.inputs.length < 3) return {};
  return { epilogue: (acc, _i, j) => `${acc} + ${inArg(2)}[gi * ${ocg} + ${j}]` };
}

/** The conv kernel. */
export const emitConv: KernelEmitter<'conv'> = (w, k) => {
  const z = convSizes(k.node, k.inputs);
  const path = pathOf(k.node, k.inputs);
  if (path === 'depthwise') {
    emitDepthwise(w, k);
    return;
  }
  const { p, ocg, depth, outSize, inSize } = z;
  if (path === 'im2col') w.writeLine(`const packs = sc.subarray(${z.chunk * depth});`);
  const packed = !k.simple && contractionScratch(path === 'pointwise' ? outSize : z.chunk, depth) > 0;
  w.write(`for (let ni = 0; ni < ${p.batch}; ni++) `).block(() => {
    w.write(`for (let gi = 0; gi < ${p.group}; gi++) `).block(() => {
      w.writeLine(`const xg = (ni * ${p.inChannels} + gi * ${z.cg}) * ${inSize};`);
      w.writeLine(`const yg = (ni * ${p.outChannels} + gi * ${ocg}) * ${outSize};`);
      const contraction = (m: number, a: { arr: string; base: string; colStride: number }, outBase: string): void =>
        emitContraction(w, {
          m, n: ocg, k: depth, dtype: 'f32',
          a: { ...a, rowStride: 1 },
          b: { arr: inArg(1), base: `gi * ${ocg * depth}`, rowStride: 1, colStride: depth },
          out: outArg(0), outBase, outRowStride: 1, outColStride: outSize,
          ...(packed ? { scratch: path === 'im2col' ? 'packs' : 'sc' } : {}),
          ...(k.simple ? { simple: true } : {}),
          ...biasEpilogue(k, ocg),
          store: (v) => v,
        });
      if (path === 'pointwise') {
        contraction(outSize, { arr: inArg(0), base: 'xg', colStride: inSize }, 'yg');
        return;
      }
      const chunks = (len: number, at: string): void => {
        emitColumns(w, z.g, { channels: z.cg, chunk: z.chunk, p0: at, len, mode: 'gather' });
        contraction(len, { arr: 'sc', base: '0', colStride: z.chunk }, `yg + p0`);
      };
      const full = outSize - (outSize % z.chunk);
      if (full > 0) w.write(`for (let p0 = 0; p0 < ${full}; p0 += ${z.chunk}) `).block(() => chunks(z.chunk, 'p0'));
      if (full < outSize) w.block(() => {
        w.writeLine(`const p0 = ${full};`);
        chunks(outSize - full, 'p0');
      });
    });
  });
};

/** Depthwise: per (image, channel, multiplier) and output row, each tap adds weight x input into an f64 row. */
function emitDepthwise(w: CodeBlockWriter, k: KernelInput<'conv'>): void {
  const { p, g, ocg, outSize, inSize } = convSizes(k.node, k.inputs);
  const z = sizes(g);
  const init = k.inputs.length > 2 ? `${inArg(2)}[oc]` : '0';
  w.write(`for (let ni = 0; ni < ${p.batch}; ni++) `).block(() => {
    w.write(`for (let oc = 0; oc < ${p.outChannels}; oc++) `).block(() => {
      w.writeLine(`const xc = (ni * ${p.inChannels} + Math.floor(oc / ${ocg})) * ${inSize};`);
      w.writeLine(`const yo = (ni * ${p.outChannels} + oc) * ${outSize};`);
      w.writeLine(`const wo = oc * ${z.taps};`);
      w.write(`for (let r = 0; r < ${z.rows}; r++) `).block(() => {
        emitRowCoords(w, g, 'r');
        w.writeLine(`for (let ow = 0; ow < ${z.wOut}; ow++) sc[ow] = ${init};`);
        emitOuterTaps(w, g, (inRow, tapRow) => {
          w.writeLine(`const xr = xc + ${inRow};`);
          w.writeLine(`const wr = wo + ${tapRow};`);
          emitLastTaps(w, g, () => {
            w.writeLine(`const wv = ${inArg(1)}[wr + tl];`);
            w.writeLine('const src = xr + shift;');
            w.writeLine(`for (let ow = lo; ow < hi; ow++) sc[ow] += wv * ${strided(inArg(0), 'src', 'ow', z.sLast)};`);
          });
        });
        w.writeLine(`for (let ow = 0; ow < ${z.wOut}; ow++) ${outArg(0)}[yo + r * ${z.wOut} + ow] = sc[ow];`);
      });
    });
  });
}
