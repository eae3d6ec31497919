// Scatter indices outside [-dim, dim) are an IndexError naming the node, the op, the axis and its
// size on every backend: the interpreter, generated TS and wasm in process, the standalone TS
// module (its own IndexError, a RangeError), and WGSL (the bounds flag, whose word 0 names the axis
// of scatterND's tuple). A valid run on the same WGSL model afterwards is right.
import { describe, expect, it } from 'vitest';
import { compile, compileWgsl } from '../../src/compile.ts';
import { generateTs } from '../../src/codegen/ts/index.ts';
import { IndexError } from '../../src/errors.ts';
import { IRBuilder } from '../../src/ir/builder.ts';
import type { Graph } from '../../src/ir/graph.ts';
import { type Tensor, tensor, toNumbers } from '../../src/ir/tensor.ts';
import { tensorType } from '../../src/ir/types.ts';
import { interpret } from '../../src/runtime/interpreter.ts';
import { adapterOrReason, skipNote } from '../wgsl/adapter.ts';
import { importModule } from './helpers.ts';

/** data [3,4] (an input) scattered into by `idx` and `upd`: scatterND with tuples of 2, or scatterElements on axis 1. */
function scatterGraph(op: 'scatterND' | 'scatterElements', idxShape: number[], updShape: number[]): Graph {
  const b = new IRBuilder('scatter');
  const data = b.input('data', tensorType('f32', [3, 4]));
  const idx = b.input('idx', tensorType('i64', idxShape));
  const upd = b.input('upd', tensorType('f32', updShape));
  const [y] = op === 'scatterND'
    ? b.node('scatterND', { reduction: 'add' }, [data.id, idx.id, upd.id], 'cache.put')
    : b.node('scatterElements', { axis: 1, reduction: 'none' }, [data.id, idx.id, upd.id], 'cache.put');
  b.output('y', y!.id);
  return b.finish();
}

const DATA = tensor('f32', [3, 4], Array.from({ length: 12 }, (_, i) => i));
const ND = scatterGraph('scatterND', [2, 2], [2]);
const ELEMENTS = scatterGraph('scatterElements', [2, 2], [2, 2]);

/** [graph, indices, the message's op, axis and size, the index] for each bad case. */
const BAD: readonly (readonly [string, Graph, Tensor, string])[] = [
  ['scatterND row index 3', ND, tensor('i64', [2, 2], [0, 0, 3, 1]), 'scatterND index 3 is out of range for axis 0 of size 3'],
  ['scatterND column index -5', ND, tensor('i64', [2, 2], [0, -5, 1, 1]), 'scatterND index -5 is out of range for axis 1 of size 4'],
  ['scatterElements index 4 on axis 1', ELEMENTS, tensor('i64', [2, 2], [0, 1, 4, 0]), 'scatterElements index 4 is out of range for axis 1 of size 4'],
];
const message = (what: string) => new RegExp(`^node %\\d+ \\((scatterND|scatterElements)\\) \\["cache.put"\\]: ${what.replace(/[()]/g, '\\$&')}`);
const inputs = (g: Graph, idx: Tensor) => ({ data: DATA, idx, upd: tensor('f32', g === ND ? [2] : [2, 2], g === ND ? [10, 20] : [10, 20, 30, 40]) });

type Runner = (g: Graph, idx: Tensor) => Promise<unknown>;
const CPU: readonly (readonly [string, Runner])[] = [
  ['interp', async (g, idx) => interpret(g, inputs(g, idx))],
  ['ts', async (g, idx) => (await compile(g, { target: 'ts' })).run(inputs(g, idx))],
  ['wasm', async (g, idx) => (await compile(g, { target: 'wasm' })).run(inputs(g, idx))],
  ['standalone ts', async (g, idx) => {
    const m = (await importModule(generateTs(g).source)).create(undefined as never);
    return m.run(Object.fromEntries(Object.entries(inputs(g, idx)).map(([k, t]) => [k, t.data])));
  }],
];

describe.each(CPU)('scatter index checks: %s', (backend, run) => {
  it.each(BAD)('%s is an IndexError naming the node, the axis and its size', async (_, g, idx, what) => {
    const err = await run(g, idx).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(backend.startsWith('standalone') ? RangeError : IndexError);
    expect((err as Error).name).toBe('IndexError');
    expect((err as Error).message).toMatch(message(what));
  });
});

const { gpu, reason } = await adapterOrReason();

describe.skipIf(!gpu)(`WGSL scatter bounds flags${skipNote(reason)}`, () => {
  it.each(BAD)('%s is an IndexError naming the axis; the next valid run is right', async (_, g, idx, what) => {
    const m = await compileWgsl(g);
    try {
      const err = await m.run(inputs(g, idx)).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(IndexError);
      expect((err as Error).message).toMatch(message(what));
      const ok = await m.run(inputs(g, tensor('i64', [2, 2], [0, -1, 2, 0])));
      expect(toNumbers(ok.y!)).toEqual(toNumbers(interpret(g, inputs(g, tensor('i64', [2, 2], [0, -1, 2, 0]))).y!));
    } finally {
      m.destroy();
    }
  });
});
