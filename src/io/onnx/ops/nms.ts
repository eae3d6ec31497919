// NonMaxSuppression: how many boxes survive depends on the values, so the op is computed at import
// from inputs known there (constants, initializers, inputs pinned with --const) and folds to a
// constant [selected, 3] (batch, class, box); a run-time input is an OnnxDynamicError naming it and
// why (test-onnx then pins it). The arithmetic is rounded to f32 at every step, as the ONNX
// reference computes in float32, so IoU comparisons at the threshold agree with it.
import { type Tensor, getNumber } from '../../../ir/tensor.ts';
import type { NodeContext, Val } from '../context.ts';
import type { Lowerings } from './lowering.ts';

const f = Math.fround;

/** Box `i` of `boxes` (one batch, [n, 4] from `at`) as [xmin, xmax, ymin, ymax] in f32. */
function corners(b: Tensor, at: number, center: boolean): [number, number, number, number] {
  const v = [0, 1, 2, 3].map((k) => getNumber(b, at + k));
  if (center) {
    const [hw, hh] = [f(v[2]! / 2), f(v[3]! / 2)];
    return [f(v[0]! - hw), f(v[0]! + hw), f(v[1]! - hh), f(v[1]! + hh)];
  }
  return [Math.min(v[1]!, v[3]!), Math.max(v[1]!, v[3]!), Math.min(v[0]!, v[2]!), Math.max(v[0]!, v[2]!)];
}

/** True when box a suppresses box b: their IoU is above the threshold (the reference's suppress_by_iou). */
function suppresses(a: readonly number[], b: readonly number[], threshold: number): boolean {
  const [x0, x1] = [Math.max(a[0]!, b[0]!), Math.min(a[1]!, b[1]!)];
  const [y0, y1] = [Math.max(a[2]!, b[2]!), Math.min(a[3]!, b[3]!)];
  if (x1 <= x0 || y1 <= y0) return false;
  const inter = f(f(x1 - x0) * f(y1 - y0));
  const area = (r: readonly number[]): number => f(f(r[1]! - r[0]!) * f(r[3]! - r[2]!));
  const [aa, ab] = [area(a), area(b)];
  const union = f(f(aa + ab) - inter);
  if (inter <= 0 || aa <= 0 || ab <= 0 || union <= 0) return false;
  return f(inter / union) > threshold;
}

function nonMaxSuppression(c: NodeContext): Val[] {
  const why = 'whose values decide how many boxes NonMaxSuppression selects (its output shape; opgraph\'s shapes are static),';
  const [boxes, scores] = [c.static(0, `boxes, ${why}`), c.static(1, `scores, ${why}`)];
  const scalar = (i: number, what: string): number | undefined => (c.maybe(i) ? getNumber(c.static(i, what), 0) : undefined);
  const maxOut = Math.max(scalar(2, 'max_output_boxes_per_class') ?? 0, 0);
  const iou = f(scalar(3, 'iou_threshold') ?? 0);
  const minScore = scalar(4, 'score_threshold');
  const center = c.int('center_point_box', 0) === 1;
  const [B, N] = boxes.shape as [number, number];
  const C = scores.shape[1]!;
  if (boxes.shape.length !== 3 || boxes.shape[2] !== 4 || scores.shape.length !== 3 || scores.shape[0] !== B || scores.shape[2] !== N) c.fail(`boxes and scores must be [batch, boxes, 4] and [batch, classes, boxes], got [${boxes.shape.join(', ')}] and [${scores.shape.join(', ')}]`);
  const out: number[] = [];
  for (let b = 0; b < B; b++) {
    const box = Array.from({ length: N }, (_, i) => corners(boxes, (b * N + i) * 4, center));
    for (let k = 0; k < C; k++) {
      const score = (i: number): number => getNumber(scores, (b * C + k) * N + i);
      // Highest score first; equal scores by lower index.
      const order = Array.from({ length: N }, (_, i) => i).filter((i) => minScore === undefined || score(i) > f(minScore)).sort((i, j) => score(j) - score(i) || i - j);
      const kept: number[] = [];
      for (const i of order) {
        if (kept.length >= maxOut) break;
        if (kept.every((j) => !suppresses(box[i]!, box[j]!, iou))) kept.push(i);
      }
      for (const i of kept) out.push(b, k, i);
    }
  }
  return [c.constant('i64', [out.length / 3, 3], out)];
}

/** The NonMaxSuppression lowering. */
export const nmsLowerings: Lowerings = { NonMaxSuppression: nonMaxSuppression };
