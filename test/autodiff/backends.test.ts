// The backward graphs are ordinary graphs: each gradient case's graph, optimised at -O2 and
// compiled by each CPU backend (TS, wasm), computes the interpreter's gradients.
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile.ts';
import { compareTensors } from '../../src/runtime/compare.ts';
import { interpret } from '../../src/runtime/interpreter.ts';
import { gradCases } from './cases.ts';
import { caseGraph } from './graphs.ts';
import { CPU_TARGETS } from '../codegen/helpers.ts';

describe.each(CPU_TARGETS)('gradient graphs on the %s backend at -O2', (target) => {
  it.each(gradCases.map((c) => [`${c.op}: ${c.name}`, c] as const))('%s', async (_name, c) => {
    const { graph, inputs } = caseGraph(c);
    const want = interpret(graph, inputs);
    const got = (await compile(graph, { target, level: 2, verify: true })).run(inputs);
    for (const [name, t] of Object.entries(want)) {
      const cmp = compareTensors(got[name]!, t, 1e-4, 1e-5);
      expect(cmp.ok, `${name}: ${cmp.reason ?? cmp.maxAbs}`).toBe(true);
    }
  });
});
