// The quantization family as IR ops, exactly: QuantizeLinear and DequantizeLinear (per tensor, per
// axis, blocked; 2- to 16-bit integers, float8 and float4 targets), DynamicQuantizeLinear, and the
// integer contractions MatMulInteger, ConvInteger, QLinearMatMul and QLinearConv.
//
// Integers are held in i32 (tensor.ts). Quantizing is round-half-to-even of x / scale in f32, plus the
// zero point, clamped to the target's range: every step is exact in f32 (the values are integers
// far below 2^24 once clamped). MatMulInteger multiplies in i32. The integer convolutions run the
// IR's f32 conv on integer operands: exact while every partial sum stays below 2^24, which the
// lowering checks from the operand types and the reduction length, refusing the node otherwise.
import type { NodeContext, Val } from '../context.ts';
import { narrowSteps } from '../narrow.ts';
import { LOW_FLOAT_OF } from '../packed.ts';
import { ELEM } from '../schema.ts';
import { dtypeOf, elemName } from '../tensor.ts';
import { convOf } from './conv.ts';
import type { Lowerings } from './lowering.ts';
import { axisOf } from './movement.ts';

/** The range of each integer quantization target. */
const RANGE: Readonly<Record<number, readonly [number, number]>> = {
  [ELEM.UINT8]: [0, 255], [ELEM.INT8]: [-128, 127], [ELEM.UINT16]: [0, 65535], [ELEM.INT16]: [-32768, 32767],
  [ELEM.UINT4]: [0, 15], [ELEM.INT4]: [-8, 7], [ELEM.UINT2]: [0, 3], [ELEM.INT2]: [-2, 1],
};

/** The ONNX element type of `v` (a graph input, initializer, Constant or Cast result), or fails naming `what`. */
function elemOf(c: NodeContext, v: Val, what: string): number {
  if (v.elem === undefined || v.elem === 0) c.unsupported(`${what} type`, `the element type of ${what} must be declared (a graph input, initializer, Constant or Cast result), got a computed ${c.fmt(v)}`);
  return v.elem;
}

/** `v` as f32 (integers are exact below 2^24, which every quantized type is). */
const f32 = (c: NodeContext, v: Val): Val => (v.type.dtype === 'f32' ? v : c.op1('cast', { to: 'f32' }, [v]));

/** `v` after the steps that bring an f32 into ONNX element type `elem` (FLOAT16 rounds; FLOAT is exact). */
function narrowF32(c: NodeContext, v: Val, elem: number, saturate = true): Val {
  return narrowSteps(elem, 'f32', saturate).reduce((acc, s) => c.op1(s.op, s.attrs as never, s.operand ? [acc, c.em.constant(s.operand)] : [acc]), v);
}

/**
 * A scale or zero point shaped to broadcast against `x`: one element is per tensor; a 1-D tensor
 * of x's size along `axis` is per axis; with block_size > 0, a tensor of x's rank whose `axis` dim
 * is ceil(dim / block_size) is per block, each entry repeated block_size times (a gather).
 */
function paramFor(c: NodeContext, p: Val, x: Val, rawAxis: number, blockSize: number, what: string): Val {
  const [P, X] = [p.type.shape, x.type.shape];
  if (blockSize < 0) c.fail(`block_size must be 0 or positive, got ${blockSize}`);
  if (blockSize === 0 && P.length <= 1 && (P[0] ?? 1) === 1) return P.length === 0 ? p : c.op1('reshape', { shape: [] }, [p]);
  const axis = axisOf(c, rawAxis, X.length);
  if (blockSize === 0) {
    if (P.length !== 1 || P[0] !== X[axis]) c.fail(`${what} ${c.fmt(p)} must be a scalar or 1-D of x's size ${X[axis]} along axis ${axis} (x ${c.fmt(x)})`);
    return c.op1('reshape', { shape: X.map((d, i) => (i === axis ? d : 1)) }, [p]);
  }
  const d = X[axis]!;
  if (P.length !== X.length || P.some((n, i) => (i === axis ? n !== Math.ceil(d / blockSize) : n !== X[i]))) {
    c.fail(`${what} ${c.fmt(p)} does not fit x ${c.fmt(x)} in blocks of ${blockSize} along axis ${axis}`);
  }
  const idx = c.constant('i64', [d], Array.from({ length: d }, (_, i) => Math.floor(i / blockSize)));
  return c.op1('gather', { axis }, [p, idx]);
}

/** The axis (default 1, checked against x only where a parameter is per axis) and block size attributes. */
function layoutOf(c: NodeContext): [number, number] {
  return [c.int('axis', 1), c.int('block_size', 0)];
}

/** round(x / scale) + zero point, clamped to `elem`'s range, as i32; or, for float targets, x / scale + zero point rounded into the format. */
function quantizeTo(c: NodeContext, x: Val, scale: Val, zp: Val | undefined, elem: number): Val {
  const scaled = c.op1('div', {}, [f32(c, x), scale]);
  if (LOW_FLOAT_OF[elem] !== undefined) {
    const shifted = zp ? c.op1('add', {}, [scaled, f32(c, zp)]) : scaled;
    return narrowF32(c, shifted, elem, c.int('saturate', 1) !== 0);
  }
  const range = RANGE[elem];
  if (!range) c.unsupported('output type', `quantizing to ${elemName(elem)} is not supported (uint8/int8/uint16/int16/uint4/int4/uint2/int2, float8 and float4e2m1 are)`);
  let q = c.op1('round', {}, [scaled]);
  if (zp) q = c.op1('add', {}, [q, f32(c, zp)]);
  q = c.op1('min', {}, [c.op1('max', {}, [q, c.scalar(range[0])]), c.scalar(range[1])]);
  return c.op1('cast', { to: 'i32' }, [q]);
}

/** QuantizeLinear(x, y_scale, y_zero_point?): the target type from output_dtype, else the zero point's, else uint8. */
function quantizeLinear(c: NodeContext): Val[] {
  const [x, scale, zp] = [c.input(0), c.input(1), c.maybe(2)];
  const [axis, block] = layoutOf(c);
  const attr = c.int('output_dtype', 0);
  const elem = zp ? elemOf(c, zp, 'y_zero_point') : attr || ELEM.UINT8;
  if (attr && zp && attr !== elem) c.fail(`output_dtype ${elemName(attr)} differs from y_zero_point's type ${elemName(elem)}`);
  if (scale.type.dtype !== 'f32') c.fail(`y_scale must be a float tensor, got ${c.fmt(scale)}`);
  const s = paramFor(c, scale, x, axis, block, 'y_scale');
  const z = zp ? paramFor(c, zp, x, axis, block, 'y_zero_point') : undefined;
  return [{ ...quantizeTo(c, x, s, z, elem), elem }];
}

/** DequantizeLinear(x, x_scale, x_zero_point?): (x - zero point) * scale in f32, rounded into the scale's type (or output_dtype). */
function dequantizeLinear(c: NodeContext): Val[] {
  const [x, scale, zp] = [c.input(0), c.input(1), c.maybe(2)];
  const [axis, block] = layoutOf(c);
  if (scale.type.dtype !== 'f32') c.fail(`x_scale must be a float tensor, got ${c.fmt(scale)}`);
  const s = paramFor(c, scale, x, axis, block, 'x_scale');
  let v = f32(c, x);
  if (zp) v = c.op1('sub', {}, [v, f32(c, paramFor(c, zp, x, axis, block, 'x_zero_point'))]);
  const out = c.int('output_dtype', 0) || (scale.elem ?? ELEM.FLOAT);
  dtypeOf(out, `${c.where} output type`);
  return [{ ...narrowF32(c, c.op1('mul', {}, [v, s]), out), elem: out }];
}

/**
 * DynamicQuantizeLinear(x) -> uint8 y, y_scale, y_zero_point: the range [min(0, min x), max(0, max x)]
 * over 255 steps, the zero point round(-min / scale) clamped to [0, 255]. An all-zero x (scale 0)
 * divides by 1 instead, giving y = 0 and zero point 0 with y_scale 0.
 */
function dynamicQuantizeLinear(c: NodeContext): Val[] {
  const x = c.input(0);
  if (x.type.dtype !== 'f32') c.fail(`x must be float, got ${c.fmt(x)}`);
  const all = { axes: x.type.shape.map((_, i) => i), keepDims: false };
  const hi = c.op1('max', {}, [c.op1('reduceMax', all, [x]), c.scalar(0)]);
  const lo = c.op1('min', {}, [c.op1('neg', {}, [c.op1('reduceMax', all, [c.op1('neg', {}, [x])])]), c.scalar(0)]);
  const scale = c.op1('div', {}, [c.op1('sub', {}, [hi, lo]), c.scalar(255)]);
  const safe = c.op1('where', {}, [c.op1('equal', {}, [scale, c.scalar(0)]), c.scalar(1), scale]);
  const zpF = c.op1('min', {}, [c.op1('max', {}, [c.op1('round', {}, [c.op1('neg', {}, [c.op1('div', {}, [lo, safe])])]), c.scalar(0)]), c.scalar(255)]);
  const y = quantizeTo(c, x, safe, zpF, ELEM.UINT8);
  return [{ ...y, elem: ELEM.UINT8 }, scale, { ...c.op1('cast', { to: 'i32' }, [zpF]), elem: ELEM.UINT8 }];
}

/** An integer operand of the integer ops: 8-bit (held in i32), minus its zero point when present. */
function centred(c: NodeContext, v: Val, zp: Val | undefined, shapeZp: (zp: Val) => Val, what: string): Val {
  if (v.type.dtype !== 'i32') c.fail(`${what} must be int8 or uint8, got ${c.fmt(v)}`);
  if (!zp) return v;
  if (zp.type.dtype !== 'i32') c.fail(`${what}'s zero point must be int8 or uint8, got ${c.fmt(zp)}`);
  return c.op1('sub', {}, [v, shapeZp(zp)]);
}

/** A zero point or scale of one element as a scalar, else `perAxis` of it. */
const scalarOr = (c: NodeContext, perAxis: (p: Val) => Val) => (p: Val): Val =>
  c.numel(p) === 1 ? (p.type.shape.length === 0 ? p : c.op1('reshape', { shape: [] }, [p])) : perAxis(p);

/** [M] per row of a [..., M, K] operand -> [M, 1]; [N] per column of [..., K, N] stays [N]. */
function rowParam(c: NodeContext, a: Val, what: string): (p: Val) => Val {
  return scalarOr(c, (p) => {
    const m = a.type.shape.at(-2);
    if (p.type.shape.length !== 1 || p.type.shape[0] !== m) c.fail(`${what} ${c.fmt(p)} must be a scalar or one per row of ${c.fmt(a)}`);
    return c.op1('reshape', { shape: [m!, 1] }, [p]);
  });
}
function columnParam(c: NodeContext, b: Val, what: string): (p: Val) => Val {
  return scalarOr(c, (p) => {
    if (p.type.shape.length !== 1 || p.type.shape[0] !== b.type.shape.at(-1)) c.fail(`${what} ${c.fmt(p)} must be a scalar or one per column of ${c.fmt(b)}`);
    return p;
  });
}

/** The integer product of the centred operands (i32, exact up to i32 wrap). */
function integerMatmul(c: NodeContext, a: Val, azp: Val | undefined, b: Val, bzp: Val | undefined): Val {
  if (a.type.shape.length < 2 || b.type.shape.length < 2) c.fail(`A and B must have rank 2 or more, got ${c.fmt(a)} and ${c.fmt(b)}`);
  const ca = centred(c, a, azp, rowParam(c, a, 'a_zero_point'), 'A');
  const cb = centred(c, b, bzp, columnParam(c, b, 'b_zero_point'), 'B');
  return c.op1('matmul', { transA: false, transB: false }, [ca, cb]);
}

/** round(acc * multiplier) + y_zero_point clamped to the zero point's type (uint8 without one). */
function requantize(c: NodeContext, acc: Val, multiplier: Val, yzp: Val | undefined, elem: number): Val {
  const range = RANGE[elem];
  if (elem !== ELEM.UINT8 && elem !== ELEM.INT8) c.unsupported('output type', `the output must be int8 or uint8, got ${elemName(elem)}`);
  let q = c.op1('round', {}, [c.op1('mul', {}, [f32(c, acc), multiplier])]);
  if (yzp) q = c.op1('add', {}, [q, f32(c, yzp)]);
  q = c.op1('min', {}, [c.op1('max', {}, [q, c.scalar(range![0])]), c.scalar(range![1])]);
  return { ...c.op1('cast', { to: 'i32' }, [q]), elem };
}

/** QLinearMatMul(a, a_scale, a_zp, b, b_scale, b_zp, y_scale, y_zp): the integer product requantized by a_scale b_scale / y_scale. */
function qlinearMatMul(c: NodeContext): Val[] {
  const [a, as, azp, b, bs, bzp, ys, yzp] = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => (i === 2 || i === 5 || i === 7 ? c.maybe(i) : c.input(i)));
  const acc = integerMatmul(c, a!, azp, b!, bzp);
  const mult = c.op1('div', {}, [c.op1('mul', {}, [rowParam(c, a!, 'a_scale')(as!), columnParam(c, b!, 'b_scale')(bs!)]), scalarOr(c, () => c.fail(`y_scale must hold one element, got ${c.fmt(ys!)}`))(ys!)]);
  const elem = yzp ? elemOf(c, yzp, 'y_zero_point') : ELEM.UINT8;
  return [requantize(c, acc, mult, yzp && scalarOr(c, () => c.fail(`y_zero_point must hold one element, got ${c.fmt(yzp)}`))(yzp), elem)];
}

/**
 * The integer convolution of x and w less their zero points (x's a scalar, w's one per output
 * channel), as an f32 conv: refused when a partial sum could reach 2^24, past which f32 is inexact.
 */
function integerConv(c: NodeContext, x: Val, xzp: Val | undefined, w: Val, wzp: Val | undefined): Val {
  if (w.type.shape.length < 3) c.fail(`w must be [M, C/group, ...kernel], got ${c.fmt(w)}`);
  const perChannel = (p: Val): Val => {
    if (p.type.shape.length !== 1 || p.type.shape[0] !== w.type.shape[0]) c.fail(`w's zero point ${c.fmt(p)} must be a scalar or one per output channel of ${c.fmt(w)}`);
    return c.op1('reshape', { shape: w.type.shape.map((d, i) => (i === 0 ? d : 1)) }, [p]);
  };
  const cx = centred(c, x, xzp, scalarOr(c, () => c.fail(`x's zero point must hold one element, got ${c.fmt(xzp!)}`)), 'x');
  const cw = centred(c, w, wzp, scalarOr(c, perChannel), 'w');
  const terms = w.type.shape.slice(1).reduce((n, d) => n * d, 1);
  if (terms * 255 * 255 >= 2 ** 24) c.unsupported('reduction length', `${terms} products per output (C/group times the kernel) can exceed 2^24 in magnitude, beyond which the f32 convolution is not exact; at most 258 are supported`);
  return c.op1('cast', { to: 'i32' }, [convOf(c, f32(c, cx), f32(c, cw))]);
}

/** QLinearConv(x, x_scale, x_zp, w, w_scale, w_zp, y_scale, y_zp, B?): the integer convolution plus the int32 bias, requantized. */
function qlinearConv(c: NodeContext): Val[] {
  const [x, xs, xzp, w, ws, wzp, ys, yzp, bias] = [0, 1, 2, 3, 4, 5, 6, 7, 8].map((i) => c.maybe(i));
  for (const [v, i] of [[x, 0], [xs, 1], [w, 3], [ws, 4], [ys, 6]] as const) if (!v) c.fail(`input ${i} is required`);
  let acc = integerConv(c, x!, xzp, w!, wzp);
  if (bias) {
    if (bias.type.dtype !== 'i32' || bias.type.shape.length !== 1 || bias.type.shape[0] !== w!.type.shape[0]) c.fail(`B must be int32 with one entry per output channel, got ${c.fmt(bias)}`);
    acc = c.op1('add', {}, [acc, c.op1('reshape', { shape: [w!.type.shape[0]!, ...w!.type.shape.slice(2).map(() => 1)] }, [bias])]);
  }
  const one = (p: Val, what: string): Val => scalarOr(c, () => c.fail(`${what} must hold one element, got ${c.fmt(p)}`))(p);
  const wScale = scalarOr(c, (p) => {
    if (p.type.shape.length !== 1 || p.type.shape[0] !== w!.type.shape[0]) c.fail(`w_scale ${c.fmt(p)} must be a scalar or one per output channel of ${c.fmt(w!)}`);
    return c.op1('reshape', { shape: [p.type.shape[0]!, ...w!.type.shape.slice(2).map(() => 1)] }, [p]);
  })(ws!);
  const mult = c.op1('div', {}, [c.op1('mul', {}, [one(xs!, 'x_scale'), wScale]), one(ys!, 'y_scale')]);
  return [requantize(c, acc, mult, yzp && one(yzp, 'y_zero_point'), yzp ? elemOf(c, yzp, 'y_zero_point') : ELEM.UINT8)];
}

/** The quantization lowerings. */
export const quantizeLowerings: Lowerings = {
  QuantizeLinear: quantizeLinear,
  DequantizeLinear: dequantizeLinear,
  DynamicQuantizeLinear: dynamicQuantizeLinear,
  MatMulInteger: (c) => [integerMatmul(c, c.input(0), c.maybe(2), c.input(1), c.maybe(3))],
  ConvInteger: (c) => [integerConv(c, c.input(0), c.maybe(2), c.input(1), c.maybe(3))],
  QLinearMatMul: qlinearMatMul,
  QLinearConv: qlinearConv,
};
