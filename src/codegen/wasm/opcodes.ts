// The wasm instructions the backend emits, by their text names, with their binary encodings
// (the core spec's opcode table and the SIMD proposal's; relaxed SIMD's madd/nmadd at 0x105/0x106).
import { uleb } from './leb.ts';

/** A SIMD instruction: the 0xfd prefix, then its number as unsigned LEB128. */
export const simd = (op: number): number[] => [0xfd, ...uleb(op)];

/** Plain (immediate-free) instructions by their text names. */
export const PLAIN = {
  unreachable: [0x00], nop: [0x01], return: [0x0f], drop: [0x1a], select: [0x1b],
  'i32.eqz': [0x45], 'i32.eq': [0x46], 'i32.ne': [0x47], 'i32.lt_s': [0x48], 'i32.lt_u': [0x49],
  'i32.gt_s': [0x4a], 'i32.gt_u': [0x4b], 'i32.le_s': [0x4c], 'i32.le_u': [0x4d], 'i32.ge_s': [0x4e], 'i32.ge_u': [0x4f],
  'f32.eq': [0x5b], 'f32.ne': [0x5c], 'f32.lt': [0x5d], 'f32.gt': [0x5e], 'f32.le': [0x5f], 'f32.ge': [0x60],
  'f64.eq': [0x61], 'f64.ne': [0x62], 'f64.lt': [0x63], 'f64.gt': [0x64], 'f64.le': [0x65], 'f64.ge': [0x66],
  'i32.add': [0x6a], 'i32.sub': [0x6b], 'i32.mul': [0x6c], 'i32.div_s': [0x6d], 'i32.div_u': [0x6e],
  'i32.rem_s': [0x6f], 'i32.rem_u': [0x70], 'i32.and': [0x71], 'i32.or': [0x72], 'i32.xor': [0x73],
  'i32.shl': [0x74], 'i32.shr_s': [0x75], 'i32.shr_u': [0x76],
  'f32.abs': [0x8b], 'f32.neg': [0x8c], 'f32.ceil': [0x8d], 'f32.floor': [0x8e], 'f32.trunc': [0x8f],
  'f32.nearest': [0x90], 'f32.sqrt': [0x91], 'f32.add': [0x92], 'f32.sub': [0x93], 'f32.mul': [0x94],
  'f32.div': [0x95], 'f32.min': [0x96], 'f32.max': [0x97], 'f32.copysign': [0x98],
  'f64.abs': [0x99], 'f64.neg': [0x9a], 'f64.sqrt': [0x9f], 'f64.add': [0xa0], 'f64.sub': [0xa1],
  'f64.mul': [0xa2], 'f64.div': [0xa3], 'f64.min': [0xa4], 'f64.max': [0xa5],
  'i32.trunc_f32_s': [0xa8], 'i32.trunc_f64_s': [0xaa], 'f32.convert_i32_s': [0xb2], 'f32.demote_f64': [0xb6],
  'f64.convert_i32_s': [0xb7], 'f64.promote_f32': [0xbb], 'i32.reinterpret_f32': [0xbc], 'f32.reinterpret_i32': [0xbe],
  'i32.trunc_sat_f32_s': [0xfc, 0x00],
  'memory.copy': [0xfc, 0x0a, 0x00, 0x00], 'memory.fill': [0xfc, 0x0b, 0x00],
  'i32x4.splat': simd(0x11), 'f32x4.splat': simd(0x13),
  'i32x4.eq': simd(0x37), 'i32x4.ne': simd(0x38), 'i32x4.lt_s': simd(0x39), 'i32x4.gt_s': simd(0x3b),
  'f32x4.eq': simd(0x41), 'f32x4.ne': simd(0x42), 'f32x4.lt': simd(0x43), 'f32x4.gt': simd(0x44),
  'f32x4.le': simd(0x45), 'f32x4.ge': simd(0x46),
  'v128.not': simd(0x4d), 'v128.and': simd(0x4e), 'v128.andnot': simd(0x4f), 'v128.or': simd(0x50),
  'v128.xor': simd(0x51), 'v128.bitselect': simd(0x52), 'v128.any_true': simd(0x53),
  'f32x4.ceil': simd(0x67), 'f32x4.floor': simd(0x68), 'f32x4.trunc': simd(0x69), 'f32x4.nearest': simd(0x6a),
  'i32x4.all_true': simd(0xa3), 'i32x4.bitmask': simd(0xa4),
  'i32x4.shl': simd(0xab), 'i32x4.shr_s': simd(0xac), 'i32x4.shr_u': simd(0xad),
  'i32x4.add': simd(0xae), 'i32x4.sub': simd(0xb1), 'i32x4.mul': simd(0xb5),
  'i32x4.min_s': simd(0xb6), 'i32x4.max_s': simd(0xb8),
  'f32x4.abs': simd(0xe0), 'f32x4.neg': simd(0xe1), 'f32x4.sqrt': simd(0xe3), 'f32x4.add': simd(0xe4),
  'f32x4.sub': simd(0xe5), 'f32x4.mul': simd(0xe6), 'f32x4.div': simd(0xe7), 'f32x4.min': simd(0xe8),
  'f32x4.max': simd(0xe9), 'f32x4.pmin': simd(0xea), 'f32x4.pmax': simd(0xeb),
  'i32x4.trunc_sat_f32x4_s': simd(0xf8), 'f32x4.convert_i32x4_s': simd(0xfa),
  'f32x4.relaxed_madd': simd(0x105), 'f32x4.relaxed_nmadd': simd(0x106),
} as const satisfies Record<string, readonly number[]>;

/** Names of immediate-free instructions. */
export type PlainOp = keyof typeof PLAIN;

/** Loads and stores, with their opcode and natural alignment (log2 bytes). */
export const MEMORY = {
  'i32.load': [[0x28], 2], 'i64.load': [[0x29], 3], 'f32.load': [[0x2a], 2], 'f64.load': [[0x2b], 3],
  'i32.load8_u': [[0x2d], 0], 'i32.load8_s': [[0x2c], 0],
  'i32.store': [[0x36], 2], 'i64.store': [[0x37], 3], 'f32.store': [[0x38], 2], 'f64.store': [[0x39], 3],
  'i32.store8': [[0x3a], 0],
  'v128.load': [simd(0x00), 4], 'v128.load32_splat': [simd(0x09), 2], 'v128.store': [simd(0x0b), 4],
  'v128.load32_zero': [simd(0x5c), 2], 'v128.load64_zero': [simd(0x5d), 3],
} as const satisfies Record<string, readonly [readonly number[], number]>;

/** Names of memory instructions. */
export type MemoryOp = keyof typeof MEMORY;

/** Lane instructions (one lane-index immediate). */
export const LANE = {
  'f32x4.extract_lane': simd(0x1f), 'f32x4.replace_lane': simd(0x20),
  'i32x4.extract_lane': simd(0x1b), 'i32x4.replace_lane': simd(0x1c),
} as const satisfies Record<string, readonly number[]>;

/** Names of lane instructions. */
export type LaneOp = keyof typeof LANE;

