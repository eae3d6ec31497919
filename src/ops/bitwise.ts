// Bitwise elementwise ops on integers (i32 and i64, two's complement): bitAnd, bitOr, bitXor,
// bitNot, and shifts (arithmetic right shift; see src/ops/bits.ts for amounts out of range); and
// bitcast between f32 and i32 (the same 32 bits read as the other type).
// Numpy broadcasting as every binary op; no dtype promotion.
import { type DType, tensorType } from '../ir/types.ts';
import type { OpDef, OpDefs, OpGroup } from './def.ts';
import { INDEX, expectDType, expectSameDType } from './dtypes.ts';
import { map1, map2 } from './elementwise.ts';
import { NOT_DIFFERENTIABLE } from './gradient.ts';
import { bitAnd64, bitOr64, bitXor64, bitsFloat, floatBits, shiftLeft32, shiftLeft64, shiftRight32, shiftRight64 } from './bits.ts';
import { broadcastShapes } from './util.ts';

type BitBinary = 'bitAnd' | 'bitOr' | 'bitXor' | 'shiftLeft' | 'shiftRight';

/** One binary bit op: its i32 and i64 functions (with their TS names) and its WGSL operator. */
interface BitSpec {
  readonly i32: [(a: number, b: number) => number, (a: string, b: string) => string];
  readonly i64: [(a: number, b: number) => number, string];
  readonly wgsl: (a: string, b: string) => string;
  readonly commutative?: boolean;
}

const SPECS: Readonly<Record<BitBinary, BitSpec>> = {
  bitAnd: { i32: [(a, b) => a & b, (a, b) => `(${a} & ${b})`], i64: [bitAnd64, 'bitAnd64'], wgsl: (a, b) => `(${a} & ${b})`, commutative: true },
  bitOr: { i32: [(a, b) => a | b, (a, b) => `(${a} | ${b})`], i64: [bitOr64, 'bitOr64'], wgsl: (a, b) => `(${a} | ${b})`, commutative: true },
  bitXor: { i32: [(a, b) => a ^ b, (a, b) => `(${a} ^ ${b})`], i64: [bitXor64, 'bitXor64'], wgsl: (a, b) => `(${a} ^ ${b})`, commutative: true },
  shiftLeft: {
    i32: [shiftLeft32, (a, b) => `shiftLeft32(${a}, ${b})`], i64: [shiftLeft64, 'shiftLeft64'],
    wgsl: (a, b) => `select(0i, ${a} << u32(${b}), ${b} >= 0i && ${b} < 32i)`,
  },
  shiftRight: {
    i32: [shiftRight32, (a, b) => `shiftRight32(${a}, ${b})`], i64: [shiftRight64, 'shiftRight64'],
    wgsl: (a, b) => `select(select(0i, -1i, ${a} < 0i), ${a} >> u32(${b}), ${b} >= 0i && ${b} < 32i)`,
  },
};

function bitBinary<K extends BitBinary>(kind: K): OpDef<K> {
  const spec = SPECS[kind];
  const groups: OpGroup[] = ['elementwise', 'binary', ...(spec.commutative ? ['commutative' as const] : [])];
  const fn = (dtype: DType) => (dtype === 'i64' ? spec.i64[0] : spec.i32[0]);
  return {
    kind,
    groups,
    arity: { min: 2, max: 2 },
    infer([a, b]) {
      expectSameDType(kind, a!, b!);
      expectDType(kind, a!, INDEX);
      return [tensorType(a!.dtype, broadcastShapes(a!.shape, b!.shape))];
    },
    evaluate: ([a, b], _attrs, [out]) => [map2(a!, b!, out!, fn(a!.dtype))],
    scalar: {
      ts: ([a, b], _attrs, dtype) => (dtype === 'i64' ? `${spec.i64[1]}(${a}, ${b})` : spec.i32[1](a!, b!)),
      wgsl: ([a, b]) => spec.wgsl(a!, b!),
    },
    grad: NOT_DIFFERENTIABLE,
  };
}

/** bitNot: ~x = -1 - x, exact on i32 and i64. */
const bitNot: OpDef<'bitNot'> = {
  kind: 'bitNot',
  groups: ['elementwise', 'unary'],
  arity: { min: 1, max: 1 },
  infer([x]) {
    expectDType('bitNot', x!, INDEX);
    return [tensorType(x!.dtype, x!.shape)];
  },
  evaluate: ([x], _attrs, [out]) => [map1(x!, out!, (v) => -1 - v)],
  scalar: { ts: ([x]) => `(-1 - ${x})`, wgsl: ([x]) => `(~${x})` },
  grad: NOT_DIFFERENTIABLE,
};

/** bitcast: f32 <-> i32, the bits unchanged. */
const bitcast: OpDef<'bitcast'> = {
  kind: 'bitcast',
  groups: ['elementwise', 'unary'],
  arity: { min: 1, max: 1 },
  infer([x], { to }) {
    const from = to === 'i32' ? 'f32' : 'i32';
    expectDType(`bitcast to ${to}`, x!, [from]);
    return [tensorType(to, x!.shape)];
  },
  evaluate: ([x], { to }, [out]) => [map1(x!, out!, to === 'i32' ? floatBits : bitsFloat)],
  scalar: { ts: ([x], { to }) => `${to === 'i32' ? 'floatBits' : 'bitsFloat'}(${x})`, wgsl: ([x], { to }) => `bitcast<${to}>(${x})` },
  grad: NOT_DIFFERENTIABLE,
};

/** The bitwise ops. */
export const bitwiseOps: OpDefs<BitBinary | 'bitNot' | 'bitcast'> = {
  bitAnd: bitBinary('bitAnd'),
  bitOr: bitBinary('bitOr'),
  bitXor: bitBinary('bitXor'),
  shiftLeft: bitBinary('shiftLeft'),
  shiftRight: bitBinary('shiftRight'),
  bitNot,
  bitcast,
};
