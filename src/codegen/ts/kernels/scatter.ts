// The scatter kernels: the data copied to the output, then every update applied in the
// reference's row-major order, each index checked (IndexRangeError naming the node) as it is read.
import type { CodeBlockWriter } from 'ts-morph';
import { type DType, numel, stridesOf } from '../../../ir/types.ts';
import { describeNode } from '../../../ops/infer.ts';
import type { ScatterReduction } from '../../../ops/scatter.ts';
import { normAxis } from '../../../ops/util.ts';
import { denseStrides, emitLoops } from '../../loops.ts';
import { type KernelEmitter, type KernelInput, inArg, outArg } from '../kernel.ts';
import { load, storeValue, tsString } from '../names.ts';

/** The statement putting update `u` (an index into x2) at output element `at`. */
function put(reduction: ScatterReduction, dtype: DType, at: string, u: string): string {
  if (reduction === 'none') return `${outArg(0)}[${at}] = ${inArg(2)}[${u}];`;
  const [old, v] = [load(outArg(0), at, dtype), load(inArg(2), u, dtype)];
  const combined = {
    add: `${old} + ${v}`,
    mul: dtype === 'i32' ? `Math.imul(${old}, ${v})` : `${old} * ${v}`,
    max: `Math.max(${old}, ${v})`,
    min: `Math.min(${old}, ${v})`,
  }[reduction];
  return `${outArg(0)}[${at}] = ${storeValue(combined, dtype)};`;
}

/** Reads the index at x1[pos] into `const name` (a number in [0, size)), throwing when it is out of range. */
function readIndex(w: CodeBlockWriter, k: KernelInput<'scatterElements' | 'scatterND'>, name: string, pos: string, axis: number, size: number): void {
  const big = k.inputs[1]!.dtype === 'i64';
  const where = tsString(`${describeNode(k.node.op, k.node.outputs[0]?.id, k.node.label)}: `);
  w.writeLine(`const raw${name} = ${inArg(1)}[${pos}];`);
  w.writeLine(`if (!(raw${name} >= ${-size}${big ? 'n' : ''} && raw${name} < ${size}${big ? 'n' : ''})) throw new IndexRangeError(${where} + indexRangeMessage(raw${name}, ${axis}, ${size}, ${tsString(k.node.op)}));`);
  w.writeLine(`const ${name}v = ${big ? `Number(raw${name})` : `raw${name}`};`);
  w.writeLine(`const ${name} = ${name}v < 0 ? ${name}v + ${size} : ${name}v;`);
}

const scatterElements: KernelEmitter<'scatterElements'> = (w, k) => {
  const [data, upd] = [k.inputs[0]!, k.inputs[2]!];
  const { axis, reduction } = k.node.attrs;
  const ax = normAxis(axis, data.shape.length);
  if (numel(data.shape) > 0) w.writeLine(`${outArg(0)}.set(${inArg(0)});`);
  if (numel(upd.shape) === 0) return;
  const dst = stridesOf(data.shape);
  emitLoops(w, upd.shape, [{ strides: denseStrides(upd.shape) }, { strides: dst.map((s, d) => (d === ax ? 0 : s)) }], ([p, base]) => {
    readIndex(w, k, 'r', p!, ax, data.shape[ax]!);
    w.writeLine(`const at = ${base} + r * ${dst[ax]};`);
    w.writeLine(put(reduction, data.dtype, 'at', p!));
  });
};

const scatterND: KernelEmitter<'scatterND'> = (w, k) => {
  const [data, indices] = [k.inputs[0]!, k.inputs[1]!];
  const kk = indices.shape.at(-1)!;
  const dst = stridesOf(data.shape);
  const slice = numel(data.shape.slice(kk));
  const tuples = numel(indices.shape.slice(0, -1));
  if (numel(data.shape) > 0) w.writeLine(`${outArg(0)}.set(${inArg(0)});`);
  if (tuples === 0) return;
  w.write(`for (let q = 0; q < ${tuples}; q++) `).block(() => {
    const terms: string[] = [];
    for (let j = 0; j < kk; j++) {
      readIndex(w, k, `r${j}`, `q * ${kk} + ${j}`, j, data.shape[j]!);
      terms.push(`r${j} * ${dst[j]}`);
    }
    w.writeLine(`const at = ${terms.join(' + ') || '0'};`);
    if (slice > 0) w.write(`for (let e = 0; e < ${slice}; e++) `).block(() => w.writeLine(put(k.node.attrs.reduction, data.dtype, 'at + e', `q * ${slice} + e`)));
  });
};

/** The scatter emitters. */
export const scatterKernels = { scatterElements, scatterND };
