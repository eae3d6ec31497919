// Elementwise ONNX ops: one IR op each (numpy broadcasting is the IR's), plus Cast and Pow's
// mixed operand types.
import type { OpKind } from '../../../ops/attrs.ts';
import type { NodeContext, Val } from '../context.ts';
import { dtypeOf } from '../tensor.ts';
import type { Lowering, Lowerings } from './lowering.ts';

type Unary = 'neg' | 'abs' | 'exp' | 'log' | 'sqrt' | 'reciprocal' | 'tanh' | 'sigmoid' | 'relu' | 'erf' | 'not';
type Binary = 'add' | 'sub' | 'mul' | 'div' | 'equal' | 'less' | 'greater' | 'and' | 'or';

const unary = (kind: Unary): Lowering => (c) => [c.op1(kind, {}, [c.input(0)])];

/** Binary ops need equal operand dtypes in ONNX, as in the IR. */
const binary = (kind: Binary): Lowering => (c) => [c.op1(kind, {}, [c.input(0), c.input(1)])];

/** Max/Min/Sum: variadic, folded left. */
const variadic = (kind: Extract<OpKind, 'max' | 'min' | 'add'>): Lowering => (c) => {
  let acc: Val = c.input(0);
  for (let i = 1; i < c.inputCount; i++) acc = c.op1(kind, {}, [acc, c.input(i)]);
  return [acc];
};

/** Pow: the exponent may have another numeric type; it is converted to the base's. */
function pow(c: NodeContext): Val[] {
  const [x, y] = [c.input(0), c.input(1)];
  const e = y.type.dtype === x.type.dtype ? y : c.op1('cast', { to: x.type.dtype }, [y]);
  return [c.op1('pow', {}, [x, e])];
}

function cast(c: NodeContext): Val[] {
  const to = dtypeOf(c.int('to', 0), `${c.where} attribute to`);
  const x = c.input(0);
  return [x.type.dtype === to ? x : c.op1('cast', { to }, [x])];
}

function gelu(c: NodeContext): Val[] {
  const approximate = c.string('approximate', 'none');
  if (approximate !== 'none' && approximate !== 'tanh') c.fail(`approximate must be none or tanh, got ${JSON.stringify(approximate)}`);
  return [c.op1('gelu', { approximate }, [c.input(0)])];
}

/** The elementwise lowerings. */
export const elementwiseLowerings: Lowerings = {
  Neg: unary('neg'), Abs: unary('abs'), Exp: unary('exp'), Log: unary('log'), Sqrt: unary('sqrt'),
  Reciprocal: unary('reciprocal'), Tanh: unary('tanh'), Sigmoid: unary('sigmoid'), Relu: unary('relu'),
  Erf: unary('erf'), Not: unary('not'),
  Add: binary('add'), Sub: binary('sub'), Mul: binary('mul'), Div: binary('div'),
  Equal: binary('equal'), Less: binary('less'), Greater: binary('greater'), And: binary('and'), Or: binary('or'),
  Max: variadic('max'), Min: variadic('min'), Sum: variadic('add'),
  Pow: pow,
  Cast: cast,
  Gelu: gelu,
  Where: (c) => [c.op1('where', {}, [c.input(0), c.input(1), c.input(2)])],
  Identity: (c) => [c.input(0)],
};
