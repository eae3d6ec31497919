// Hand-built ONNX models for tests: value infos with static, named (dim_param) or unknown (`?`)
// dimensions, nodes, and attributes, encoded with the importer's own schema.
import { encodeModel } from '../../../src/io/onnx/schema.ts';

export const FLOAT = 1;
export const INT64 = 7;
export const BOOL = 9;

/** A dimension: a size, a dim_param name, or null for `?` (neither). */
export type Dim = number | string | null;

const dim = (d: Dim) => (typeof d === 'number' ? { dimValue: d } : typeof d === 'string' ? { dimParam: d } : {});

/** A tensor value info. */
export const value = (name: string, dims: readonly Dim[], elemType = FLOAT) => ({
  name,
  type: { tensorType: { elemType, shape: { dim: dims.map(dim) } } },
});

/** A node. */
export const node = (opType: string, input: string[], output: string[], attribute: object[] = [], name = output[0]!) => ({ opType, input, output, name, attribute });

/** Attributes by type. */
export const attr = {
  int: (name: string, i: number) => ({ name, type: 2, i }),
  graph: (name: string, g: object) => ({ name, type: 5, g }),
  tensor: (name: string, t: object) => ({ name, type: 4, t }),
};

/** A graph (for a model, or an If branch). */
export const graph = (nodes: object[], inputs: object[], outputs: object[], initializer: object[] = []) => ({ name: 'g', node: nodes, input: inputs, output: outputs, initializer });

/** A serialized model at `opset`. */
export function model(g: object, opset = 17): Uint8Array {
  return encodeModel({ irVersion: 8, opsetImport: [{ domain: '', version: opset }], graph: g });
}
