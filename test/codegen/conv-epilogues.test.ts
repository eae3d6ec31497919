// Activation epilogues fused into conv stores, differentially: each graph (conv1d, conv2d, grouped,
// depthwise, pointwise; with and without bias) followed by an activation, compiled at -O0 (no
// fusion, plain kernels) and -O2 (the activation in the conv's store) on the ts and wasm targets,
// both against the interpreter on the unfused graph. At -O2 the conv must carry the epilogue,
// and on wasm the conv must run in the wasm conv family (not a TS fallback over wasm memory).
import { describe, expect, it } from 'vitest';
import { IRBuilder } from '../../src/ir/builder.ts';
import { type Graph, type ValueId, staticValueIds } from '../../src/ir/graph.ts';
import { tensorType } from '../../src/ir/types.ts';
import { compile } from '../../src/compile.ts';
import { interpret } from '../../src/runtime/interpreter.ts';
import { PIPELINES, runPipeline } from '../../passes/pipeline.ts';
import { Rng, expectAllClose, randomInputs, randomTensor } from './helpers.ts';
import { CONV_EPILOGUE_GRAPHS, convActivation } from './conv-epilogue-graphs.ts';

describe.each(['ts', 'wasm'] as const)('conv epilogues on %s', (target) => {
  it.each(CONV_EPILOGUE_GRAPHS)('$name', async (c) => {
    const g = convActivation(c.shape, c.activation);
    const inputs = randomInputs(g, new Rng(c.shape.x.length * 31 + c.activation.length));
    const want = interpret(g, inputs);
    const fused = runPipeline(g, PIPELINES[2]).graph;
    const convs = fused.nodes.filter((n) => n.op === 'conv');
    expect(convs.length).toBe(1);
    expect(convs[0]!.op === 'conv' && convs[0]!.attrs.epilogue !== undefined, 'the activation is in the conv store at -O2').toBe(true);
    const known = staticValueIds(fused);
    expect(fused.nodes.filter((n) => n.op !== 'constant' && !known.has(n.outputs[0]!.id)).length, 'one kernel per run at -O2').toBe(1);
    for (const level of [0, 2] as const) {
      const model = await compile(g, { target, level, verify: true });
      try {
        expectAllClose(model.run(inputs), want, 1e-4, 1e-5, `${c.name} -O${level}`);
        if (target === 'wasm' && level === 2) {
          const families = [...model.wasm!.program.kernels.entries()].filter(([n]) => n.op === 'conv').map(([, k]) => k.family);
          expect(families.length, 'the conv runs as a wasm kernel').toBe(1);
          expect(families[0]).toMatch(/conv/);
        }
      } finally {
        model.dispose();
      }
    }
  });
});

/** A conv whose consumer's operand varies along a spatial dim: not fused (a conv store reads by channel), still right. */
function convPlusRowVector(): Graph {
  const b = new IRBuilder('conv_plus_row');
  const x = b.input('x', tensorType('f32', [1, 3, 6, 7])).id;
  const w = b.weight('w', tensorType('f32', [4, 3, 3, 3]), randomTensor(new Rng(3), tensorType('f32', [4, 3, 3, 3]))).id;
  const row = b.weight('row', tensorType('f32', [7]), randomTensor(new Rng(4), tensorType('f32', [7]))).id;
  const [y] = b.node('conv', { strides: [1, 1], dilations: [1, 1], pads: [1, 1, 1, 1], group: 1 }, [x, w]);
  b.output('y', b.node('relu', {}, [b.node('add', {}, [y!.id, row])[0]!.id as ValueId])[0]!.id);
  return b.finish();
}

describe('conv epilogue operands the store cannot read', () => {
  it.each(['ts', 'wasm'] as const)('a per-column add stays outside the conv on %s and computes the same', async (target) => {
    const g = convPlusRowVector();
    const fused = runPipeline(g, PIPELINES[2]).graph;
    const conv = fused.nodes.find((n) => n.op === 'conv')!;
    expect(conv.op === 'conv' && conv.attrs.epilogue).toBeFalsy();
    const inputs = randomInputs(g, new Rng(9));
    const model = await compile(g, { target, level: 2, verify: true });
    expectAllClose(model.run(inputs), interpret(g, inputs), 1e-4, 1e-5);
    model.dispose();
  });
});
