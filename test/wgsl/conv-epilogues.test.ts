// Activation epilogues in the WGSL conv store (SwiftShader on machines without a GPU): every
// conv shape x activation of test/codegen/conv-epilogue-graphs.ts at -O0 (unfused) and -O2 (the
// activation in the conv's store, checked in the optimised graph) against the interpreter.
import { describe, expect, it } from 'vitest';
import { compileWgsl } from '../../src/compile.ts';
import { interpret } from '../../src/runtime/interpreter.ts';
import { compareTensors } from '../../src/runtime/compare.ts';
import { PIPELINES, runPipeline } from '../../passes/pipeline.ts';
import { Rng, randomInputs } from '../codegen/helpers.ts';
import { CONV_EPILOGUE_GRAPHS, convActivation } from '../codegen/conv-epilogue-graphs.ts';
import { adapterOrReason, skipNote } from './adapter.ts';

const { gpu, reason } = await adapterOrReason();

describe.skipIf(!gpu)(`conv epilogues on WGSL (${gpu?.adapter ?? 'no adapter'})${skipNote(reason)}`, () => {
  if (!gpu) it('every conv shape and activation on WGSL', () => {});
  it.each(CONV_EPILOGUE_GRAPHS)('$name', async (c) => {
    const g = convActivation(c.shape, c.activation);
    const conv = runPipeline(g, PIPELINES[2]).graph.nodes.find((n) => n.op === 'conv')!;
    expect(conv.op === 'conv' && conv.attrs.epilogue !== undefined, 'fused at -O2').toBe(true);
    const inputs = randomInputs(g, new Rng(c.shape.x.length * 31 + c.activation.length));
    const want = interpret(g, inputs);
    for (const level of [0, 2] as const) {
      const model = await compileWgsl(g, { level });
      try {
        const got = await model.run(inputs);
        const cmp = compareTensors(got.y!, want.y!, 1e-4, 1e-5);
        expect(cmp.ok, `-O${level}: ${cmp.reason ?? ''} max |diff| ${cmp.maxAbs}`).toBe(true);
      } finally {
        model.destroy();
      }
    }
  });
});
