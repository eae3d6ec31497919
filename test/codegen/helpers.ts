// Shared helpers of the TS backend tests: the op case list, one-node graphs, seeded random
// tensors, the differential check against the interpreter, and tsc / import of emitted modules.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { expect } from 'vitest';
import { Rng } from '../../src/api/init.ts';
import { type CompiledModel, compile } from '../../src/compile.ts';
import { IRBuilder } from '../../src/ir/builder.ts';
import type { Graph, ValueId } from '../../src/ir/graph.ts';
import { type Tensor, tensor } from '../../src/ir/tensor.ts';
import { type TensorType, numel, tensorType } from '../../src/ir/types.ts';
import type { OpAttrs, OpKind } from '../../src/ops/attrs.ts';
import { compareTensors } from '../../src/runtime/compare.ts';
import { interpret } from '../../src/runtime/interpreter.ts';
import type { OpCase, ValueCase } from '../ops/case.ts';

export { Rng };

const CASES_DIR = new URL('../ops/cases/', import.meta.url);

/**
 * Every op case of the tables under test/ops/cases: each file's exported `...Cases` arrays, in
 * file order, so a new table (or a new op family) is picked up without editing this list.
 */
export const ALL_CASES: readonly OpCase[] = (
  await Promise.all(
    readdirSync(CASES_DIR).filter((f) => f.endsWith('.ts')).sort().map(async (f) => {
      const mod = (await import(new URL(f, CASES_DIR).href)) as Record<string, unknown>;
      return Object.entries(mod).filter(([k, v]) => k.endsWith('Cases') && Array.isArray(v)).flatMap(([, v]) => v as OpCase[]);
    }),
  )
).flat();

/** The cases with expected values (not shape-rule errors). */
export const VALUE_CASES: readonly ValueCase[] = ALL_CASES.filter((c): c is OpCase & ValueCase => 'expect' in c);

/** A graph of one node of `op`: inputs x0.. of `inputs`' types, outputs y0... */
export function oneNodeGraph(name: string, op: OpKind, attrs: OpAttrs[OpKind], inputs: readonly TensorType[]): Graph {
  const b = new IRBuilder(name);
  const ids = inputs.map((t, i) => b.input(`x${i}`, t).id);
  b.node(op, attrs, ids).forEach((v, i) => b.output(`y${i}`, v.id));
  return b.finish();
}

/** The size of a recurrent layer: steps, batch, input features, hidden units, direction. */
export interface RecurrentShape {
  readonly T: number;
  readonly B: number;
  readonly I: number;
  readonly H: number;
  readonly direction: 'forward' | 'reverse' | 'bidirectional';
}

/** A one-node graph of recurrent op `op` (tanh for rnn) of size `s`, or of its gradient op. */
export function recurrentGraph(op: 'rnn' | 'lstm' | 'gru', s: RecurrentShape, grad: boolean): Graph {
  const f = (shape: number[]) => tensorType('f32', shape);
  const { T, B, I, H, direction } = s;
  const [D, G] = [direction === 'bidirectional' ? 2 : 1, { rnn: 1, lstm: 4, gru: 3 }[op]];
  const state = [f([D, B, H]), ...(op === 'lstm' ? [f([D, B, H])] : [])];
  const forward = [f([T, B, I]), f([D, G * H, I]), f([D, G * H, H]), f([D, G * H]), f([D, G * H]), ...state];
  const attrs = { hidden: H, direction, ...(op === 'rnn' ? { activation: 'tanh' } : {}) } as OpAttrs['rnn'];
  if (!grad) return oneNodeGraph(op, op, op === 'gru' ? { ...attrs, linearBeforeReset: true } : attrs, forward);
  // rnnGrad also reads the forward output y; every gradient op reads dy, dh_n (and dc_n).
  const seeds = [f([T, B, D * H]), ...state];
  return oneNodeGraph(`${op}Grad`, `${op}Grad`, attrs, op === 'rnn' ? [...forward.slice(0, 6), f([T, B, D * H]), ...seeds] : [...forward, ...seeds]);
}

/** Inputs named x0.. from a list of tensors. */
export function namedInputs(ts: readonly Tensor[]): Record<string, Tensor> {
  return Object.fromEntries(ts.map((t, i) => [`x${i}`, t]));
}

/** Asserts that `got` has exactly the outputs of `want`, each allclose. */
export function expectAllClose(got: Record<string, Tensor>, want: Record<string, Tensor>, rtol = 1e-5, atol = 1e-6, what = ''): void {
  expect(Object.keys(got).sort(), `${what} output names`).toEqual(Object.keys(want).sort());
  for (const [name, w] of Object.entries(want)) {
    const cmp = compareTensors(got[name]!, w, rtol, atol);
    expect(cmp.reason ?? 'ok', `${what} output ${JSON.stringify(name)}`).toBe('ok');
  }
}

/** A random tensor: f32 uniform in [-range, range), integers in [lo, hi], bool fair coins. */
export function randomTensor(rng: Rng, type: TensorType, opts: { range?: number; lo?: number; hi?: number } = {}): Tensor {
  const n = numel(type.shape);
  const int = (lo: number, hi: number): number => lo + Math.floor(rng.next() * (hi - lo + 1));
  const lo = opts.lo ?? -9;
  const hi = opts.hi ?? 9;
  switch (type.dtype) {
    case 'f32': return tensor('f32', type.shape, Float32Array.from({ length: n }, () => (2 * rng.next() - 1) * (opts.range ?? 2)));
    case 'i32': return tensor('i32', type.shape, Int32Array.from({ length: n }, () => int(lo, hi)));
    case 'i64': return tensor('i64', type.shape, BigInt64Array.from({ length: n }, () => BigInt(int(lo, hi))));
    case 'bool': return tensor('bool', type.shape, Uint8Array.from({ length: n }, () => (rng.next() < 0.5 ? 1 : 0)));
  }
}

/** Exclusive upper bound for values of `input` used as gather indices (the smallest table it indexes). */
export function indexBound(g: Graph, input: ValueId): number | undefined {
  let bound: number | undefined;
  const types = new Map<ValueId, TensorType>([...g.inputs, ...g.weights].map((v) => [v.id, v.type]));
  for (const n of g.nodes) {
    for (const o of n.outputs) types.set(o.id, o.type);
    if (n.op !== 'gather' || n.inputs[1] !== input) continue;
    const data = types.get(n.inputs[0]!)!;
    const axis = n.attrs.axis < 0 ? n.attrs.axis + data.shape.length : n.attrs.axis;
    bound = Math.min(bound ?? Infinity, data.shape[axis]!);
  }
  return bound;
}

/** Seeded random inputs for every graph input; integer inputs used as gather indices stay in range. */
export function randomInputs(g: Graph, rng: Rng): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const i of g.inputs) {
    const bound = indexBound(g, i.id);
    out[i.name] = randomTensor(rng, i.type, bound === undefined ? {} : { lo: 0, hi: bound - 1 });
  }
  return out;
}

/** The backends that run in process on the CPU; suites run on each (`describe.each`). */
export const CPU_TARGETS = ['ts', 'wasm'] as const;

/** A CPU backend. */
export type CpuTarget = (typeof CPU_TARGETS)[number];

/** Compiles `g` (TS backend unless `target` says otherwise), runs it and the interpreter on `inputs`, and asserts allclose. */
export async function expectMatchesInterpreter(
  g: Graph,
  inputs: Record<string, Tensor>,
  opts: { level?: 0 | 1 | 2; rtol?: number; atol?: number; what?: string; target?: CpuTarget } = {},
): Promise<CompiledModel> {
  const model = await compile(g, { target: opts.target ?? 'ts', level: opts.level ?? 1, verify: true });
  expectAllClose(model.run(inputs), interpret(g, inputs), opts.rtol ?? 1e-5, opts.atol ?? 1e-6, opts.what ?? g.name);
  return model;
}

/** A fresh temporary directory. */
export function tempDir(prefix = 'opgraph-codegen-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

const TSC = fileURLToPath(new URL('../../node_modules/.bin/tsc', import.meta.url));

/** The strict flags a consumer's project may set: generated modules must pass them all (issue 18). */
export const CONSUMER_FLAGS = ['--strict', '--noUncheckedIndexedAccess', '--exactOptionalPropertyTypes', '--noImplicitOverride', '--noPropertyAccessFromIndexSignature', '--noImplicitReturns', '--noFallthroughCasesInSwitch'] as const;

/**
 * Type-checks generated modules (relative path -> source, e.g. `mha/model.ts`) with one tsc run
 * under CONSUMER_FLAGS, no skipLibCheck, as a user's project would compile them. Returns tsc's exit status and output.
 */
export function typecheck(files: Readonly<Record<string, string>>, extraArgs: readonly string[] = []): { status: number | null; output: string } {
  const dir = tempDir('opgraph-tsc-');
  try {
    const paths = Object.entries(files).map(([name, source]) => {
      const p = join(dir, name);
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, source);
      return p;
    });
    const args = [...CONSUMER_FLAGS, '--noEmit', '--target', 'es2022', '--module', 'esnext', '--lib', 'es2022,dom', ...extraArgs, ...paths];
    // Run from the temporary directory, so no tsconfig.json applies.
    const r = spawnSync(TSC, args, { encoding: 'utf8', cwd: dir });
    return { status: r.status, output: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What a generated module exports. */
export interface GeneratedModule {
  readonly INPUTS: Record<string, { dtype: string; shape: readonly number[] }>;
  readonly OUTPUTS: Record<string, { dtype: string; shape: readonly number[] }>;
  readonly WEIGHTS: Record<string, { dtype: string; shape: readonly number[] }>;
  readonly PEAK_INTERMEDIATE_BYTES: number;
  create(weights: Record<string, unknown>): { run(inputs: Record<string, unknown>): Record<string, ArrayLike<number | bigint>> };
  loadWeights(bytes: Uint8Array): Record<string, unknown>;
}

/** Writes `source` to a temporary `model.ts` and imports it as a real ES module file. */
export async function importModule(source: string): Promise<GeneratedModule> {
  const dir = tempDir();
  try {
    const file = join(dir, 'model.ts');
    writeFileSync(file, source);
    return (await import(/* @vite-ignore */ pathToFileURL(file).href)) as GeneratedModule;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
