// Bad ONNX input: every case ends in one typed error naming what and where, never a crash or hang.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BindingError, LimitError, OnnxError, UnsupportedOpError } from '../../../src/errors.ts';
import { tensor, toNumbers } from '../../../src/ir/tensor.ts';
import { importOnnx, loadOnnx } from '../../../src/io/onnx/import.ts';
import { encodeModel } from '../../../src/io/onnx/schema.ts';
import { interpret } from '../../../src/runtime/interpreter.ts';

const FLOAT = 1;
const value = (name: string, dims: number[], elemType = FLOAT) => ({
  name,
  type: { tensorType: { elemType, shape: { dim: dims.map((d) => ({ dimValue: d })) } } },
});
const node = (opType: string, input: string[], output: string[], name = output[0]!, attribute: object[] = []) => ({ opType, input, output, name, attribute });

/** A model: graph inputs x (f32[2,3]) unless given, the nodes, outputs, initializers. */
function model(nodes: object[], outputs: string[], extra: { opset?: number; inputs?: object[]; initializer?: object[] } = {}): Uint8Array {
  return encodeModel({
    irVersion: 8,
    opsetImport: [{ domain: '', version: extra.opset ?? 17 }],
    graph: {
      name: 'g',
      node: nodes,
      input: extra.inputs ?? [value('x', [2, 3])],
      output: outputs.map((o) => value(o, [2, 3])),
      initializer: extra.initializer ?? [],
    },
  });
}

const relu = model([node('Relu', ['x'], ['y'])], ['y']);

describe('importOnnx on well-formed input', () => {
  it('imports and runs a one-node model', () => {
    const g = importOnnx(relu);
    const out = interpret(g, { x: tensor('f32', [2, 3], [-1, 2, -3, 4, -5, 6]) });
    expect(Array.from(out.y!.data as Float32Array)).toEqual([0, 2, 0, 4, 0, 6]);
  });

  it('reads external data relative to the model and refuses paths outside its folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'onnx-ext-'));
    writeFileSync(join(dir, 'w.bin'), Buffer.from(new Float32Array([0, 0, 1, 2, 3, 4, 5, 6]).buffer));
    const init = (location: string) => ({ name: 'w', dims: [2, 3], dataType: FLOAT, dataLocation: 1, externalData: [{ key: 'location', value: location }, { key: 'offset', value: '8' }, { key: 'length', value: '24' }] });
    const make = (location: string) => model([node('Add', ['x', 'w'], ['y'])], ['y'], { initializer: [init(location)] });
    writeFileSync(join(dir, 'ok.onnx'), make('w.bin'));
    const g = await loadOnnx(join(dir, 'ok.onnx'));
    expect(Array.from(g.weights[0]!.data!.data as Float32Array)).toEqual([1, 2, 3, 4, 5, 6]);
    writeFileSync(join(dir, 'escape.onnx'), make('../w.bin'));
    await expect(loadOnnx(join(dir, 'escape.onnx'))).rejects.toThrow(/outside the model's folder/);
    writeFileSync(join(dir, 'abs.onnx'), make(join(dir, 'w.bin')));
    await expect(loadOnnx(join(dir, 'abs.onnx'))).rejects.toThrow(/outside the model's folder/);
  });

  it('external data must be a regular file: a FIFO, a device, a socket or a folder is refused without blocking', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'onnx-ext-kind-'));
    writeFileSync(join(dir, 'w.bin'), Buffer.from(new Float32Array([0, 0, 1, 2, 3, 4, 5, 6]).buffer));
    const init = (location: string) => ({ name: 'w', dims: [2, 3], dataType: FLOAT, dataLocation: 1, externalData: [{ key: 'location', value: location }, { key: 'offset', value: '8' }, { key: 'length', value: '24' }] });
    const load = (location: string) => {
      writeFileSync(join(dir, 'm.onnx'), model([node('Add', ['x', 'w'], ['y'])], ['y'], { initializer: [init(location)] }));
      return loadOnnx(join(dir, 'm.onnx'));
    };
    // A FIFO inside the folder: nobody writes to it, so a blocking open or read would hang here.
    execFileSync('mkfifo', [join(dir, 'fifo.bin')]);
    await expect(load('fifo.bin')).rejects.toThrow(/external data "fifo.bin" is a FIFO, not a regular file/);
    mkdirSync(join(dir, 'sub'));
    await expect(load('sub')).rejects.toThrow(/"sub" is a directory, not a regular file/);
    // A symlink inside the folder to a device outside it is refused as outside; one to a file inside is read.
    symlinkSync('/dev/zero', join(dir, 'zero.bin'));
    await expect(load('zero.bin')).rejects.toThrow(/links outside the model's folder/);
    symlinkSync(join(dir, 'fifo.bin'), join(dir, 'to-fifo.bin'));
    await expect(load('to-fifo.bin')).rejects.toThrow(/is a FIFO, not a regular file/);
    symlinkSync(join(dir, 'w.bin'), join(dir, 'alias.bin'));
    const g = await load('alias.bin');
    expect(Array.from(g.weights[0]!.data!.data as Float32Array)).toEqual([1, 2, 3, 4, 5, 6]);
    const server = createServer().listen(join(dir, 'sock.bin'));
    await new Promise((r) => server.once('listening', r));
    try {
      await expect(load('sock.bin')).rejects.toThrow(/is a socket, not a regular file/);
    } finally {
      server.close();
    }
  });
});

describe('importOnnx on bad input', () => {
  const expectError = (bytes: Uint8Array, type: typeof OnnxError | typeof UnsupportedOpError | typeof LimitError, message: RegExp, opts = {}) => {
    let caught: unknown;
    try {
      importOnnx(bytes, opts);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(type);
    expect((caught as Error).message).toMatch(message);
  };

  it('a truncated file', () => {
    const real = readFileSync(resolve(import.meta.dirname, '../../../../shared/onnx-node/test_gemm_all_attributes/model.onnx'));
    for (const cut of [1, 10, real.length - 3]) expectError(real.subarray(0, cut), OnnxError, /not a valid ONNX model/);
  });

  it('an unknown op, naming the node', () => {
    expectError(model([node('FancyOp', ['x'], ['y'], 'n1')], ['y']), UnsupportedOpError, /node "n1" \(FancyOp\): op FancyOp is not supported/);
  });

  it('an op type with a line break is quoted and escaped, so the error stays one line (found by the fuzzer)', () => {
    expectError(model([node('Att\nention', ['x'], ['y'], 'n1')], ['y']), UnsupportedOpError, /^[^\n]*node "n1" \("Att\\nention"\): op "Att\\nention" is not supported$/);
  });

  it('an unsupported opset', () => {
    expectError(model([node('Relu', ['x'], ['y'])], ['y'], { opset: 99 }), UnsupportedOpError, /opset 99 is not supported/);
  });

  it('below opset 7, only ops unchanged since opset 1 are read; any other is refused naming the op and the opset', () => {
    expectError(model([node('Relu', ['x'], ['y'], 'r')], ['y'], { opset: 6 }), UnsupportedOpError, /node "r" \(Relu\): op Relu at opset 6 is not supported \(opsets 7 to 28; below 7 only Not, Identity/);
    expect(importOnnx(model([node('Identity', ['x'], ['y'])], ['y'], { opset: 1 })).nodes).toHaveLength(1);
  });

  it('a reference to a missing tensor', () => {
    expectError(model([node('Add', ['x', 'nowhere'], ['y'], 'add1')], ['y']), OnnxError, /node "add1" \(Add\): input "nowhere" is not defined/);
  });

  it('a cycle', () => {
    expectError(model([node('Relu', ['b'], ['a'], 'r1'), node('Relu', ['a'], ['b'], 'r2'), node('Add', ['x', 'a'], ['y'], 'out')], ['y']), OnnxError, /cycle/);
  });

  it('huge dimensions, without allocating them', () => {
    expectError(model([node('Relu', ['x'], ['y'])], ['y'], { inputs: [value('x', [1e6, 1e6, 1e6])] }), LimitError, /graph input "x": elements of shape \[1000000,1000000,1000000\]: 1000000000000 exceeds the limit maxTensorElements/);
    const big = { name: 'shape', dims: [3], dataType: 7, int64Data: [2000, 2000, 200] };
    expectError(model([node('ConstantOfShape', ['shape'], ['y'], 'fill')], ['y'], { inputs: [], initializer: [big] }), LimitError, /node "fill" \(ConstantOfShape\).*exceeds the limit maxTensorBytes/);
  });

  it('a tensor whose declared size exceeds its data', () => {
    const liar = { name: 'w', dims: [100000, 100000], dataType: FLOAT, rawData: new Uint8Array(8) };
    expectError(model([node('Add', ['x', 'w'], ['y'])], ['y'], { initializer: [liar] }), LimitError, /initializer "w": elements of shape \[100000,100000\]: 10000000000 exceeds the limit maxTensorElements/);
    const small = { name: 'w', dims: [1000], dataType: FLOAT, rawData: new Uint8Array(8) };
    expectError(model([node('Add', ['x', 'w'], ['y'])], ['y'], { initializer: [small] }), OnnxError, /initializer "w": declares 1000 element\(s\) \(4000 bytes\) but holds 8 bytes/);
  });

  it('a shape error inside a node, naming it', () => {
    const w = { name: 'w', dims: [4], dataType: FLOAT, floatData: [1, 2, 3, 4] };
    expectError(model([node('Add', ['x', 'w'], ['y'], 'bad_add')], ['y'], { initializer: [w] }), OnnxError, /node "bad_add" \(Add\).*do not broadcast/);
  });

  it('a dynamic value where a static one is needed', () => {
    const inputs = [value('x', [2, 3]), value('s', [2], 7)];
    expectError(model([node('Reshape', ['x', 's'], ['y'], 'rs')], ['y'], { inputs }), OnnxError, /node "rs" \(Reshape\): shape \(input 1, "s"\) must be known at import time/);
  });

  it('symbolic input dimensions without sizes, and sizes that contradict the model', () => {
    const inputs = [{ name: 'x', type: { tensorType: { elemType: FLOAT, shape: { dim: [{ dimParam: 'batch' }, { dimValue: 3 }] } } } }];
    const bytes = model([node('Relu', ['x'], ['y'])], ['y'], { inputs });
    expectError(bytes, OnnxError, /free dimension "batch" \(graph input "x" axis 0\): give --dim batch=N/);
    expect(importOnnx(bytes, { inputShapes: { x: [5, 3] } }).inputs[0]!.type.shape).toEqual([5, 3]);
    expectError(bytes, OnnxError, /differs from the declared size 3 at axis 1/, { inputShapes: { x: [5, 4] } });
  });

  it('a dimension with neither dim_value nor dim_param is unknown, not size 0', () => {
    // spox writes unknown dimensions this way; the importer used to read them as 0 (f32[0,3]).
    const inputs = [{ name: 'x', type: { tensorType: { elemType: FLOAT, shape: { dim: [{}, { dimValue: 3 }] } } } }];
    const bytes = model([node('Relu', ['x'], ['y'])], ['y'], { inputs });
    expectError(bytes, OnnxError, /graph input "x" axis 0 \(unnamed\): give --shape x=N,3/);
    const g = importOnnx(bytes, { inputShapes: { x: [2, 3] } });
    expect(g.inputs[0]!.type.shape).toEqual([2, 3]);
    expect(toNumbers(interpret(g, { x: tensor('f32', [2, 3], [-1, 2, -3, 4, -5, 6]) }).y!)).toEqual([0, 2, 0, 4, 0, 6]);
    expectError(bytes, OnnxError, /differs from the declared size 3 at axis 1/, { inputShapes: { x: [2, 4] } });
    // An explicit dim_value of 0 is a real size, not an unknown one.
    const empty = [{ name: 'x', type: { tensorType: { elemType: FLOAT, shape: { dim: [{ dimValue: 0 }, { dimValue: 3 }] } } } }];
    expect(importOnnx(model([node('Relu', ['x'], ['y'])], ['y'], { inputs: empty })).inputs[0]!.type.shape).toEqual([0, 3]);
  });

  it('configurable limits', () => {
    expectError(relu, LimitError, /node count: 1 exceeds the limit maxNodes = 0/, { limits: { maxNodes: 0 } });
    expectError(relu, LimitError, /rank( \(counted before decoding\))?: 2 exceeds the limit maxRank = 1/, { limits: { maxRank: 1 } });
    expectError(relu, LimitError, /6 exceeds the limit maxTensorElements = 5/, { limits: { maxTensorElements: 5 } });
    expectError(relu, LimitError, /24 exceeds the limit maxTensorBytes = 8/, { limits: { maxTensorBytes: 8 } });
    expectError(relu, LimitError, /limit maxTensorBytes must be a non-negative integer/, { limits: { maxTensorBytes: -1 } });
  });

  it('inputs of the wrong shape or dtype at run time', () => {
    const g = importOnnx(relu);
    expect(() => interpret(g, { x: tensor('f32', [3, 2]) })).toThrow(BindingError);
    expect(() => interpret(g, { x: tensor('i32', [2, 3]) })).toThrow(BindingError);
  });
});

describe('int64 tensors in int64_data', () => {
  it('keep INT64_MAX as Slice ends "to the end" (saturated, not wrapped)', () => {
    const ints = (name: string, xs: (number | string)[]) => ({ name, dims: [xs.length], dataType: 7, int64Data: xs });
    const initializer = [ints('starts', [1]), ints('ends', ['9223372036854775807']), ints('axes', [1])];
    const g = importOnnx(model([node('Slice', ['x', 'starts', 'ends', 'axes'], ['y'])], ['y'], { initializer }));
    const out = interpret(g, { x: tensor('f32', [2, 3], [1, 2, 3, 4, 5, 6]) });
    expect(out.y!.shape).toEqual([2, 2]);
    expect(Array.from(out.y!.data as Float32Array)).toEqual([2, 3, 5, 6]);
  });
});
