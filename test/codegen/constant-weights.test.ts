// Large constants are weights to the backends (src/codegen/constants.ts): an ONNX model whose
// weights are Constant nodes (spox, paddle2onnx) compiles to a small module plus a weights file,
// runs, and matches the interpreter; folded constants get the same treatment; small ones stay literals.
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { graph } from '../../src/api/builder.ts';
import * as F from '../../src/api/functional.ts';
import { CONSTANT_WEIGHT_BYTES, constantsAsWeights } from '../../src/codegen/constants.ts';
import { compile } from '../../src/compile.ts';
import { type Tensor, tensor } from '../../src/ir/tensor.ts';
import { importOnnx } from '../../src/io/onnx/import.ts';
import { encodeModel } from '../../src/io/onnx/schema.ts';
import { interpret } from '../../src/runtime/interpreter.ts';
import { cli, lines } from '../cli/run-cli.ts';
import { Rng, expectAllClose, importModule, randomTensor } from './helpers.ts';

const FLOAT = 1;
const TENSOR_ATTR = 4;
const SIZES = [64, 128, 128, 10];

/** y = relu(relu(x W1 + b1) W2 + b2) W3, every weight and bias a Constant node (about 100 KB). */
function constantMlp(): Uint8Array {
  const rng = new Rng(7);
  const value = (name: string, dims: number[]) => ({ name, type: { tensorType: { elemType: FLOAT, shape: { dim: dims.map((d) => ({ dimValue: d })) } } } });
  const constant = (name: string, dims: number[]) => {
    const t = randomTensor(rng, { dtype: 'f32', shape: dims }, { range: 0.3 });
    return { opType: 'Constant', name: `${name}_node`, input: [], output: [name], attribute: [{ name: 'value', type: TENSOR_ATTR, t: { dims, dataType: FLOAT, floatData: Array.from(t.data as Float32Array) } }] };
  };
  const nodes: object[] = [];
  let h = 'x';
  for (let l = 0; l < 3; l++) {
    nodes.push(constant(`W${l}`, [SIZES[l]!, SIZES[l + 1]!]), { opType: 'MatMul', name: `mm${l}`, input: [h, `W${l}`], output: [`mm${l}`] });
    h = `mm${l}`;
    if (l === 2) break;
    nodes.push(constant(`b${l}`, [SIZES[l + 1]!]), { opType: 'Add', name: `add${l}`, input: [h, `b${l}`], output: [`add${l}`] });
    nodes.push({ opType: 'Relu', name: `relu${l}`, input: [`add${l}`], output: [`relu${l}`] });
    h = `relu${l}`;
  }
  nodes.push({ opType: 'Identity', name: 'out', input: [h], output: ['y'] });
  return encodeModel({ irVersion: 8, opsetImport: [{ domain: '', version: 17 }], graph: { name: 'mlp', node: nodes, input: [value('x', [2, 64])], output: [value('y', [2, 10])], initializer: [] } });
}

const x = (): Tensor => randomTensor(new Rng(3), { dtype: 'f32', shape: [2, 64] });
const WEIGHT_NAMES = ['constant:W0', 'constant:W1', 'constant:W2'];
const WEIGHT_BYTES = 4 * (64 * 128 + 128 * 128 + 128 * 10);

describe('large constants become weights before code generation', () => {
  it('a constant above the threshold is a weight named after its label; smaller ones stay constants', () => {
    const g = graph('c', (gb) => {
      const big = gb.scoped('proj', () => gb.constant(tensor('f32', [32, 33])));
      return gb.input('x', [1, 32]).matmul(big).add(gb.constant(tensor('f32', [33])));
    });
    const out = constantsAsWeights(g);
    expect(out.weights.map((w) => w.name)).toEqual(['constant:proj']);
    const proj = g.nodes.find((n) => n.label === 'proj')!;
    expect(out.weights[0]!.id).toBe(proj.outputs[0]!.id);
    expect(out.weights[0]!.data).toBe(proj.op === 'constant' ? proj.attrs.value : undefined);
    expect(out.nodes.filter((n) => n.op === 'constant').map((n) => n.outputs[0]!.type.shape)).toEqual([[33]]);
    expect(constantsAsWeights(g, 1 << 20)).toBe(g);
    expect(32 * 33 * 4).toBeGreaterThan(CONSTANT_WEIGHT_BYTES);
  });

  it('an ONNX model with Constant-node weights compiles in process to a small source and matches the interpreter', async () => {
    const g = importOnnx(constantMlp());
    const m = await compile(g, { target: 'ts' });
    expect(m.source.length).toBeLessThan(40_000);
    expect(m.source).toContain('"constant:W1"');
    expectAllClose(m.run({ x: x() }), interpret(g, { x: x() }), 1e-5, 1e-6);
  });

  it('a big constant made by folding (a concatenation of two) is a weight too', async () => {
    const g = graph('folded', (gb) => {
      const a = gb.constant(randomTensor(new Rng(1), { dtype: 'f32', shape: [32, 40] }));
      const b = gb.constant(randomTensor(new Rng(2), { dtype: 'f32', shape: [32, 40] }));
      return gb.input('x', [1, 32]).matmul(gb.scoped('qkv', () => F.concat([a, b], 1)));
    });
    const m = await compile(g, { target: 'ts' });
    expect(m.graph.nodes.filter((n) => n.op === 'concat')).toEqual([]);
    expect(m.source.length).toBeLessThan(20_000);
    const xs = { x: randomTensor(new Rng(4), { dtype: 'f32', shape: [1, 32] }) };
    expectAllClose(m.run(xs), interpret(g, xs), 1e-5, 1e-6);
  });
});

describe('opgraph compile on Constant-node weights', () => {
  const dir = mkdtempSync(join(tmpdir(), 'opgraph-constants-'));
  const file = join(dir, 'mlp.onnx');
  writeFileSync(file, constantMlp());

  it('--target ts: a small model.ts, the constants in the weights file, counted in the report; the module runs', async () => {
    const out = join(dir, 'ts');
    const r = await cli(['compile', file, '--target', 'ts', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(lines(r.stdout)).toEqual([expect.stringMatching(new RegExp(`weights in model\\.weights\\.safetensors \\(${WEIGHT_BYTES} bytes, ${WEIGHT_BYTES} of them from constants\\)$`))]);
    expect(statSync(join(out, 'model.ts')).size).toBeLessThan(40_000);
    expect(statSync(join(out, 'model.weights.safetensors')).size).toBeGreaterThan(WEIGHT_BYTES);
    const mod = await importModule(readFileSync(join(out, 'model.ts'), 'utf8'));
    expect(Object.keys(mod.WEIGHTS)).toEqual(WEIGHT_NAMES);
    const model = mod.create(mod.loadWeights(new Uint8Array(readFileSync(join(out, 'model.weights.safetensors')))));
    const got = model.run({ x: x().data });
    const want = interpret(importOnnx(constantMlp()), { x: x() }).y!;
    expectAllClose({ y: tensor('f32', [2, 10], Array.from(got.y! as Float32Array)) }, { y: want }, 1e-5, 1e-6);
  });

  it('--target wgsl: the loader holds no constant words beyond the small ones, and the report counts the bytes', async () => {
    const out = join(dir, 'wgsl');
    const r = await cli(['compile', file, '--target', 'wgsl', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`(${WEIGHT_BYTES} bytes, ${WEIGHT_BYTES} of them from constants)`);
    expect(statSync(join(out, 'model.ts')).size).toBeLessThan(60_000);
    expect(existsSync(join(out, 'model.weights.safetensors'))).toBe(true);
    expect(readFileSync(join(out, 'model.ts'), 'utf8')).toContain('"constant:W0": Float32Array');
  });
});
