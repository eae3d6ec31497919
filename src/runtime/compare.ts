// Numeric comparison of tensors: the single definition of "allclose" used by tests, the demo and the CLI.
import { type Tensor, getNumber } from '../ir/tensor.ts';
import { formatType, sameType } from '../ir/types.ts';

/** Result of comparing two tensors element by element. */
export interface Comparison {
  /** True when types match and every element satisfies |a - b| <= atol + rtol * |b|. */
  readonly ok: boolean;
  /** Largest |a - b| (NaN positions that match count as equal; a mismatch in NaN-ness is Infinity). */
  readonly maxAbs: number;
  /** Flat index of the worst element, -1 if none. */
  readonly worst: number;
  /** Why it failed, when it did. */
  readonly reason?: string;
}

/** Compares `actual` to `expected` with numpy's allclose rule. */
export function compareTensors(actual: Tensor, expected: Tensor, rtol = 1e-5, atol = 1e-6): Comparison {
  if (!sameType(actual, expected)) {
    return { ok: false, maxAbs: Infinity, worst: -1, reason: `type ${formatType(actual)} != ${formatType(expected)}` };
  }
  let maxAbs = 0;
  let worst = -1;
  let ok = true;
  for (let i = 0; i < actual.data.length; i++) {
    const a = getNumber(actual, i);
    const b = getNumber(expected, i);
    if (Number.isNaN(a) || Number.isNaN(b)) {
      if (Number.isNaN(a) !== Number.isNaN(b)) {
        ok = false;
        maxAbs = Infinity;
        worst = i;
      }
      continue;
    }
    const d = a === b ? 0 : Math.abs(a - b);
    if (d > maxAbs || worst < 0) {
      if (d > maxAbs) maxAbs = d;
      if (d > 0 || worst < 0) worst = d > 0 ? i : worst;
    }
    if (!(d <= atol + rtol * Math.abs(b))) ok = false;
  }
  const reason = ok ? undefined : `max |diff| ${maxAbs} at flat index ${worst}`;
  return reason === undefined ? { ok, maxAbs, worst } : { ok, maxAbs, worst, reason };
}
