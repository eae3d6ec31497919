// Kernels that walk each line along one axis on its own: argMax/argMin, cumSum/cumProd and topK.
// A line is (outer, inner) fixed, its elements `inner` apart; the loops over lines are literal.
import type { CodeBlockWriter } from 'ts-morph';
import type { TensorType } from '../../../ir/types.ts';
import { normAxis, splitAt } from '../../../ops/util.ts';
import { emitLoops } from '../../loops.ts';
import { type KernelEmitter, inArg, outArg } from '../kernel.ts';
import { load, storeValue } from '../names.ts';

/** Runs `body(line, base)` for every line along `axis` of `x`: `line` its output row, `base` its first input element. */
function eachLine(w: CodeBlockWriter, x: TensorType, axis: number, body: (line: string, base: string, len: number, inner: number) => void): void {
  const { outer, len, inner } = splitAt(x.shape, normAxis(axis, x.shape.length));
  if (outer * inner === 0) return;
  emitLoops(w, [outer, inner], [{ strides: [inner, 1] }, { strides: [len * inner, 1] }], ([line, base]) => body(line!, base!, len, inner), 'l');
}

/** `v` replaces the best `b` (see argBeats in src/ops/arg.ts): a NaN beats numbers; ties only with `last`. */
function beats(min: boolean, last: boolean): string {
  const cmp = `v ${min ? '<' : '>'}${last ? '=' : ''} best`;
  return last ? `${cmp} || v !== v` : `${cmp} || (v !== v && best === best)`;
}

function arg(min: boolean): KernelEmitter<'argMax' | 'argMin'> {
  return (w, k) => {
    const x = k.inputs[0]!;
    eachLine(w, x, k.node.attrs.axis, (line, base, len, inner) => {
      w.writeLine(`let best = ${load(inArg(0), base, x.dtype)};`);
      w.writeLine('let at = 0;');
      w.write(`for (let j = 1; j < ${len}; j++) `).block(() => {
        w.writeLine(`const v = ${load(inArg(0), `${base} + j * ${inner}`, x.dtype)};`);
        w.writeLine(`if (${beats(min, k.node.attrs.selectLast)}) { best = v; at = j; }`);
      });
      w.writeLine(`${outArg(0)}[${line}] = ${storeValue('at', 'i64')};`);
    });
  };
}

/** cumSum/cumProd: the accumulator walks the line (backwards with reverse), stored before or after each step. */
function cumulative(kind: 'cumSum' | 'cumProd'): KernelEmitter<'cumSum' | 'cumProd'> {
  return (w, k) => {
    const x = k.inputs[0]!;
    const { exclusive, reverse } = k.node.attrs;
    const step = kind === 'cumSum' ? 'acc + v' : x.dtype === 'i32' ? 'Math.imul(acc, v)' : 'acc * v';
    eachLine(w, x, k.node.attrs.axis, (_line, base, len, inner) => {
      w.writeLine(`let acc = ${kind === 'cumSum' ? 0 : 1};`);
      w.write(`for (let s = 0; s < ${len}; s++) `).block(() => {
        w.writeLine(`const at = ${base} + ${reverse ? `(${len - 1} - s)` : 's'} * ${inner};`);
        w.writeLine(`const v = ${load(inArg(0), 'at', x.dtype)};`);
        if (!exclusive) w.writeLine(`acc = ${step};`);
        w.writeLine(`${outArg(0)}[at] = ${storeValue('acc', x.dtype)};`);
        if (exclusive) w.writeLine(`acc = ${step};`);
      });
    });
  };
}

/**
 * topK: per line, the positions sorted by topK's order (src/ops/topk.ts: ties by lower index,
 * NaN greatest), the first k written out.
 */
const topK: KernelEmitter<'topK'> = (w, k) => {
  const x = k.inputs[0]!;
  const { axis, k: count, largest } = k.node.attrs;
  if (count === 0) return;
  w.write('const before = (a: number, i: number, b: number, j: number): boolean => ').block(() => {
    if (x.dtype === 'f32') {
      w.writeLine('const [na, nb] = [a !== a, b !== b];');
      w.writeLine(`if (na || nb) return na && nb ? i < j : ${largest ? 'na' : 'nb'};`);
    }
    w.writeLine(`return a === b ? i < j : a ${largest ? '>' : '<'} b;`);
  });
  w.writeLine(';');
  eachLine(w, x, axis, (line, base, len, inner) => {
    w.writeLine(`const at = (j: number): number => ${load(inArg(0), `${base} + j * ${inner}`, x.dtype)};`);
    w.writeLine(`const order = Array.from({ length: ${len} }, (_, j) => j).sort((p, q) => (before(at(p), p, at(q), q) ? -1 : 1));`);
    w.writeLine(`const out = Math.floor(${line} / ${inner}) * ${count * inner} + ${line} % ${inner};`);
    w.write(`for (let r = 0; r < ${count}; r++) `).block(() => {
      w.writeLine(`${outArg(0)}[out + r * ${inner}] = ${storeValue('at(order[r]!)', x.dtype)};`);
      w.writeLine(`${outArg(1)}[out + r * ${inner}] = ${storeValue('order[r]!', 'i64')};`);
    });
  });
};

/** Emitters of the line kinds. */
export const lineKernels = {
  topK,
  cumSum: cumulative('cumSum') as KernelEmitter<'cumSum'>,
  cumProd: cumulative('cumProd') as KernelEmitter<'cumProd'>,
  argMax: arg(false) as KernelEmitter<'argMax'>,
  argMin: arg(true) as KernelEmitter<'argMin'>,
};
