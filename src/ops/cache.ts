// cacheWrite: a KV cache's append. The result is the cache with `update` written along one axis
// from a runtime offset on; the memory plan lets it share the cache's buffer (updatesInput0), so a
// decoding step writes only its new rows and the cache stays where it is between runs.
import { IndexError } from '../errors.ts';
import { type Tensor, f32 } from '../ir/tensor.ts';
import { type TensorType, formatType } from '../ir/types.ts';
import type { OpDefs } from './def.ts';
import { fail, normAxis, splitAt } from './util.ts';

/** The cache's type, after checking that `update` fits it along `axis` and `pos` is an i32 scalar. */
function cacheType(cache: TensorType, update: TensorType, pos: TensorType, axis: number): TensorType {
  if (pos.dtype !== 'i32' || pos.shape.length !== 0) fail(`cacheWrite position must be an i32 scalar, got ${formatType(pos)}`);
  if (cache.dtype !== 'f32' || update.dtype !== 'f32') fail(`cacheWrite takes an f32 cache and update, got ${formatType(cache)} and ${formatType(update)}`);
  const ax = normAxis(axis, cache.shape.length, 'cacheWrite axis');
  const fits = update.shape.length === cache.shape.length && update.shape.every((n, d) => (d === ax ? n <= cache.shape[d]! : n === cache.shape[d]));
  if (!fits) fail(`cacheWrite update ${formatType(update)} does not fit cache ${formatType(cache)} along axis ${ax}`);
  return cache;
}

/** Checks a runtime offset: `count` rows from `pos` must lie inside `len` (the same message in every backend). */
export function cacheRangeMessage(pos: number, count: number, len: number): string {
  return `cacheWrite: position ${pos} + ${count} new rows is outside the cache of ${len} rows`;
}

/** Definition of cacheWrite. */
export const cacheOps: OpDefs<'cacheWrite'> = {
  cacheWrite: {
    kind: 'cacheWrite',
    // No group: passes must not read through it or move it (it is a write, in place).
    groups: [],
    arity: { min: 3, max: 3 },
    updatesInput0: true,
    grad: { none: 'a cache write is decoding state: differentiate the uncached model' },
    infer: ([cache, update, pos], { axis }) => [cacheType(cache!, update!, pos!, axis)],
    evaluate([cache, update, pos], { axis }): Tensor[] {
      const ax = normAxis(axis, cache!.shape.length);
      const { outer, len, inner } = splitAt(cache!.shape, ax);
      const n = update!.shape[ax]!;
      const at = Number(pos!.data[0]);
      if (!(at >= 0 && at + n <= len)) throw new IndexError(cacheRangeMessage(at, n, len));
      const data = (cache!.data as Float32Array).slice();
      const src = update!.data as Float32Array;
      for (let o = 0; o < outer; o++) data.set(src.subarray(o * n * inner, (o + 1) * n * inner), (o * len + at) * inner);
      return [f32(cache!.shape, data)];
    },
  },
};
