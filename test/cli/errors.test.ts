// Bad input to the CLI: one line on stderr naming what and where, exit 1 (2 for usage), no stack, no partial file.
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serializeSafetensors } from '../../src/io/safetensors.ts';
import { tensor } from '../../src/ir/tensor.ts';
import { ROOT, cli, lines } from './run-cli.ts';

const FX = `${ROOT}test/fixtures/seed000_mha_qkv_h2_d6`;
let dir = '';
const p = (name: string): string => join(dir, name);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'opgraph-cli-'));
  writeFileSync(p('garbage.safetensors'), new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9]));
  const wrong = tensor('f32', [1, 4, 6]);
  writeFileSync(p('wrong-shape.safetensors'), serializeSafetensors({ query: wrong, key: wrong, value: wrong }));
  const src = JSON.stringify(`${ROOT}src/`).slice(1, -1);
  writeFileSync(
    p('unknown-op.ts'),
    `export default { name: 'g', inputs: [{ id: 0, name: 'x', type: { dtype: 'f32', shape: [2] } }], weights: [],
      nodes: [{ op: 'frobnicate', attrs: {}, inputs: [0], outputs: [{ id: 1, type: { dtype: 'f32', shape: [2] } }] }],
      outputs: [{ name: 'y', id: 1 }] };\n`,
  );
  writeFileSync(
    p('unbound-weight.ts'),
    `import { IRBuilder } from '${src}ir/builder.ts';
     const b = new IRBuilder('g');
     const x = b.input('x', { dtype: 'f32', shape: [2] });
     const w = b.weight('fc.bias', { dtype: 'f32', shape: [2] });
     b.output('y', b.node('add', {}, [x.id, w.id])[0]!.id);
     export default b.finish();\n`,
  );
  writeFileSync(p('x.safetensors'), serializeSafetensors({ x: tensor('f32', [2], [1, 2]) }));
  writeFileSync(p('not-a-graph.ts'), 'export default 42;\n');
  writeFileSync(p('throws.ts'), 'export default () => undefinedName;\n');
  writeFileSync(p('bad-shape-model.ts'), `import { graph } from '${src}index.ts';
    export default () => graph('bad', (g) => g.input('a', [2, 3]).matmul(g.input('b', [4, 5])));\n`);
});

/** Asserts a failed run: exit code, exactly one stderr line matching `msg`, no stack trace, no file left. */
async function expectFailure(args: string[], code: number, msg: RegExp): Promise<void> {
  const before = readdirSync(dir).sort();
  const r = await cli(args);
  expect(r.code, r.stderr).toBe(code);
  const errLines = lines(r.stderr);
  expect(errLines, r.stderr).toHaveLength(1);
  expect(errLines[0]).toMatch(/^opgraph: /);
  expect(errLines[0]).toMatch(msg);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(readdirSync(dir).sort()).toEqual(before);
}

const runArgs = (model: string, inputs: string, extra: string[] = []): string[] => ['run', model, '--inputs', inputs, '--out', p('out.safetensors'), ...extra];

describe('opgraph error handling', () => {
  it('missing model file', () => expectFailure(['print', p('nope.ts')], 1, /^opgraph: ModelLoadError: \/.*\/nope\.ts: no such file$/));
  it('missing model path: says the file does not exist, never examples//abs/path.onnx.ts', () =>
    expectFailure(['print', p('model.onnx')], 1, /^opgraph: ModelLoadError: \/[^ ]*\/model\.onnx: no such file$/));
  it('missing model path near an example name: did you mean it', () =>
    expectFailure(['run', p('embeding-mha.onnx'), '--inputs', p('x.safetensors'), '--out', p('o.safetensors')], 1, /: no such file \(did you mean the example "embedding-mha"\?\)$/));
  it('bare name with a typo: no such file or example, did you mean', () =>
    expectFailure(['print', 'mah'], 1, /^opgraph: ModelLoadError: model "mah" not found: no such file, and no example of that name in examples\/ \(did you mean the example "mha"\?\)$/));
  it('model whose default export is not a graph', () => expectFailure(['print', p('not-a-graph.ts')], 1, /not-a-graph\.ts: default export is not a graph/));
  it('model whose default export throws a plain error (found by the fuzzer)', () =>
    expectFailure(['print', p('throws.ts')], 1, /ModelLoadError: .*throws\.ts: its default export threw ReferenceError: undefinedName is not defined/));
  it('unknown op', () => expectFailure(['print', p('unknown-op.ts')], 1, /unknown op kind "frobnicate"/));
  it('shape error in a model names op, shapes and the user line', () =>
    expectFailure(['print', p('bad-shape-model.ts')], 1, /ShapeError: .*matmul.*f32\[2,3\], f32\[4,5\].*inner dimensions differ.*bad-shape-model\.ts:2/));
  it('missing inputs file', () => expectFailure(runArgs('mha', p('absent.safetensors')), 1, /absent\.safetensors: .*no such file/));
  it('malformed safetensors', () => expectFailure(runArgs('mha', p('garbage.safetensors')), 1, /SafetensorsError: .*garbage\.safetensors/));
  it('malformed weights file', () =>
    expectFailure(runArgs('mha', `${FX}.io.safetensors`, ['--weights', p('garbage.safetensors')]), 1, /garbage\.safetensors/));
  it('input shape mismatch', () => expectFailure(runArgs('mha', p('wrong-shape.safetensors')), 1, /input "query" is f32\[1,4,6\], the graph expects f32\[1,3,6\]/));
  it('input missing from the file', () => expectFailure(runArgs('mha', p('x.safetensors')), 1, /no tensor named "query"/));
  it('missing weight', () => expectFailure(runArgs(p('unbound-weight.ts'), p('x.safetensors')), 1, /missing weight "fc.bias": f32\[2\]/));
  it('unknown verb (usage, exit 2)', () => expectFailure(['frobnicate'], 2, /unknown verb "frobnicate"/));
  it('unknown option (usage, exit 2)', () => expectFailure(['print', 'mha', '--bogus'], 2, /print: .*--bogus/));
  it('missing --out (usage, exit 2)', () => expectFailure(['run', 'mha', '--inputs', `${FX}.io.safetensors`], 2, /--out is required/));
  it('unknown backend (usage, exit 2)', () => expectFailure(runArgs('mha', `${FX}.io.safetensors`, ['--backend', 'gpu9000']), 2, /unknown backend "gpu9000"/));
  it('unknown drawing format', () => expectFailure(['dot', 'mha', '-o', p('g.jpeg')], 2, /jpeg/));
  it('no output file remains when the run fails after reading inputs', async () => {
    await expectFailure(runArgs('mha', p('wrong-shape.safetensors')), 1, /input "query"/);
    expect(existsSync(p('out.safetensors'))).toBe(false);
  });
  it('compile with an unknown target (usage, exit 2)', () => expectFailure(['compile', 'mha', '--target', 'cuda', '--out', p('c')], 2, /unknown target "cuda"/));
  it('compile with an unknown -O level (usage, exit 2)', () => expectFailure(['compile', 'mha', '--target', 'ts', '--out', p('c'), '-O7'], 2, /-O7/));
  it('compile with a missing weight writes nothing', () =>
    expectFailure(['compile', p('unbound-weight.ts'), '--target', 'ts', '--out', p('c')], 1, /missing weight "fc.bias"/));
});
