// gemm's C and epilogue inputs in the store: irregular broadcasts decoded from the flat index,
// and a residual input overwritten in place by the result (the memory plan's choice).
import { describe, expect, it } from 'vitest';
import { IRBuilder } from '../../src/ir/builder.ts';
import { tensorType } from '../../src/ir/types.ts';
import { planMemory } from '../../src/codegen/plan.ts';
import { Rng, expectMatchesInterpreter, randomInputs } from './helpers.ts';

const f = (shape: number[]) => tensorType('f32', shape);

/** x [2,3,4] @ w^T (w [5,4]) + C, then an epilogue adding `extra`; both C and extra of the given shapes. */
function gemmWith(cShape: number[], extraShape: number[]) {
  const b = new IRBuilder('gemm_operands');
  const [x, w, c, e] = [b.input('x', f([2, 3, 4])), b.input('w', f([5, 4])), b.input('c', f(cShape)), b.input('e', f(extraShape))];
  const epilogue = { inputs: 2, steps: [{ op: 'add' as const, attrs: {}, args: [0, 1] }, { op: 'relu' as const, attrs: {}, args: [2] }] };
  const [y] = b.node('gemm', { transA: false, transB: true, alpha: 0.5, beta: 2, epilogue }, [x.id, w.id, c.id, e.id]);
  b.output('y', y!.id);
  return b.finish();
}

describe('gemm store operands', () => {
  it.each([
    ['bias [5] and a full residual', [5], [2, 3, 5]],
    ['C [2,1,5]: not linear in the flattened rows', [2, 1, 5], [2, 3, 5]],
    ['epilogue input [2,1,1] and C [3,1]', [3, 1], [2, 1, 1]],
  ])('%s', async (_name, cShape, extraShape) => {
    const g = gemmWith(cShape, extraShape);
    for (const level of [0, 1] as const) await expectMatchesInterpreter(g, randomInputs(g, new Rng(7)), { level, what: `${cShape} ${extraShape}` });
  });

  it('writes a gemm result over a residual input that dies there, never over A', async () => {
    const b = new IRBuilder('residual');
    const x = b.input('x', f([4, 8]));
    const [h] = b.node('relu', {}, [x.id]);
    const [r] = b.node('neg', {}, [x.id]);
    const w = b.input('w', f([8, 8]));
    const epilogue = { inputs: 2, steps: [{ op: 'add' as const, attrs: {}, args: [0, 1] }] };
    // y reads h as A and r as its residual; y2 reads h as both A and residual.
    const [y] = b.node('gemm', { transA: false, transB: true, alpha: 1, beta: 1, epilogue }, [h!.id, w.id, r!.id]);
    const [y2] = b.node('gemm', { transA: false, transB: true, alpha: 1, beta: 1, epilogue }, [y!.id, w.id, y!.id]);
    const [z] = b.node('neg', {}, [y2!.id]);
    b.output('z', z!.id);
    const g = b.finish();
    const plan = planMemory(g);
    expect(plan.storageOf.get(y!.id)).toBe(plan.storageOf.get(r!.id));
    expect(plan.storageOf.get(y2!.id)).not.toBe(plan.storageOf.get(y!.id));
    await expectMatchesInterpreter(g, randomInputs(g, new Rng(3)), { level: 0, what: 'in place' });
  });
});
