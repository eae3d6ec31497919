// Integer bit operations on JS doubles, shared by the interpreter and generated TS kernels (the TS
// backend copies the functions a module names; this file imports nothing). i32 operands use JS's
// 32-bit operators. i64 operands are doubles, exact below 2^53 like all of opgraph's i64
// arithmetic: they are split into a signed high and an unsigned low 32-bit word. Shifts by an
// amount outside [0, width) give what shifting out every bit gives: 0, or -1 for a negative value
// shifted right (arithmetic shift).

const TWO32 = 4294967296;

/** The high 32-bit word of an integer double, signed (|x| < 2^53). */
function hiWord(x: number): number {
  return Math.floor(x / TWO32);
}

/** The low 32-bit word of an integer double, as an unsigned value in [0, 2^32). */
function loWord(x: number): number {
  return x - hiWord(x) * TWO32;
}

/** Two's complement a & b of integer doubles. */
export function bitAnd64(a: number, b: number): number {
  return (hiWord(a) & hiWord(b)) * TWO32 + ((loWord(a) & loWord(b)) >>> 0);
}

/** Two's complement a | b of integer doubles. */
export function bitOr64(a: number, b: number): number {
  return (hiWord(a) | hiWord(b)) * TWO32 + ((loWord(a) | loWord(b)) >>> 0);
}

/** Two's complement a ^ b of integer doubles. */
export function bitXor64(a: number, b: number): number {
  return (hiWord(a) ^ hiWord(b)) * TWO32 + ((loWord(a) ^ loWord(b)) >>> 0);
}

/** a << s on i32 (wrapping), 0 for s outside [0, 32). */
export function shiftLeft32(a: number, s: number): number {
  return s >= 0 && s < 32 ? a << s : 0;
}

/** a >> s on i32 (arithmetic), 0 or -1 for s outside [0, 32). */
export function shiftRight32(a: number, s: number): number {
  return s >= 0 && s < 32 ? a >> s : a < 0 ? -1 : 0;
}

/** a << s on an i64 double (a * 2^s), 0 for s outside [0, 64). */
export function shiftLeft64(a: number, s: number): number {
  return s >= 0 && s < 64 ? a * 2 ** s : 0;
}

/** a >> s on an i64 double (floor(a / 2^s)), 0 or -1 for s outside [0, 64). */
export function shiftRight64(a: number, s: number): number {
  return s >= 0 && s < 64 ? Math.floor(a / 2 ** s) : a < 0 ? -1 : 0;
}

const FLOAT_WORD = new Float32Array(1);
const INT_WORD = new Int32Array(FLOAT_WORD.buffer);

/** The bits of f32 value x as an i32 (BitCast; a NaN's payload is the one the engine keeps). */
export function floatBits(x: number): number {
  FLOAT_WORD[0] = x;
  return INT_WORD[0]!;
}

/** The f32 whose bits are i32 value b. */
export function bitsFloat(b: number): number {
  INT_WORD[0] = b;
  return FLOAT_WORD[0]!;
}
