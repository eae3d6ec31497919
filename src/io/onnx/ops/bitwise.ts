// Bitwise ONNX ops: BitwiseAnd/Or/Xor/Not and BitShift onto the IR's bit ops (narrow unsigned
// types wrap where they are cast or output, src/io/onnx/narrow.ts), and Xor on booleans as a != b.
import type { NodeContext, Val } from '../context.ts';
import type { Lowering, Lowerings } from './lowering.ts';

const binary = (kind: 'bitAnd' | 'bitOr' | 'bitXor'): Lowering => (c) => [c.op1(kind, {}, [c.input(0), c.input(1)])];

/** BitShift: direction LEFT or RIGHT (ONNX defines it on unsigned types, whose values the IR holds non-negative). */
function bitShift(c: NodeContext): Val[] {
  const direction = c.string('direction', '');
  if (direction !== 'LEFT' && direction !== 'RIGHT') c.fail(`direction must be LEFT or RIGHT, got ${JSON.stringify(direction)}`);
  return [c.op1(direction === 'LEFT' ? 'shiftLeft' : 'shiftRight', {}, [c.input(0), c.input(1)])];
}

/** The bitwise lowerings. */
export const bitwiseLowerings: Lowerings = {
  BitwiseAnd: binary('bitAnd'),
  BitwiseOr: binary('bitOr'),
  BitwiseXor: binary('bitXor'),
  BitwiseNot: (c) => [c.op1('bitNot', {}, [c.input(0)])],
  BitShift: bitShift,
  Xor: (c) => [c.op1('not', {}, [c.op1('equal', {}, [c.input(0), c.input(1)])])],
};
