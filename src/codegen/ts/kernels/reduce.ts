// Reduction kernels: loops over the kept dims outside, the reduced dims inside, so each output
// element accumulates its inputs in the reference's (row-major) order.
import type { CodeBlockWriter } from 'ts-morph';
import { type DType, numel, stridesOf } from '../../../ir/types.ts';
import { normAxes } from '../../../ops/util.ts';
import { emitLoops } from '../../loops.ts';
import { type KernelEmitter, type KernelInput, inArg, outArg } from '../kernel.ts';
import { load, numberLiteral, storeValue } from '../names.ts';

type ReduceKind = 'reduceSum' | 'reduceMean' | 'reduceMax' | 'reduceProd';

const LOWEST: Readonly<Record<DType, number>> = { f32: -Infinity, i32: -(2 ** 31), i64: -(2 ** 63), bool: 0 };

function emitReduce(w: CodeBlockWriter, k: KernelInput<ReduceKind>, kind: ReduceKind): void {
  const x = k.inputs[0]!;
  const out = k.outputs[0]!;
  const rank = x.shape.length;
  const reduced = new Set(k.node.attrs.axes.length === 0 ? x.shape.map((_, i) => i) : normAxes(k.node.attrs.axes, rank));
  const st = stridesOf(x.shape);
  const keptDims = x.shape.map((_, i) => i).filter((i) => !reduced.has(i));
  const redDims = x.shape.map((_, i) => i).filter((i) => reduced.has(i));
  const keptShape = keptDims.map((i) => x.shape[i]!);
  const count = numel(redDims.map((i) => x.shape[i]!));
  const init = kind === 'reduceMax' ? numberLiteral(LOWEST[x.dtype]) : kind === 'reduceProd' ? '1' : '0';
  const step = kind === 'reduceMax' ? (v: string) => `acc = Math.max(acc, ${v});` : kind === 'reduceProd' ? (v: string) => `acc *= ${v};` : (v: string) => `acc += ${v};`;
  const finish = kind === 'reduceMean' ? `acc / ${count}` : 'acc';
  emitLoops(w, keptShape, [{ strides: stridesOf(keptShape) }, { strides: keptDims.map((i) => st[i]!) }], ([o, base]) => {
    w.writeLine(`let acc = ${init};`);
    emitLoops(w, redDims.map((i) => x.shape[i]!), [{ strides: redDims.map((i) => st[i]!), base: base! }], ([i]) => {
      w.writeLine(step(load(inArg(0), i!, x.dtype)));
    }, 'r');
    w.writeLine(`${outArg(0)}[${o}] = ${storeValue(finish, out.dtype)};`);
  });
}

/** Emitters of the reductions. */
export const reduceKernels = {
  reduceSum: ((w, k) => emitReduce(w, k, 'reduceSum')) as KernelEmitter<'reduceSum'>,
  reduceMean: ((w, k) => emitReduce(w, k, 'reduceMean')) as KernelEmitter<'reduceMean'>,
  reduceMax: ((w, k) => emitReduce(w, k, 'reduceMax')) as KernelEmitter<'reduceMax'>,
  reduceProd: ((w, k) => emitReduce(w, k, 'reduceProd')) as KernelEmitter<'reduceProd'>,
};
