// --shape, --dim and --const on the verbs that read a model; run takes free sizes from --inputs.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tensor, toNumbers } from '../../src/ir/tensor.ts';
import { readSafetensors, writeSafetensors } from '../../src/io/safetensors-file.ts';
import { INT64, graph, model, node, value } from '../io/onnx/model-builder.ts';
import { cli } from './run-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'onnx-sizes-'));
const file = join(dir, 'add.onnx');
// z = x + y * Cast(n): x [batch, seq, 4], y [batch, ?, 4], n an i64 scalar.
writeFileSync(file, model(graph(
  [node('Cast', ['n'], ['nf'], [{ name: 'to', type: 2, i: 1 }]), node('Mul', ['y', 'nf'], ['yn']), node('Add', ['x', 'yn'], ['z'])],
  [value('x', ['batch', 'seq', 4]), value('y', ['batch', null, 4]), value('n', [], INT64)], [value('z', ['batch', 'seq', 4])],
)));

describe('ONNX size options', () => {
  it('run takes every free size from its --inputs tensors', async () => {
    const inputs = join(dir, 'in.safetensors');
    await writeSafetensors(inputs, { x: tensor('f32', [2, 3, 4], new Float32Array(24).fill(1)), y: tensor('f32', [2, 3, 4], new Float32Array(24).fill(2)), n: tensor('i64', [], [5]) });
    for (const backend of ['interp', 'ts']) {
      const out = join(dir, `${backend}.safetensors`);
      const r = await cli(['run', file, '--inputs', inputs, '--out', out, '--backend', backend]);
      expect(r.code, r.stderr).toBe(0);
      expect(toNumbers((await readSafetensors(out)).get('z')!)).toEqual(new Array(24).fill(11));
    }
  });

  it('compile needs every size: one error lists them; --dim, --shape and --const give them', async () => {
    const out = join(dir, 'compiled');
    const bad = await cli(['compile', file, '--target', 'ts', '--out', out]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^opgraph: OnnxError: add\.onnx: 3 input size\(s\) unknown.*give --dim batch=N; .*give --dim seq=N; graph input "y" axis 1 \(unnamed\): give --shape y=N,N,4/);
    const ok = await cli(['compile', file, '--target', 'ts', '--out', out, '--dim', 'batch=2', '--dim', 'seq=3', '--shape', 'y=2,3,4', '--const', 'n=5']);
    expect(ok.code, ok.stderr).toBe(0);
    const printed = await cli(['print', file, '--dim', 'batch=2', '--dim', 'seq=3', '--shape', 'y=2,1,4', '--const', 'n=5', '-O2']);
    expect(printed.stdout).toMatch(/input %0: f32\[2,3,4\] "x"/);
    expect(printed.stdout).toMatch(/input %1: f32\[2,1,4\] "y"/);
    expect(printed.stdout).not.toMatch(/"n"/);
  });

  it('bad values are usage errors; a module model refuses them', async () => {
    const r = await cli(['print', file, '--dim', 'batch']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--dim "batch" is not NAME=VALUE/);
    const s = await cli(['print', file, '--shape', 'x=2,a,4']);
    expect(s.stderr).toMatch(/--shape x=2,a,4: "a" is not a size/);
    const m = await cli(['print', 'mha', '--dim', 'batch=2']);
    expect(m.code).toBe(2);
    expect(m.stderr).toMatch(/--dim applies to \.onnx models only/);
  });
});

describe('print --check-support', () => {
  it('prints every missing feature and exits 1; exits 0 when nothing is missing', async () => {
    const bad = join(dir, 'bad.onnx');
    writeFileSync(bad, model(graph([node('Frob', ['x'], ['a']), node('Frob', ['a'], ['b']), node('Blip', ['b'], ['y'])], [value('x', [2])], [value('y', [2])])));
    const r = await cli(['print', '--check-support', bad]);
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n').filter((l) => l)).toEqual([
      'op Frob: 2 places, first node "a" (Frob): op Frob is not supported',
      'op Blip: 1 place, first node "y" (Blip): op Blip is not supported',
      `${bad}: 2 unsupported feature(s)`,
    ]);
    const ok = await cli(['print', '--check-support', file]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).toMatch(/input sizes are unknown, so only op types/);
    expect(ok.stdout).toMatch(/every op, attribute and element type is supported/);
  });
});

describe('If through the CLI', () => {
  it('an If on a graph input compiles with --const; run without it selects at run time', async () => {
    const vad = join(dir, 'vad.onnx');
    const branch = (op: string) => graph([node(op, ['x', 'x'], ['b'])], [], [value('b', [2])]);
    writeFileSync(vad, model(graph(
      [node('Equal', ['sr', 'rate'], ['c']), node('If', ['c'], ['y'], [{ name: 'then_branch', type: 5, g: branch('Add') }, { name: 'else_branch', type: 5, g: branch('Mul') }])],
      [value('x', [2]), value('sr', [], INT64)], [value('y', [2])], [{ name: 'rate', dims: [], dataType: INT64, int64Data: [16000] }],
    )));
    const printed = await cli(['print', vad, '--const', 'sr=16000']);
    expect(printed.code, printed.stderr).toBe(0);
    expect(printed.stdout).not.toMatch(/where|"sr"/);
    const inputs = join(dir, 'vad-in.safetensors');
    await writeSafetensors(inputs, { x: tensor('f32', [2], [3, 4]), sr: tensor('i64', [], [8000]) });
    const out = join(dir, 'vad-out.safetensors');
    const r = await cli(['run', vad, '--inputs', inputs, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(toNumbers((await readSafetensors(out)).get('y')!)).toEqual([9, 16]);
  });
});
