// Cases for the fused elementwise op (programs of ordinary elementwise ops).
import { f32, tensor } from '../../../src/ir/tensor.ts';
import { tensorType } from '../../../src/ir/types.ts';
import { cases } from '../case.ts';

const t = tensorType;

export const fusedCases = cases([
  {
    name: 'relu(x + b) with a broadcast bias',
    op: 'fused',
    attrs: { program: { inputs: 2, steps: [{ op: 'add', attrs: {}, args: [0, 1] }, { op: 'relu', attrs: {}, args: [2] }] } },
    inputs: [f32([2, 2], [1, -5, 3, -1]), f32([2], [1, 2])],
    expect: [f32([2, 2], [2, 0, 4, 1])],
  },
  {
    name: 'a value used twice (x * x - x) with a scalar constant input',
    op: 'fused',
    attrs: { program: { inputs: 2, steps: [{ op: 'mul', attrs: {}, args: [0, 0] }, { op: 'sub', attrs: {}, args: [2, 0] }, { op: 'mul', attrs: {}, args: [3, 1] }] } },
    inputs: [f32([3], [1, 2, 3]), f32([], [0.5])],
    expect: [f32([3], [0, 1, 3])],
  },
  {
    name: 'comparison then where (bool intermediate)',
    op: 'fused',
    attrs: { program: { inputs: 2, steps: [{ op: 'greater', attrs: {}, args: [0, 1] }, { op: 'where', attrs: {}, args: [2, 0, 1] }] } },
    inputs: [f32([4], [1, 5, -2, 7]), f32([4], [2, 2, 2, 2])],
    expect: [f32([4], [2, 5, 2, 7])],
  },
  {
    name: 'cast to i32 truncates mid-program',
    op: 'fused',
    attrs: { program: { inputs: 1, steps: [{ op: 'cast', attrs: { to: 'i32' }, args: [0] }, { op: 'add', attrs: {}, args: [1, 1] }] } },
    inputs: [f32([3], [1.7, -2.5, 3.2])],
    expect: [tensor('i32', [3], [2, -4, 6])],
  },
  { name: 'a step reading an undefined value', op: 'fused', attrs: { program: { inputs: 1, steps: [{ op: 'exp', attrs: {}, args: [3] }] } }, inputs: [t('f32', [2])], error: /reads value 3/ },
  { name: 'a non-elementwise step', op: 'fused', attrs: { program: { inputs: 1, steps: [{ op: 'softmax', attrs: { axis: 0 }, args: [0] }] } }, inputs: [t('f32', [2])], error: /not elementwise/ },
  { name: 'wrong input count', op: 'fused', attrs: { program: { inputs: 2, steps: [{ op: 'add', attrs: {}, args: [0, 1] }] } }, inputs: [t('f32', [2])], error: /expects 2 inputs, got 1/ },
  { name: 'a step whose own rule fails', op: 'fused', attrs: { program: { inputs: 2, steps: [{ op: 'add', attrs: {}, args: [0, 1] }] } }, inputs: [t('f32', [2]), t('f32', [3])], error: /do not broadcast/ },
]);
