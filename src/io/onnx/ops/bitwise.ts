// Bitwise ONNX ops: BitwiseAnd/Or/Xor/Not and BitShift onto the IR's bit ops (narrow unsigned
// types wrap where they are cast or output, src/io/onnx/narrow.ts), Xor on booleans as a != b, and
// BitCast between the types whose bits the IR keeps.
import type { NodeContext, Val } from '../context.ts';
import { narrowSteps } from '../narrow.ts';
import { ELEM } from '../schema.ts';
import { dtypeOf, elemName } from '../tensor.ts';
import type { Lowering, Lowerings } from './lowering.ts';

const binary = (kind: 'bitAnd' | 'bitOr' | 'bitXor'): Lowering => (c) => [c.op1(kind, {}, [c.input(0), c.input(1)])];

/** BitShift: direction LEFT or RIGHT (ONNX defines it on unsigned types, whose values the IR holds non-negative). */
function bitShift(c: NodeContext): Val[] {
  const direction = c.string('direction', '');
  if (direction !== 'LEFT' && direction !== 'RIGHT') c.fail(`direction must be LEFT or RIGHT, got ${JSON.stringify(direction)}`);
  return [c.op1(direction === 'LEFT' ? 'shiftLeft' : 'shiftRight', {}, [c.input(0), c.input(1)])];
}

/** Bits per element of the types whose bits the IR keeps (FLOAT as f32, the integers by value). */
const WIDTH: Readonly<Record<number, number>> = {
  [ELEM.FLOAT]: 32, [ELEM.INT32]: 32, [ELEM.INT16]: 16, [ELEM.UINT16]: 16,
  [ELEM.INT8]: 8, [ELEM.UINT8]: 8, [ELEM.BOOL]: 8, [ELEM.INT64]: 64, [ELEM.UINT64]: 64,
};

/**
 * BitCast (opset 26): the input's bits read as type `to` of the same width. FLOAT <-> a 32-bit
 * integer is the IR's bitcast; between integers the value wraps into the target type (two's
 * complement keeps the bits). The input's element type must be known (a graph input or
 * initializer): the IR holds several ONNX types in one dtype. Types held wider than their bits
 * (DOUBLE, FLOAT16, BFLOAT16, float8, and UINT32 in i64, whose upper values the WGSL backend's
 * 32-bit integers cannot hold) are refused.
 */
function bitCast(c: NodeContext): Val[] {
  const x = c.input(0);
  const to = c.int('to', 0);
  const from = x.elem ?? c.unsupported('of a computed value', 'BitCast needs its input\'s element type, which opgraph knows for graph inputs and initializers only');
  const [wf, wt] = [WIDTH[from], WIDTH[to]];
  if (wf === undefined || wt === undefined) c.unsupported(`${elemName(from)} to ${elemName(to)}`, `BitCast from ${elemName(from)} to ${elemName(to)}: opgraph does not keep the bits of ${wf === undefined ? elemName(from) : elemName(to)}`);
  if (wf !== wt) c.fail(`BitCast needs types of one width, got ${elemName(from)} (${wf} bits) and ${elemName(to)} (${wt} bits)`);
  if (to === ELEM.BOOL) c.unsupported('to BOOL', 'BitCast to BOOL is not supported');
  const dt = dtypeOf(to, `${c.where} attribute to`);
  let y = x;
  if (from === ELEM.FLOAT) y = c.op1('bitcast', { to: 'i32' }, [x]);
  else if (to === ELEM.FLOAT) y = c.op1('bitcast', { to: 'f32' }, [x.type.dtype === 'i32' ? x : c.op1('cast', { to: 'i32' }, [x])]);
  if (y.type.dtype !== dt) y = c.op1('cast', { to: dt }, [y]);
  return [narrowSteps(to, dt).reduce((v, s) => c.op1(s.op, s.attrs as never, s.operand ? [v, c.em.constant(s.operand)] : [v]), y)];
}

/** The bitwise lowerings. */
export const bitwiseLowerings: Lowerings = {
  BitwiseAnd: binary('bitAnd'),
  BitwiseOr: binary('bitOr'),
  BitwiseXor: binary('bitXor'),
  BitwiseNot: (c) => [c.op1('bitNot', {}, [c.input(0)])],
  BitShift: bitShift,
  BitCast: bitCast,
  Xor: (c) => [c.op1('not', {}, [c.op1('equal', {}, [c.input(0), c.input(1)])])],
};
