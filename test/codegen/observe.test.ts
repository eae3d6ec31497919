// Observe mode on the TS and wasm backends (what profiles and wasm's check mode build on): once per
// run a report with value -1 when the inputs are bound, then one per kernel in run order with the
// kernel's name and its outputs, which equal the interpreter's value for that node.
import { describe, expect, it } from 'vitest';
import { PIPELINES, runPipeline } from '../../passes/pipeline.ts';
import { compile } from '../../src/compile.ts';
import { type Tensor, type TensorData, tensor } from '../../src/ir/tensor.ts';
import { interpret } from '../../src/runtime/interpreter.ts';
import { compareTensors } from '../../src/runtime/compare.ts';
import { tinyGpt } from '../../examples/tiny-gpt.ts';
import { CPU_TARGETS } from './helpers.ts';
import { kernelCalls, planMemory } from '../../src/codegen/plan.ts';
import { scratchNeed } from '../../src/codegen/ts/kernels/index.ts';

const g = runPipeline(tinyGpt(1), PIPELINES[2]).graph;
const inputs = { tokens: tensor('i64', [1, 16], Array.from({ length: 16 }, (_, i) => (i * 5 + 1) % 64)) };

describe.each(CPU_TARGETS)('observe on %s', (target) => {
  it('reports the start of each run, then every kernel in order with outputs equal to the interpreter\'s', async () => {
    const want = new Map<number, readonly Tensor[]>();
    interpret(g, inputs, { onNode: (n, outs) => want.set(n.outputs[0]!.id, outs) });
    const seen: { value: number; kernel: string; outputs: TensorData[] }[] = [];
    const model = await compile(g, { target, optimized: true, observe: (value, kernel, outputs) => seen.push({ value, kernel, outputs: outputs.map((o) => o.slice() as TensorData) }) });
    try {
      seen.length = 0; // static nodes may report while the model is created
      model.run(inputs);
      model.run(inputs);
    } finally {
      model.dispose();
    }
    const starts = seen.flatMap((s, i) => (s.value === -1 ? [i] : []));
    expect(starts).toHaveLength(2);
    expect(starts[0]).toBe(0);
    const first = seen.slice(1, starts[1]);
    expect(seen.slice(starts[1]! + 1).map((s) => s.value)).toEqual(first.map((s) => s.value));
    const index = new Map(g.nodes.map((n, i) => [n.outputs[0]!.id, i]));
    const order = first.map((s) => index.get(s.value)!);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    // Every node that runs a kernel per run reports: no constant, view or static node.
    const plan = planMemory(g, (n, ins) => scratchNeed(n, ins));
    expect(first.length).toBe(kernelCalls(g, plan) - plan.copies.length);
    for (const s of first) {
      const node = g.nodes[index.get(s.value)!]!;
      if (target === 'ts') expect(s.kernel).toMatch(new RegExp(`^k\\d+_${node.op}$`));
      node.outputs.forEach((o, k) => {
        const cmp = compareTensors(tensor(o.type.dtype, o.type.shape, s.outputs[k]!), want.get(s.value)![k]!, 1e-4, 1e-5);
        expect(cmp.ok, `${node.op} ${node.label}: ${cmp.reason ?? ''} max |diff| ${cmp.maxAbs}`).toBe(true);
      });
    }
  });
});
