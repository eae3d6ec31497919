// Cases for the source op constant: its type and value are those of attrs.value.
import { type Tensor, f32, tensor } from '../../../src/ir/tensor.ts';
import { tensorType } from '../../../src/ir/types.ts';
import { cases } from '../case.ts';

const weights = f32([2, 3], [1, -2, 3.5, NaN, Infinity, 0]);
const ids = tensor('i64', [3], [-(2 ** 40), 0, 7]);
const flag = tensor('bool', [], [1]);
/** Built by hand, bypassing tensor()'s checks, as a file reader might. */
const malformed = { dtype: 'f32', shape: [2, 2], data: new Float32Array(3) } as Tensor;
const negativeDim = { dtype: 'f32', shape: [-1], data: new Float32Array(0) } as Tensor;

/** Value and error cases of constant. */
export const sourceCases = cases([
  { name: 'f32 matrix', op: 'constant', attrs: { value: weights }, inputs: [], expect: [f32([2, 3], [1, -2, 3.5, NaN, Infinity, 0])] },
  { name: 'i64 vector', op: 'constant', attrs: { value: ids }, inputs: [], expect: [tensor('i64', [3], [-(2 ** 40), 0, 7])] },
  { name: 'bool scalar', op: 'constant', attrs: { value: flag }, inputs: [], expect: [tensor('bool', [], [1])] },
  { name: 'empty', op: 'constant', attrs: { value: f32([0, 4], []) }, inputs: [], expect: [f32([0, 4], [])] },
  { name: 'an input', op: 'constant', attrs: { value: flag }, inputs: [tensorType('f32', [1])], error: /expects 0 inputs, got 1/ },
  { name: 'data length disagrees with shape', op: 'constant', attrs: { value: malformed }, inputs: [], error: /constant value f32\[2,2\] holds 3 elements/ },
  { name: 'negative dimension', op: 'constant', attrs: { value: negativeDim }, inputs: [], error: /constant value has an invalid dimension -1/ },
]);
