// Element copies through index maps: the one copy loop every movement op evaluates with.
import { type TensorType, numel } from '../ir/types.ts';
import { type Tensor, type TensorData, allocData, tensor } from '../ir/tensor.ts';

/** Any typed array, viewed element-wise; arrays of the same dtype copy into each other uniformly. */
type Elements = { [i: number]: number | bigint; readonly length: number };

/**
 * Copies elements: dst[dstMap[k]] = src[srcMap[k]] for every k. A missing map is the identity.
 * `dst` and `src` must back the same dtype. Shared by every movement op.
 */
export function moveElements(dst: TensorData, src: TensorData, dstMap?: Int32Array, srcMap?: Int32Array): void {
  const d: Elements = dst;
  const s: Elements = src;
  const n = dstMap?.length ?? srcMap?.length ?? s.length;
  for (let k = 0; k < n; k++) d[dstMap ? dstMap[k]! : k] = s[srcMap ? srcMap[k]! : k]!;
}

/** A fresh tensor of `type` whose element k is `src`'s element map[k] (a plain copy when no map). */
export function takeElements(src: Tensor, type: TensorType, map?: Int32Array): Tensor {
  const out = allocData(type.dtype, numel(type.shape));
  moveElements(out, src.data, undefined, map);
  return tensor(type.dtype, type.shape, out);
}
