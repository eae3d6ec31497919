// WGSL pools: one invocation per output element, nested loops over the window's taps that skip
// those outside the input (in the reference's tap order). maxPool keeps the first maximum and its
// flat input index (a NaN, read from its bits, beats any number); avgPool divides by the product
// of per-dim tap counts; lpPool sums |x|^p (repeated products for small integer p) and takes the
// 1/p power.
import { numel, stridesOf } from '../../../ir/types.ts';
import type { Node } from '../../../ir/graph.ts';
import type { PoolAttrs } from '../../../ops/attrs.ts';
import { padBegin, padEnd } from '../../../ops/window.ts';
import { type WgslEmitter, type WgslInput, guard } from '../kernel.ts';
import { f32Literal, load, store } from '../types.ts';

type PoolKind = 'maxPool' | 'avgPool' | 'lpPool';

const isNan = (v: string): string => `((bitcast<u32>(${v}) & 0x7fffffffu) > 0x7f800000u)`;

/** |v|^p: products for integer p up to 8, else pow. */
function power(v: string, p: number): string {
  if (Number.isInteger(p) && p >= 1 && p <= 8) return Array.from({ length: p }, () => `abs(${v})`).join(' * ');
  return `pow(abs(${v}), ${f32Literal(p)})`;
}

/** Lines computing `cnt`, the number of taps of each dim inside the input (or input and pads). */
function tapCount(a: PoolAttrs, input: readonly number[], withPads: boolean): string[] {
  const lines = ['var cnt = 1.0;'];
  input.forEach((n, d) => {
    const [lo, hi] = withPads ? [-padBegin(a, d), n + padEnd(a, d)] : [0, n];
    lines.push(`var c${d} = 0.0;`);
    lines.push(`for (var t = 0; t < ${a.kernel[d]}; t++) { let i = o${d} * ${a.strides[d]} + t * ${a.dilations[d]} - ${padBegin(a, d)}; if (i >= ${lo} && i < ${hi}) { c${d} += 1.0; } }`);
    lines.push(`cnt *= c${d};`);
  });
  return lines;
}

const emitPool: WgslEmitter<PoolKind> = (k: WgslInput<PoolKind>) => {
  const node = k.node as Node & { op: PoolKind };
  const a = node.attrs as PoolAttrs;
  const input = k.inputs[0]!.shape.slice(2);
  const output = k.outputs[0]!.shape.slice(2);
  const [inSize, outSize] = [numel(input), numel(output)];
  const total = numel(k.outputs[0]!.shape);
  const ost = stridesOf(output);
  const ist = stridesOf(input);
  const lines = [guard(total), `let plane = gidx / ${outSize}u;`, `let q = gidx % ${outSize}u;`];
  output.forEach((n, d) => lines.push(`let o${d} = i32((q / ${ost[d]}u) % ${n}u);`));
  const max = node.op === 'maxPool';
  lines.push(max ? 'var acc = -inf_f();\nvar at = -1;' : 'var acc = 0.0;');
  const update = max
    ? `if (at < 0 || v > acc || (${isNan('v')} && !${isNan('acc')})) { acc = v; at = i32(plane * ${inSize}u) + idx; }`
    : node.op === 'lpPool' ? `acc += ${power('v', node.attrs.p)};` : 'acc += v;';
  const loops: string[] = [];
  input.forEach((n, d) => {
    loops.push(`${'  '.repeat(d)}for (var t${d} = 0; t${d} < ${a.kernel[d]}; t${d}++) {`);
    loops.push(`${'  '.repeat(d + 1)}let i${d} = o${d} * ${a.strides[d]} + t${d} * ${a.dilations[d]} - ${padBegin(a, d)};`);
    loops.push(`${'  '.repeat(d + 1)}if (i${d} < 0 || i${d} >= ${n}) { continue; }`);
  });
  const pad = '  '.repeat(input.length);
  loops.push(`${pad}let idx = ${input.map((_, d) => `i${d} * ${ist[d]}`).join(' + ')};`);
  loops.push(`${pad}let v = ${load('f32', k.x[0]!, `plane * ${inSize}u + u32(idx)`)};`);
  loops.push(`${pad}${update}`);
  input.forEach((_, d) => loops.push(`${'  '.repeat(input.length - 1 - d)}}`));
  lines.push(...loops);
  let value = 'acc';
  if (node.op === 'avgPool') {
    lines.push(...tapCount(a, input, node.attrs.countIncludePad));
    value = 'acc / cnt';
  } else if (node.op === 'lpPool') value = node.attrs.p === 2 ? 'sqrt(acc)' : `pow(acc, ${f32Literal(1 / node.attrs.p)})`;
  lines.push(store('f32', k.y[0]!, 'gidx', value));
  if (max && node.attrs.indices) lines.push(store('i32', k.y[1]!, 'gidx', indexValue(input, node.attrs.indices === 'column-major')));
  return { invocations: total, body: lines.join('\n') };
};

/** The stored argmax index of flat input offset `at` (i32): row-major, or spatially column-major. */
function indexValue(input: readonly number[], columnMajor: boolean): string {
  if (!columnMajor) return 'at';
  const inSize = numel(input);
  const st = stridesOf(input);
  let colStride = 1;
  const terms = input.map((n, d) => {
    const t = `((at % ${inSize}) / ${st[d]} % ${n}) * ${colStride}`;
    colStride *= n;
    return t;
  });
  return `select(at - at % ${inSize} + ${terms.join(' + ')}, -1, at < 0)`;
}

/** The pool emitters. */
export const wgslPool = { maxPool: emitPool as WgslEmitter<'maxPool'>, avgPool: emitPool as WgslEmitter<'avgPool'>, lpPool: emitPool as WgslEmitter<'lpPool'> };
