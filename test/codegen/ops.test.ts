// The CPU backends (TS, and wasm: its SIMD kernels plus TS kernels over its memory) on every
// value case of the op tables (test/ops/cases): a one-node graph per case, compiled at -O0 and
// -O1 so the node survives, run in process and compared with the case's hand-worked expectations. Plus gather's data-dependent index check (RangeError in generated
// code, wrapped in the interpreter's IndexError by compile().run) and a meta-test that every op
// kind ran here.
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile.ts';
import { IndexError } from '../../src/errors.ts';
import { type Tensor, f32, tensor, toNumbers } from '../../src/ir/tensor.ts';
import type { OpKind } from '../../src/ops/attrs.ts';
import { OP_KINDS } from '../../src/ops/table.ts';
import { interpret } from '../../src/runtime/interpreter.ts';
import { CPU_TARGETS, type CpuTarget, VALUE_CASES, expectAllClose, namedInputs, oneNodeGraph } from './helpers.ts';

/** Op kinds with at least one case that compiled, ran and matched, per backend. */
const ran: Record<CpuTarget, Set<OpKind>> = { ts: new Set(), wasm: new Set() };

const KINDS = OP_KINDS.filter((k) => VALUE_CASES.some((c) => c.op === k));

describe.each(CPU_TARGETS.flatMap((t) => KINDS.map((k) => [k, t] as const)))('%s on the %s backend', (kind, target) => {
  const own = VALUE_CASES.filter((c) => c.op === kind);
  // -O0 emits the plain kernels, -O1 the blocked ones; a one-node graph survives both pipelines.
  it.each(own.flatMap((c) => [0, 1].map((level) => [`${c.name} (-O${level})`, c, level] as const)))('%s', async (_name, c, level) => {
    const g = oneNodeGraph(`${kind}: ${c.name}`, c.op, c.attrs, c.inputs);
    const model = await compile(g, { target, level: level as 0 | 1, verify: true });
    expect(model.graph.nodes.map((n) => n.op)).toEqual([c.op]);
    const want = Object.fromEntries(c.expect.map((t, i) => [`y${i}`, t]));
    expectAllClose(model.run(namedInputs(c.inputs)), want, c.rtol ?? 1e-5, c.atol ?? 1e-6);
    // A second run on the same instance gives the same numbers (no state left in the arena).
    expectAllClose(model.run(namedInputs(c.inputs)), want, c.rtol ?? 1e-5, c.atol ?? 1e-6, 'second run:');
    ran[target].add(c.op);
  });
});

/** The error a call throws (fails the test, naming `what`, when it returns). */
function thrown(what: string, body: () => unknown): Error {
  try {
    body();
  } catch (e) {
    return e as Error;
  }
  throw new Error(`expected ${what} to throw, but it returned`);
}

/** The 4x3 table of test/ops/gather-index.test.ts. */
const table = f32([4, 3], [0, 1, 2, 10, 11, 12, 20, 21, 22, 30, 31, 32]);

/** Compiles gather(data, indices) and returns the error of running it on out-of-range `indices`. */
async function gatherError(data: Tensor, indices: Tensor, axis: number, target: CpuTarget): Promise<{ compiled: Error; reference: Error }> {
  const g = oneNodeGraph('gather-range', 'gather', { axis }, [data, indices]);
  const model = await compile(g, { target, level: 0 });
  const inputs = { x0: data, x1: indices };
  return { compiled: thrown('the compiled model', () => model.run(inputs)), reference: thrown('the interpreter', () => interpret(g, inputs)) };
}

describe.each(CPU_TARGETS)('gather with an out-of-range index on %s: the compiled model throws IndexError (its RangeError wrapped), like the interpreter', (target) => {
  it.each([
    ['index == dim (i64)', tensor('i64', [2], [1, 4]), 0, /index 4 is out of range for axis 0 of size 4/],
    ['index < -dim (i32)', tensor('i32', [1], [-5]), 0, /index -5 is out of range for axis 0 of size 4/],
    ['the gathered axis is checked, not axis 0', tensor('i32', [1], [3]), 1, /index 3 is out of range for axis 1 of size 3/],
  ] as const)('%s', async (_name, indices, axis, message) => {
    const { compiled, reference } = await gatherError(table, indices, axis, target);
    expect(reference).toBeInstanceOf(IndexError);
    expect(compiled).toBeInstanceOf(IndexError);
    expect((compiled as Error).cause).toBeInstanceOf(RangeError);
    expect(compiled.message).toMatch(message);
  });

  it('reports a huge i64 index exactly, as the interpreter does', async () => {
    const { compiled, reference } = await gatherError(table, tensor('i64', [1], BigInt64Array.of(2n ** 62n + 1n)), 0, target);
    expect(reference.message).toContain('4611686018427387905');
    expect(compiled).toBeInstanceOf(IndexError);
    expect((compiled as Error).cause).toBeInstanceOf(RangeError);
    expect(compiled.message).toContain('4611686018427387905');
  });

  it('rejects any index into a zero-length axis', async () => {
    const { compiled, reference } = await gatherError(f32([0, 2], []), tensor('i32', [1], [0]), 0, target);
    expect(reference).toBeInstanceOf(IndexError);
    expect(compiled).toBeInstanceOf(IndexError);
    expect((compiled as Error).cause).toBeInstanceOf(RangeError);
    expect(compiled.message).toMatch(/size 0/);
  });

  it.each([
    ['zero-size slices after the axis', f32([2, 0], []), 0, tensor('i32', [1], [5])],
    ['zero-size dims before the axis', f32([0, 3], []), 1, tensor('i64', [2], [0, 7])],
  ] as const)('checks indices even when the output is empty: %s', async (_name, data, axis, indices) => {
    const { compiled, reference } = await gatherError(data, indices, axis, target);
    expect(reference).toBeInstanceOf(IndexError);
    expect(compiled).toBeInstanceOf(IndexError);
    expect((compiled as Error).cause).toBeInstanceOf(RangeError);
  });

  it('a model that threw still runs correctly on valid indices', async () => {
    const g = oneNodeGraph('gather-recover', 'gather', { axis: 0 }, [table, tensor('i32', [2], [0, 0])]);
    const model = await compile(g, { target, level: 0 });
    expect(() => model.run({ x0: table, x1: tensor('i32', [2], [1, 9]) })).toThrow(IndexError);
    expect(() => model.module.run({ x0: table.data, x1: Int32Array.of(1, 9) })).toThrow(RangeError);
    const good = { x0: table, x1: tensor('i32', [2], [3, -4]) };
    expectAllClose(model.run(good), interpret(g, good));
    expect(toNumbers(model.run(good).y0!)).toEqual([30, 31, 32, 0, 1, 2]);
  });
});

describe('coverage', () => {
  it('the case tables are all loaded', () => {
    expect(VALUE_CASES.length).toBeGreaterThan(150);
    expect(new Set(VALUE_CASES.map((c) => c.op)).size).toBeGreaterThan(40);
  });

  it.each(CPU_TARGETS)('every op kind has a value case that ran on the %s backend', (target) => {
    expect(OP_KINDS.filter((k) => !VALUE_CASES.some((c) => c.op === k)), 'op kinds without value cases').toEqual([]);
    expect(OP_KINDS.filter((k) => !ran[target].has(k))).toEqual([]);
  });
});
