// The data of seed 001's "hello" -> "ohlol" programs and how their predictions read.
import { type Tensor, tensor } from '../../src/index.ts';

/** The seed's dictionary. */
export const IDX2CHAR = ['e', 'h', 'l', 'o'];
/** "hello" as indices. */
export const X_DATA = [1, 0, 2, 2, 3];
/** "ohlol" as indices. */
export const Y_DATA = [3, 1, 2, 3, 2];

/** "hello" one-hot as [seq, batch 1, 4] (torch.eye(4)[x_data].view(-1, 1, 4)). */
export function oneHotInputs(): Tensor {
  const data = new Float32Array(X_DATA.length * 4);
  X_DATA.forEach((x, i) => (data[i * 4 + x] = 1));
  return tensor('f32', [X_DATA.length, 1, 4], data);
}

/** Index tensor of `shape` (i64, as torch.LongTensor). */
export function indices(values: readonly number[], shape: readonly number[]): Tensor {
  return tensor('i64', shape, [...values]);
}

/** The predicted string from rows of class scores [rows, 4]: argmax per row, first maximum on ties (as torch.max). */
export function predictString(scores: Tensor): string {
  const [rows, classes] = scores.shape as [number, number];
  const d = scores.data as Float32Array;
  let out = '';
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (d[r * classes + c]! > d[r * classes + best]!) best = c;
    out += IDX2CHAR[best];
  }
  return out;
}
