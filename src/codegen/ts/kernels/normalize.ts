// Normalisation kernels: softmax and logSoftmax along any axis (max, then one exp-and-sum pass,
// then a scale), and layerNorm per row (mean, variance, normalise-scale-shift).
import type { CodeBlockWriter } from 'ts-morph';
import { numel } from '../../../ir/types.ts';
import { normAxis, splitAt } from '../../../ops/util.ts';
import { type KernelEmitter, type KernelInput, inArg, outArg } from '../kernel.ts';

/** Loops over the (outer, inner) positions of a softmax; `base` is the first element of the slice. */
function emitSoftmax(w: CodeBlockWriter, k: KernelInput<'softmax' | 'logSoftmax'>, log: boolean): void {
  const shape = k.inputs[0]!.shape;
  const { outer, len, inner } = splitAt(shape, normAxis(k.node.attrs.axis, shape.length));
  if (outer * len * inner === 0) return;
  const [x, y] = [inArg(0), outArg(0)];
  const at = (j: string): string => (inner === 1 ? `base + ${j}` : `base + ${j} * ${inner}`);
  const slice = (body: () => void): void => {
    w.write(`for (let o = 0; o < ${outer}; o++) `).block(() => {
      if (inner === 1) {
        w.writeLine(`const base = o * ${len};`);
        body();
      } else {
        w.write(`for (let i = 0; i < ${inner}; i++) `).block(() => {
          w.writeLine(`const base = o * ${len * inner} + i;`);
          body();
        });
      }
    });
  };
  slice(() => {
      w.writeLine('let max = -Infinity;');
      w.writeLine(`for (let j = 0; j < ${len}; j++) max = Math.max(max, ${x}[${at('j')}]);`);
      w.writeLine('let sum = 0;');
      if (log) {
        w.writeLine(`for (let j = 0; j < ${len}; j++) sum += Math.exp(${x}[${at('j')}] - max);`);
        w.writeLine('const shift = max + Math.log(sum);');
        w.writeLine(`for (let j = 0; j < ${len}; j++) ${y}[${at('j')}] = ${x}[${at('j')}] - shift;`);
      } else {
        w.write(`for (let j = 0; j < ${len}; j++) `).block(() => {
          w.writeLine(`const e = Math.exp(${x}[${at('j')}] - max);`);
          w.writeLine(`${y}[${at('j')}] = e;`);
          w.writeLine('sum += e;');
        });
        w.writeLine(`for (let j = 0; j < ${len}; j++) ${y}[${at('j')}] /= sum;`);
      }
  });
}

const layerNorm: KernelEmitter<'layerNorm'> = (w, k) => {
  const shape = k.inputs[0]!.shape;
  const d = numel(shape.slice(normAxis(k.node.attrs.axis, shape.length)));
  const rows = d === 0 ? 0 : numel(shape) / d;
  if (rows === 0) return;
  const [x, y] = [inArg(0), outArg(0)];
  const scale = k.inputs[1] ? ` * ${inArg(1)}[j]` : '';
  const shift = k.inputs[2] ? ` + ${inArg(2)}[j]` : '';
  w.write(`for (let r = 0; r < ${rows}; r++) `).block(() => {
    w.writeLine(`const base = r * ${d};`);
    w.writeLine('let mean = 0;');
    w.writeLine(`for (let j = 0; j < ${d}; j++) mean += ${x}[base + j];`);
    w.writeLine(`mean /= ${d};`);
    w.writeLine('let variance = 0;');
    w.write(`for (let j = 0; j < ${d}; j++) `).block(() => {
      w.writeLine(`const c = ${x}[base + j] - mean;`);
      w.writeLine('variance += c * c;');
    });
    w.writeLine(`const inv = 1 / Math.sqrt(variance / ${d} + ${k.node.attrs.epsilon});`);
    w.writeLine(`for (let j = 0; j < ${d}; j++) ${y}[base + j] = (${x}[base + j] - mean) * inv${scale}${shift};`);
  });
};

/** Emitters of the normalisation kinds. */
export const normalizeKernels = {
  softmax: ((w, k) => emitSoftmax(w, k, false)) as KernelEmitter<'softmax'>,
  logSoftmax: ((w, k) => emitSoftmax(w, k, true)) as KernelEmitter<'logSoftmax'>,
  layerNorm,
};
