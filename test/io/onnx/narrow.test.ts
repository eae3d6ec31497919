// Narrow integer types held in i32 (INT8/16, UINT8/16) wrap where the model casts to them and at the
// graph outputs that declare them, as their own arithmetic would; bitwise ops and Xor on top.
import { describe, expect, it } from 'vitest';
import { tensor, toNumbers } from '../../../src/ir/tensor.ts';
import { importOnnx } from '../../../src/io/onnx/import.ts';
import { interpret } from '../../../src/runtime/interpreter.ts';
import { BOOL, attr, graph, model, node, value } from './model-builder.ts';

const [UINT8, INT8, UINT16, INT32, UINT32, UINT64] = [2, 3, 4, 6, 12, 13];
const str = (name: string, s: string) => ({ name, type: 3, s: new TextEncoder().encode(s) });

/** Runs a one-node model on i32-held inputs. */
function run(op: string, inputs: [string, number, number[]][], out: number, attrs: object[] = []): number[] {
  const g = importOnnx(model(graph([node(op, inputs.map(([n]) => n), ['y'], attrs)], inputs.map(([n, e, xs]) => value(n, [xs.length], e)), [value('y', [inputs[0]![2].length], out)]), 18));
  const dtype = (e: number) => (e === BOOL ? 'bool' : e === UINT32 || e === UINT64 ? 'i64' : 'i32');
  const feeds = Object.fromEntries(inputs.map(([n, e, xs]) => [n, tensor(dtype(e), [xs.length], xs)]));
  return toNumbers(interpret(g, feeds).y!);
}

describe('narrow integer types', () => {
  it('UINT8 outputs wrap: BitwiseNot and an overflowing Add', () => {
    expect(run('BitwiseNot', [['x', UINT8, [0, 5, 255]]], UINT8)).toEqual([255, 250, 0]);
    expect(run('Add', [['a', UINT8, [200, 1]], ['b', UINT8, [100, 2]]], UINT8)).toEqual([44, 3]);
  });

  it('Cast to INT8 sign-extends its low byte, to UINT16 masks', () => {
    expect(run('Cast', [['x', INT32, [200, -129, 127]]], INT8, [attr.int('to', INT8)])).toEqual([-56, 127, 127]);
    expect(run('Cast', [['x', INT32, [-1, 65537]]], UINT16, [attr.int('to', UINT16)])).toEqual([65535, 1]);
  });

  it('BitShift LEFT on UINT8 drops the bits shifted past 8; RIGHT is logical', () => {
    expect(run('BitShift', [['x', UINT8, [255, 16]], ['s', UINT8, [1, 2]]], UINT8, [str('direction', 'LEFT')])).toEqual([254, 64]);
    expect(run('BitShift', [['x', UINT8, [255, 16]], ['s', UINT8, [1, 2]]], UINT8, [str('direction', 'RIGHT')])).toEqual([127, 4]);
    expect(() => run('BitShift', [['x', UINT8, [1]], ['s', UINT8, [1]]], UINT8, [str('direction', 'UP')])).toThrow(/direction must be LEFT or RIGHT/);
  });

  it('UINT32 is held in i64 and wraps at outputs; UINT64 shares i64 bits, values from 2^63 refused at reading', () => {
    expect(run('Sub', [['a', UINT32, [1, 7]], ['b', UINT32, [2, 3]]], UINT32)).toEqual([2 ** 32 - 1, 4]);
    expect(run('Mul', [['a', UINT64, [3]], ['b', UINT64, [5]]], UINT64)).toEqual([15]);
    const big = { name: 'w', dims: [1], dataType: UINT64, rawData: new Uint8Array(8).fill(0xff) };
    const m = model(graph([node('Identity', ['w'], ['y'])], [], [value('y', [1], UINT64)], [big]), 18);
    expect(() => importOnnx(m)).toThrow(/UINT64 value 18446744073709551615 is not supported: opgraph holds UINT64 in i64/);
  });

  it('Xor on booleans', () => {
    expect(run('Xor', [['a', BOOL, [0, 0, 1, 1]], ['b', BOOL, [0, 1, 0, 1]]], BOOL)).toEqual([0, 1, 1, 0]);
  });
});
