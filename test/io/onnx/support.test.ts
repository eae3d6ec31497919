// One report of everything missing: the import collects every unsupported op, attribute value and
// element type (count and first place) into one error; onnxSupport returns the same list.
import { describe, expect, it } from 'vitest';
import { UnsupportedOpError } from '../../../src/errors.ts';
import { importOnnx } from '../../../src/io/onnx/import.ts';
import { onnxSupport } from '../../../src/io/onnx/check.ts';
import { UnsupportedModelError } from '../../../src/io/onnx/support.ts';
import { graph, model, node, value } from './model-builder.ts';

const COMPLEX64 = 14;
// Frob twice (the second reads Relu of the first: checked, not lowered), Bernoulli, LSTM with clip, a float16 input.
const bytes = model(graph([
  node('Frob', ['x'], ['a']), node('Relu', ['a'], ['b']), node('Frob', ['b'], ['c']), node('Bernoulli', ['c'], ['d']),
  node('LSTM', ['x', 'w', 'r'], ['e'], [{ name: 'clip', type: 1, f: 1 }, { name: 'hidden_size', type: 2, i: 1 }]), node('Add', ['x', 'h'], ['f']),
], [value('x', [1, 2, 3]), value('w', [1, 4, 3]), value('r', [1, 4, 1]), value('h', [1, 2, 3], COMPLEX64)], [value('d', [2]), value('e', [2]), value('f', [2])]));

describe('one report of everything missing', () => {
  it('the import fails once, listing every feature with its count and first place', () => {
    let e: unknown;
    try {
      importOnnx(bytes, { name: 'm.onnx' });
    } catch (err) {
      e = err;
    }
    expect(e).toBeInstanceOf(UnsupportedModelError);
    expect(e).toBeInstanceOf(UnsupportedOpError);
    const missing = (e as UnsupportedModelError).missing;
    expect(missing.map((m) => [m.key, m.count])).toEqual([['element type COMPLEX64', 1], ['op Frob', 2], ['LSTM clip', 1], ['op Bernoulli', 1]]);
    expect(missing[1]!.first).toBe('node "a" (Frob): op Frob is not supported');
    expect((e as Error).message).toMatch(/^m\.onnx: 4 unsupported feature\(s\): element type COMPLEX64 \(1x, first: m\.onnx: graph input "h": element type COMPLEX64 is not supported.*; op Frob \(2x, first: node "a" \(Frob\)/);
  });

  it('onnxSupport lists the same; with sizes unknown it scans op types and element types', async () => {
    expect((await onnxSupport(bytes)).missing.map((m) => m.key)).toEqual(['element type COMPLEX64', 'op Frob', 'LSTM clip', 'op Bernoulli']);
    const free = model(graph([node('Frob', ['x'], ['y']), node('Relu', ['y'], ['z'])], [value('x', ['batch'])], [value('z', ['batch'])]));
    const r = await onnxSupport(free, { name: 'f.onnx' });
    expect(r.missing.map((m) => [m.key, m.count])).toEqual([['op Frob', 1]]);
    expect(r.note).toMatch(/^f\.onnx: input sizes are unknown, so only op types and declared element types were checked/);
    expect((await onnxSupport(model(graph([node('Relu', ['x'], ['y'])], [value('x', [2])], [value('y', [2])])))).missing).toEqual([]);
  });
});
