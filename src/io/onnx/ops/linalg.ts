// Linear algebra ONNX ops composed from IR ops: Det by cofactor expansion (matrices up to 4 x 4).
import type { NodeContext, Val } from '../context.ts';
import type { Lowerings } from './lowering.ts';

/** The largest matrix Det expands (4! = 24 products); larger ones are refused. */
const MAX_DET = 4;

/** Det of the [..., n, n] `m` restricted to `rows` x `cols`, along its first row: a sum of signed entry * minor products. */
function cofactor(c: NodeContext, entry: (r: number, k: number) => Val, rows: readonly number[], cols: readonly number[]): Val {
  if (rows.length === 1) return entry(rows[0]!, cols[0]!);
  let acc: Val | undefined;
  cols.forEach((k, j) => {
    const term = c.op1('mul', {}, [entry(rows[0]!, k), cofactor(c, entry, rows.slice(1), cols.filter((_, i) => i !== j))]);
    acc = acc === undefined ? term : c.op1(j % 2 === 0 ? 'add' : 'sub', {}, [acc, term]);
  });
  return acc!;
}

/** Det(x [..., n, n]) -> [...]: the determinant of each matrix. */
function det(c: NodeContext): Val[] {
  const x = c.input(0);
  const s = x.type.shape;
  const n = s.at(-1)!;
  if (x.type.dtype !== 'f32' || s.length < 2 || s.at(-2) !== n) c.fail(`input must be float [..., n, n], got ${c.fmt(x)}`);
  if (n > MAX_DET) c.unsupported('size', `determinants of ${n} x ${n} matrices are not supported (cofactor expansion up to ${MAX_DET} x ${MAX_DET})`);
  const batch = s.slice(0, -2);
  const cache = new Map<number, Val>();
  const entry = (r: number, k: number): Val => {
    let v = cache.get(r * n + k);
    if (!v) {
      const cut = c.op1('slice', { starts: [r, k], ends: [r + 1, k + 1], axes: [s.length - 2, s.length - 1], steps: [1, 1] }, [x]);
      v = c.op1('reshape', { shape: batch }, [cut]);
      cache.set(r * n + k, v);
    }
    return v;
  };
  const idx = [...Array(n).keys()];
  return [n === 0 ? c.op1('expand', { shape: batch }, [c.scalar(1)]) : cofactor(c, entry, idx, idx)];
}

/** The linear algebra lowerings. */
export const linalgLowerings: Lowerings = {
  Det: det,
};
