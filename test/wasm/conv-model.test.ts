// The bench's small CNN (examples/small-cnn.ts: conv + BatchNorm + ReLU + MaxPool twice, global
// pool, Linear) at 2x3x32x32 compiled for wasm: its convolutions and pools run as wasm kernels,
// on both SIMD levels, on one thread and on two (a real worker over the shared memory), and the
// output matches the interpreter's.
import { describe, expect, it } from 'vitest';
import { smallCnn } from '../../examples/small-cnn.ts';
import { compile } from '../../src/compile.ts';
import { f32 } from '../../src/ir/tensor.ts';
import { numel } from '../../src/ir/types.ts';
import { compareTensors } from '../../src/runtime/compare.ts';
import { interpret } from '../../src/runtime/interpreter.ts';
import { Rng } from '../../src/api/init.ts';

describe.each(['relaxed', 'plain'] as const)('small CNN on wasm (%s SIMD)', (simd) => {
  it.each([1, 2])('%i thread(s): conv and maxPool are wasm kernels, output as the interpreter', async (threads) => {
    const g = smallCnn(2, 32);
    const rng = new Rng(7);
    const shape = g.inputs[0]!.type.shape;
    const x = f32(shape, Array.from({ length: numel(shape) }, () => rng.next() * 2 - 1));
    const want = interpret(g, { x }).output!;
    const m = await compile(g, { target: 'wasm', simd, threads });
    try {
      const kernels = [...m.wasm!.program.kernels.values()];
      const ops = kernels.map((k) => k.node.op);
      expect(ops.filter((op) => op === 'conv')).toHaveLength(2);
      expect(ops.filter((op) => op === 'maxPool')).toHaveLength(2);
      if (threads === 2) expect(kernels.filter((k) => k.node.op === 'conv').every((k) => k.shares === 2)).toBe(true);
      const got = (await m.run({ x })).output!;
      const c = compareTensors(got, want, 1e-4, 1e-5);
      expect(c.ok, c.reason ?? `max |diff| ${c.maxAbs}`).toBe(true);
    } finally {
      m.dispose();
    }
  });
});
