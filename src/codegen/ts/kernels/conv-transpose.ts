// convTranspose as a contraction followed by col2im. Per image and group, the blocked GEMM of
// contraction.ts computes columns[input position, (output channel, tap)] = X^T W for one chunk of
// input positions at a time (X read in place through literal strides), into the f64 scratch;
// col2im then adds each column into the f64 output accumulator at the position its tap reaches.
// The accumulator starts at the bias and is stored once per image and group.
import type { NodeOf } from '../../../ir/graph.ts';
import { type TensorType, numel } from '../../../ir/types.ts';
import { planConvTranspose } from '../../../ops/conv.ts';
import { type KernelEmitter, inArg, outArg } from '../kernel.ts';
import { contractionScratch, emitContraction } from './contraction.ts';
import { type Geometry, emitColumns } from './window.ts';

/** Target size of one chunk of columns, in f64 elements. */
const CHUNK_ELEMENTS = 16384;

function transposeSizes(node: NodeOf<'convTranspose'>, inputs: readonly TensorType[]) {
  const p = planConvTranspose(inputs, node.attrs);
  // The col2im geometry maps input positions to output positions: the roles of conv's swapped.
  const g: Geometry = { input: p.output, output: p.input, kernel: p.kernel, attrs: node.attrs };
  const cg = p.inChannels / p.group;
  const ocg = p.outChannels / p.group;
  const width = ocg * numel(p.kernel);
  const [inSize, outSize] = [numel(p.input), numel(p.output)];
  const chunk = Math.min(inSize, Math.max(4, Math.floor(CHUNK_ELEMENTS / width / 4) * 4));
  return { p, g, cg, ocg, width, inSize, outSize, chunk, acc: ocg * outSize };
}

/** f64 scratch: the output accumulator of one group, one chunk of columns, and a packed weight panel. */
export function convTransposeScratch(node: NodeOf<'convTranspose'>, inputs: readonly TensorType[], simple: boolean): number {
  const z = transposeSizes(node, inputs);
  return z.acc + z.chunk * z.width + (simple ? 0 : contractionScratch(z.chunk, z.cg));
}

/** The convTranspose kernel. */
export const emitConvTranspose: KernelEmitter<'convTranspose'> = (w, k) => {
  const z = transposeSizes(k.node, k.inputs);
  const { p, cg, ocg, width, inSize, outSize, chunk } = z;
  const cols = z.acc;
  const packed = !k.simple && contractionScratch(chunk, cg) > 0;
  if (packed) w.writeLine(`const packs = sc.subarray(${cols + chunk * width});`);
  w.write(`for (let ni = 0; ni < ${p.batch}; ni++) `).block(() => {
    w.write(`for (let gi = 0; gi < ${p.group}; gi++) `).block(() => {
      w.writeLine(`const xg = (ni * ${p.inChannels} + gi * ${cg}) * ${inSize};`);
      w.writeLine(`const yg = (ni * ${p.outChannels} + gi * ${ocg}) * ${outSize};`);
      if (k.inputs.length > 2) {
        w.writeLine(`for (let oc = 0; oc < ${ocg}; oc++) sc.fill(${inArg(2)}[gi * ${ocg} + oc], oc * ${outSize}, (oc + 1) * ${outSize});`);
      } else w.writeLine(`sc.fill(0, 0, ${z.acc});`);
      const chunkOf = (len: number): void => {
        emitContraction(w, {
          m: len, n: width, k: cg, dtype: 'f32',
          a: { arr: inArg(0), base: 'xg + p0', rowStride: 1, colStride: inSize },
          b: { arr: inArg(1), base: `gi * ${cg * width}`, rowStride: width, colStride: 1 },
          out: 'sc', outBase: String(cols), outRowStride: 1, outColStride: chunk,
          ...(packed ? { scratch: 'packs' } : {}),
          ...(k.simple ? { simple: true } : {}),
          store: (v) => v,
        });
        emitColumns(w, z.g, { channels: ocg, chunk, p0: 'p0', len, mode: 'scatter', cols: String(cols) });
      };
      const full = inSize - (inSize % chunk);
      if (full > 0) w.write(`for (let p0 = 0; p0 < ${full}; p0 += ${chunk}) `).block(() => chunkOf(chunk));
      if (full < inSize) w.block(() => {
        w.writeLine(`const p0 = ${full};`);
        chunkOf(inSize - full);
      });
      w.writeLine(`for (let q = 0; q < ${z.acc}; q++) ${outArg(0)}[yg + q] = sc[q];`);
    });
  });
};
