// Strided loop nests: the one loop emitter behind elementwise, copy and epilogue kernels.
// Each operand is described by a base offset and a stride per loop dimension (0 = broadcast);
// dimensions that are contiguous for every operand merge into one loop.
import type { CodeBlockWriter } from 'ts-morph';
import { type Shape, stridesOf } from '../ir/types.ts';

/** How one operand is indexed by the loop nest. */
export interface LoopOperand {
  /** Element stride per loop dimension. */
  readonly strides: readonly number[];
  /** Offset expression added to every index (default 0). */
  readonly base?: string;
}

export { broadcastStrides } from '../ops/util.ts';

/** Row-major strides of `shape` (an operand read or written in order). */
export function denseStrides(shape: Shape): number[] {
  return stridesOf(shape);
}

/** Drops size-1 dims and merges neighbours that are contiguous for every operand. */
export function mergeDims(shape: Shape, operands: readonly LoopOperand[]): { shape: number[]; strides: number[][] } {
  const dims: number[] = [];
  const strides: number[][] = operands.map(() => []);
  shape.forEach((n, d) => {
    if (n === 1) return;
    const last = dims.length - 1;
    const merge = last >= 0 && operands.every((o, k) => strides[k]![last] === o.strides[d]! * n);
    if (merge) {
      dims[last] = dims[last]! * n;
      operands.forEach((o, k) => (strides[k]![last] = o.strides[d]!));
      return;
    }
    dims.push(n);
    operands.forEach((o, k) => strides[k]!.push(o.strides[d]!));
  });
  return { shape: dims, strides };
}

function offsetExpr(prev: string, index: string, stride: number): string {
  if (stride === 0) return prev;
  const term = stride === 1 ? index : `${index} * ${stride}`;
  return prev === '0' ? term : `${prev} + ${term}`;
}

/**
 * Emits loops over every element of `shape` in row-major order. `body` receives, per operand,
 * an expression for that element's index. Index variables are `${prefix}0`, `${prefix}1`, ...
 */
export function emitLoops(
  w: CodeBlockWriter,
  shape: Shape,
  operands: readonly LoopOperand[],
  body: (index: readonly string[]) => void,
  prefix = 'i',
): void {
  const m = mergeDims(shape, operands);
  const level = (d: number, offs: readonly string[]): void => {
    if (d === m.shape.length) {
      body(offs);
      return;
    }
    const i = `${prefix}${d}`;
    w.write(`for (let ${i} = 0; ${i} < ${m.shape[d]}; ${i}++) `).block(() => {
      const inner = d === m.shape.length - 1;
      const next = offs.map((prev, k) => {
        const e = offsetExpr(prev, i, m.strides[k]![d]!);
        if (inner || e === prev || /^[\w]+$/.test(e)) return e;
        const name = `o${k}_${d}`;
        w.writeLine(`const ${name} = ${e};`);
        return name;
      });
      level(d + 1, next);
    });
  };
  level(0, operands.map((o) => o.base ?? '0'));
}
