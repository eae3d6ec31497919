// The TS kernel of cacheWrite: copies the cache only when the plan could not give the result
// the cache's own buffer, then writes the new rows at the runtime position (checked first).
import { numel } from '../../../ir/types.ts';
import { normAxis } from '../../../ops/util.ts';
import { type KernelEmitter, inArg, outArg } from '../kernel.ts';

/** cacheWrite(cache, update, pos) along its axis. */
const cacheWrite: KernelEmitter<'cacheWrite'> = (w, k) => {
  const [cache, update] = [k.inputs[0]!, k.inputs[1]!];
  const axis = normAxis(k.node.attrs.axis, cache.shape.length);
  const len = cache.shape[axis]!;
  const n = update.shape[axis]!;
  const outer = numel(cache.shape.slice(0, axis));
  const inner = numel(cache.shape.slice(axis + 1));
  const [x, y] = [inArg(0), outArg(0)];
  w.writeLine(`const at = ${inArg(2)}[0];`);
  w.writeLine(`if (!(at >= 0 && at + ${n} <= ${len})) throw new RangeError(\`cacheWrite: position \${at} + ${n} new rows is outside the cache of ${len} rows\`);`);
  w.writeLine(`if (${y}.buffer !== ${x}.buffer || ${y}.byteOffset !== ${x}.byteOffset) ${y}.set(${x});`);
  if (outer * n * inner === 0) return;
  w.write(`for (let o = 0; o < ${outer}; o++) `).block(() => {
    w.writeLine(`${y}.set(${inArg(1)}.subarray(o * ${n * inner}, (o + 1) * ${n * inner}), (o * ${len} + at) * ${inner});`);
  });
};

/** The cache kernels. */
export const cacheKernels = { cacheWrite };
