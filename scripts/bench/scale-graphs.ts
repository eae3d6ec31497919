// The graphs of the scaling benchmark (scale.ts), each built two ways: through the graph API and
// as an ONNX file. Every family has about `n` nodes after import, so rows of one family differ
// only in size:
//   chain     x -> relu -> neg -> relu -> ... (n unary ops)
//   wide      x feeds n/4 branches relu(x * c_i), each c_i its own constant, summed by one Sum
//   residual  h -> h + relu(h @ W_i + b_i), n/4 times (each block a gemm, a bias, a ReLU and a residual add)
import { writeFileSync } from 'node:fs';
import { GraphBuilder } from '../../src/api/builder.ts';
import type { Sym } from '../../src/api/sym.ts';
import type { Graph } from '../../src/ir/graph.ts';
import { tensor } from '../../src/ir/tensor.ts';
import { encodeModel } from '../../src/io/onnx/schema.ts';

/** The graph families. */
export const FAMILIES = ['chain', 'wide', 'residual'] as const;
export type Family = (typeof FAMILIES)[number];

/** Width of every tensor: the graphs measure the compiler, not the kernels. */
const WIDTH = 4;

/** A seeded value in [0.5, 1.5) for the wide family's constants. */
const value = (i: number): number => 0.5 + ((i * 7919) % 1000) / 1000;
/**
 * Residual weights in [-0.05, 0.05) and biases of -1: h @ W + b stays negative for the inputs
 * used, so the ReLU is 0 and h stays finite however many blocks there are.
 */
const weights = (k: number, seed: number): Float32Array => Float32Array.from({ length: k }, (_, j) => (value(seed * 31 + j) - 1) / 10);
const biases = (k: number): Float32Array => new Float32Array(k).fill(-1);

/** The family built through the graph API (GraphBuilder and Sym methods, as a user writes it). */
export function apiGraph(family: Family, n: number): Graph {
  const g = new GraphBuilder(`${family}_${n}`);
  const x = g.input('x', family === 'residual' ? [1, WIDTH] : [WIDTH]);
  let y: Sym = x;
  if (family === 'chain') for (let i = 0; i < n; i++) y = i % 2 ? y.neg() : y.relu();
  if (family === 'wide') {
    for (let i = 0; i < n / 4; i++) {
      const b = x.mul(value(i)).relu();
      y = i === 0 ? b : y.add(b);
    }
  }
  if (family === 'residual') {
    for (let i = 0; i < n / 4; i++) {
      const w = g.param(`w${i}`, { dtype: 'f32', shape: [WIDTH, WIDTH] }, (s) => tensor('f32', s, weights(WIDTH * WIDTH, i)));
      const b = g.param(`b${i}`, { dtype: 'f32', shape: [WIDTH] }, (s) => tensor('f32', s, biases(WIDTH)));
      y = y.add(y.matmul(w).add(b).relu());
    }
  }
  g.output('y', y);
  return g.build();
}

const valueInfo = (name: string, dims: readonly number[]) => ({ name, type: { tensorType: { elemType: 1, shape: { dim: dims.map((d) => ({ dimValue: d })) } } } });
const node = (opType: string, input: string[], output: string) => ({ opType, input, output: [output], name: output, attribute: [] });
const initializer = (name: string, dims: number[], data: Float32Array) => ({ name, dataType: 1, dims, floatData: [...data] });

/** The family as a serialized ONNX model (opset 17). */
export function onnxModel(family: Family, n: number): Uint8Array {
  const nodes: object[] = [];
  const inits: object[] = [];
  let y = 'x';
  const shape = family === 'residual' ? [1, WIDTH] : [WIDTH];
  if (family === 'chain') {
    for (let i = 0; i < n; i++) nodes.push(node(i % 2 ? 'Neg' : 'Relu', [y], (y = `v${i}`)));
  }
  if (family === 'wide') {
    const branches: string[] = [];
    for (let i = 0; i < n / 4; i++) {
      inits.push(initializer(`c${i}`, [], Float32Array.of(value(i))));
      nodes.push(node('Mul', ['x', `c${i}`], `m${i}`), node('Relu', [`m${i}`], `b${i}`));
      branches.push(`b${i}`);
    }
    nodes.push(node('Sum', branches, (y = 'sum')));
  }
  if (family === 'residual') {
    for (let i = 0; i < n / 4; i++) {
      inits.push(initializer(`w${i}`, [WIDTH, WIDTH], weights(WIDTH * WIDTH, i)), initializer(`b${i}`, [WIDTH], biases(WIDTH)));
      nodes.push(node('MatMul', [y, `w${i}`], `p${i}`), node('Add', [`p${i}`, `b${i}`], `q${i}`), node('Relu', [`q${i}`], `r${i}`), node('Add', [y, `r${i}`], `h${i}`));
      y = `h${i}`;
    }
  }
  const graph = { name: `${family}_${n}`, node: nodes, input: [valueInfo('x', shape)], output: [valueInfo(y, shape)], initializer: inits };
  return encodeModel({ irVersion: 8, opsetImport: [{ domain: '', version: 17 }], graph });
}

/** Writes the family's ONNX file to `path`. */
export function writeOnnx(family: Family, n: number, path: string): void {
  writeFileSync(path, onnxModel(family, n));
}
