// gather's indices are data: an out-of-range index is an IndexError at evaluate time, not a ShapeError.
import { describe, expect, it } from 'vitest';
import { IndexError } from '../../src/errors.ts';
import { f32, tensor, type Tensor } from '../../src/ir/tensor.ts';
import { OPS } from '../../src/ops/table.ts';
import { inferNode } from '../../src/ops/infer.ts';

const table = f32([4, 3], [0, 1, 2, 10, 11, 12, 20, 21, 22, 30, 31, 32]);

function gather(data: Tensor, indices: Tensor, axis = 0): Tensor[] {
  const outs = inferNode('gather', { axis }, [data, indices]);
  return OPS.gather.evaluate([data, indices], { axis }, outs);
}

describe('gather index range', () => {
  it.each([
    ['index == dim (i64)', tensor('i64', [2], [1, 4]), /gather index 4 is out of range for axis 0 of size 4/],
    ['index < -dim (i32)', tensor('i32', [1], [-5]), /gather index -5 is out of range .* size 4/],
    ['huge i64 index keeps its exact value', tensor('i64', [1], BigInt64Array.of(2n ** 62n + 1n)), /gather index 4611686018427387905 /],
  ])('%s throws IndexError', (_name, indices, message) => {
    let thrown: unknown;
    try {
      gather(table, indices);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(IndexError);
    expect((thrown as Error).message).toMatch(message);
  });

  it('checks the gathered axis, not axis 0', () => {
    expect(() => gather(table, tensor('i32', [1], [3]), 1)).toThrow(IndexError);
    expect(gather(table, tensor('i32', [1], [-4]))[0]!.data).toEqual(new Float32Array([0, 1, 2]));
  });

  it('rejects any index into a zero-length axis', () => {
    expect(() => gather(f32([0, 2], []), tensor('i32', [1], [0]))).toThrow(/size 0/);
  });
});
