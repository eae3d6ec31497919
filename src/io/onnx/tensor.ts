// TensorProto -> Tensor: element types, data from raw bytes, typed fields or an external file,
// every declared size checked against the limits and against the bytes actually present.
import type { Stats } from 'node:fs';
import { nodeOnly } from '../../host/node.ts';
import { LimitError, OnnxError } from '../../errors.ts';
import { type Tensor, type TensorData, allocData, tensor } from '../../ir/tensor.ts';
import { DTYPE_BYTES, type DType } from '../../ir/types.ts';
import { checkLimit } from '../limits.ts';
import type { OnnxLimits } from './limits.ts';
import { UnsupportedFeature } from './support.ts';
import { ELEM, type OnnxTensor } from './schema.ts';
import { halfToNumber } from '../../ops/scalar.ts';
import { bfloat16ToNumber } from '../../ops/bfloat16.ts';
import { PACKED, decodeLow, lowBytes } from './packed.ts';

/**
 * IR dtype of each supported ONNX element type. DOUBLE is narrowed to f32; FLOAT16 is held as f32
 * (exactly: every half is an f32), computed in f32 and rounded where the model casts to it and at
 * the graph outputs it declares (documented in docs/onnx.md).
 */
const DTYPE_OF: Readonly<Record<number, DType>> = {
  [ELEM.FLOAT]: 'f32',
  [ELEM.DOUBLE]: 'f32',
  [ELEM.FLOAT16]: 'f32',
  [ELEM.BFLOAT16]: 'f32',
  [ELEM.FLOAT8E4M3FN]: 'f32',
  [ELEM.FLOAT8E4M3FNUZ]: 'f32',
  [ELEM.FLOAT8E5M2]: 'f32',
  [ELEM.FLOAT8E5M2FNUZ]: 'f32',
  [ELEM.FLOAT4E2M1]: 'f32',
  [ELEM.INT4]: 'i32',
  [ELEM.UINT4]: 'i32',
  [ELEM.INT2]: 'i32',
  [ELEM.UINT2]: 'i32',
  [ELEM.INT32]: 'i32',
  [ELEM.INT16]: 'i32',
  [ELEM.INT8]: 'i32',
  [ELEM.UINT16]: 'i32',
  [ELEM.UINT8]: 'i32',
  [ELEM.INT64]: 'i64',
  [ELEM.UINT32]: 'i64',
  [ELEM.UINT64]: 'i64',
  [ELEM.BOOL]: 'bool',
};

/** Bytes per element in raw_data, for each supported element type. */
const RAW_BYTES: Readonly<Record<number, number>> = {
  [ELEM.FLOAT]: 4, [ELEM.DOUBLE]: 8, [ELEM.FLOAT16]: 2, [ELEM.BFLOAT16]: 2, [ELEM.INT32]: 4, [ELEM.INT16]: 2, [ELEM.INT8]: 1,
  [ELEM.UINT16]: 2, [ELEM.UINT8]: 1, [ELEM.INT64]: 8, [ELEM.UINT32]: 4, [ELEM.UINT64]: 8, [ELEM.BOOL]: 1,
};

const ELEM_NAMES: Readonly<Record<number, string>> = Object.fromEntries(Object.entries(ELEM).map(([k, v]) => [v, k]));

/** ONNX's names of the element types opgraph reads none of (TensorProto.DataType 14 to 26). */
const OTHER_ELEM_NAMES: readonly string[] = [
  'COMPLEX64', 'COMPLEX128', 'BFLOAT16', 'FLOAT8E4M3FN', 'FLOAT8E4M3FNUZ', 'FLOAT8E5M2', 'FLOAT8E5M2FNUZ',
  'UINT4', 'INT4', 'FLOAT4E2M1', 'FLOAT8E8M0', 'UINT2', 'INT2',
];

/** The name of ONNX element type `t` (for messages). */
export function elemName(t: number): string {
  return ELEM_NAMES[t] ?? OTHER_ELEM_NAMES[t - 14] ?? `data type ${t}`;
}

/** The IR dtype for an ONNX element type, or an UnsupportedFeature error (key `element type NAME`). */
export function dtypeOf(elemType: number, what: string): DType {
  const d = DTYPE_OF[elemType];
  if (!d) throw new UnsupportedFeature(`${what}: element type ${elemName(elemType)} is not supported (supported: FLOAT, DOUBLE, FLOAT16, BFLOAT16, FLOAT8E4M3FN/FNUZ, FLOAT8E5M2/FNUZ and FLOAT4E2M1 as f32, INT2/4/8/16/32 and UINT2/4/8/16 as i32, INT64, UINT32 and UINT64 below 2^63 as i64, BOOL)`, `element type ${elemName(elemType)}`);
  return d;
}

/** Checks a declared shape against the limits (LimitError) and for validity (OnnxError); returns its element count. */
export function checkShape(dims: readonly number[], dtype: DType, what: string, limits: OnnxLimits): number {
  checkLimit(limits, 'maxRank', dims.length, `${what}: rank`);
  let n = 1;
  for (const d of dims) {
    if (!Number.isSafeInteger(d) || d < 0) throw new OnnxError(`${what}: invalid dimension ${d} in [${dims.join(',')}]`);
    n *= d;
    checkLimit(limits, 'maxTensorElements', n, `${what}: elements of shape [${dims.join(',')}]`);
  }
  const bytes = n * DTYPE_BYTES[dtype];
  if (bytes > limits.maxTensorBytes) throw new LimitError(`${what}: bytes of shape [${dims.join(',')}]: ${bytes} exceeds the limit maxTensorBytes = ${limits.maxTensorBytes}`);
  return n;
}

/** Where external tensor data is resolved from: the model file's folder. */
export interface TensorSource {
  readonly baseDir?: string;
  readonly limits: OnnxLimits;
  /** Counts a tensor's bytes against the import's memory budget before its data is read. */
  readonly account?: (bytes: number, what: string) => void;
}

/** Converts a TensorProto to a Tensor; `what` names it in errors. */
export function toTensor(t: OnnxTensor, what: string, src: TensorSource): Tensor {
  const label = t.name ? `${what} ${JSON.stringify(t.name)}` : what;
  const dtype = dtypeOf(t.dataType, label);
  const n = checkShape(t.dims, dtype, label, src.limits);
  src.account?.(n * DTYPE_BYTES[dtype], label);
  if (t.segment && t.segment.length > 0) throw new OnnxError(`${label}: segmented tensors are not supported`);
  const low = RAW_BYTES[t.dataType] === undefined;
  if (t.dataLocation === 1) {
    const raw = readExternal(t, label, n, src);
    return tensor(dtype, t.dims, low ? lowData(dtype, decodeLow(t.dataType, raw, n, label, true)) : fromRaw(raw, t.dataType, n, label));
  }
  if (low) {
    // Float8 may also sit one per int32_data entry; the sub-byte types pack into int32_data as into
    // raw_data, one packed byte per entry (two 4-bit or four 2-bit elements, low bits first).
    const fromRawData = t.rawData.length > 0 || n === 0;
    const packed = fromRawData || PACKED[t.dataType] !== undefined;
    return tensor(dtype, t.dims, lowData(dtype, decodeLow(t.dataType, fromRawData ? t.rawData : t.int32Data, n, label, packed)));
  }
  if (t.rawData.length > 0 || n === 0) return tensor(dtype, t.dims, fromRaw(t.rawData, t.dataType, n, label));
  return tensor(dtype, t.dims, fromFields(t, dtype, n, label));
}

/** Decoded low-precision values in the IR dtype's array (exact: f32 for floats, i32 for integers). */
function lowData(dtype: DType, values: readonly number[]): TensorData {
  const out = allocData(dtype, values.length) as Float32Array | Int32Array;
  out.set(values);
  return out;
}

/** Decodes little-endian raw bytes; the byte count must match the declared shape exactly. */
function fromRaw(raw: Uint8Array, elemType: number, n: number, label: string): TensorData {
  const size = RAW_BYTES[elemType]!;
  if (raw.length !== n * size) throw new OnnxError(`${label}: declares ${n} element(s) (${n * size} bytes) but holds ${raw.length} bytes of data`);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const dtype = DTYPE_OF[elemType]!;
  const out = allocData(dtype, n);
  for (let i = 0; i < n; i++) {
    const o = i * size;
    switch (elemType) {
      case ELEM.FLOAT: out[i] = view.getFloat32(o, true); break;
      case ELEM.DOUBLE: out[i] = view.getFloat64(o, true); break;
      case ELEM.FLOAT16: out[i] = halfToNumber(view.getUint16(o, true)); break;
      case ELEM.BFLOAT16: out[i] = bfloat16ToNumber(view.getUint16(o, true)); break;
      case ELEM.INT32: out[i] = view.getInt32(o, true); break;
      case ELEM.INT16: out[i] = view.getInt16(o, true); break;
      case ELEM.UINT16: out[i] = view.getUint16(o, true); break;
      case ELEM.INT8: out[i] = view.getInt8(o); break;
      case ELEM.UINT8: out[i] = view.getUint8(o); break;
      case ELEM.INT64: (out as BigInt64Array)[i] = view.getBigInt64(o, true); break;
      case ELEM.UINT32: (out as BigInt64Array)[i] = BigInt(view.getUint32(o, true)); break;
      case ELEM.UINT64: (out as BigInt64Array)[i] = uint64(view.getBigUint64(o, true), label); break;
      case ELEM.BOOL: out[i] = view.getUint8(o) !== 0 ? 1 : 0; break;
    }
  }
  return out;
}

/** Decodes the typed repeated fields (float_data, int32_data, int64_data, double_data). */
function fromFields(t: OnnxTensor, dtype: DType, n: number, label: string): TensorData {
  const field: ArrayLike<number> =
    t.dataType === ELEM.FLOAT ? t.floatData
    : t.dataType === ELEM.DOUBLE ? t.doubleData
    : t.dataType === ELEM.INT64 ? t.int64Data
    : t.dataType === ELEM.UINT32 || t.dataType === ELEM.UINT64 ? t.uint64Data
    : t.int32Data; // INT32, INT16, INT8, UINT16, UINT8, BOOL and FLOAT16 (its bits) live in int32_data
  if (field.length !== n) throw new OnnxError(`${label}: declares ${n} element(s) but holds ${field.length}`);
  const out = allocData(dtype, n);
  for (let i = 0; i < n; i++) {
    const v = field[i]!;
    if (t.dataType === ELEM.UINT32 || t.dataType === ELEM.UINT64) (out as BigInt64Array)[i] = uint64(BigInt(Math.trunc(v)), label);
    else if (out instanceof BigInt64Array) out[i] = toInt64(v);
    else if (t.dataType === ELEM.FLOAT16) out[i] = halfToNumber(v & 0xffff);
    else if (t.dataType === ELEM.BFLOAT16) out[i] = bfloat16ToNumber(v);
    else out[i] = dtype === 'bool' ? (v !== 0 ? 1 : 0) : v;
  }
  return out;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * An int64_data entry (a double after decoding, exact below 2^53) as int64; values at the ends of
 * the range (INT64_MAX as Slice's "to the end") saturate instead of wrapping.
 */
function toInt64(v: number): bigint {
  const b = BigInt(Math.trunc(v));
  return b > INT64_MAX ? INT64_MAX : b < INT64_MIN ? INT64_MIN : b;
}

/**
 * A UINT32 or UINT64 value as the i64 that holds it: UINT64 values of 2^63 and more have no i64
 * of the same value, so they are refused (UnsupportedFeature) rather than read as negatives.
 */
function uint64(v: bigint, label: string): bigint {
  if (v > INT64_MAX) throw new UnsupportedFeature(`${label}: UINT64 value ${v} is not supported: opgraph holds UINT64 in i64, so values must be below 2^63`, 'element type UINT64 at or above 2^63');
  return v;
}

/** Reads an external-data tensor's bytes: location relative to the model's folder, never outside it. */
function readExternal(t: OnnxTensor, label: string, n: number, src: TensorSource): Uint8Array {
  const entry = (key: string): string | undefined => t.externalData.find((e) => e.key === key)?.value;
  const location = entry('location');
  if (!location) throw new OnnxError(`${label}: external data without a location`);
  if (!src.baseDir) throw new OnnxError(`${label}: external data ${JSON.stringify(location)} needs the model's folder (load the model from a file)`);
  const offset = Number(entry('offset') ?? 0);
  const want = RAW_BYTES[t.dataType] === undefined ? lowBytes(t.dataType, n) : n * RAW_BYTES[t.dataType]!;
  const length = entry('length') === undefined ? want : Number(entry('length'));
  if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length < 0) {
    throw new OnnxError(`${label}: invalid external data offset/length (${entry('offset')}, ${entry('length')})`);
  }
  if (length !== want) throw new OnnxError(`${label}: declares ${n} element(s) (${want} bytes) but its external data length is ${length}`);
  const { closeSync, fstatSync, readSync, realpathSync } = files();
  const { isAbsolute, resolve } = paths();
  const base = realpathSync(src.baseDir);
  const path = resolve(base, location);
  if (isAbsolute(location) || escapes(base, path)) throw new OnnxError(`${label}: external data path ${JSON.stringify(location)} is outside the model's folder`);
  const fd = openExternal(base, path, label, location);
  try {
    const size = fstatSync(fd).size;
    if (offset + length > size) throw new OnnxError(`${label}: external data ${JSON.stringify(location)} has ${size} bytes, needs ${offset + length}`);
    const buf = new Uint8Array(length);
    let got = 0;
    while (got < length) {
      const r = readSync(fd, buf, got, length - got, offset + got);
      if (r === 0) throw new OnnxError(`${label}: external data ${JSON.stringify(location)} ended early`);
      got += r;
    }
    return buf;
  } finally {
    closeSync(fd);
  }
}

/**
 * Opens external data for reading: its real path must stay inside the folder and be a regular
 * file (a FIFO would block the read forever, a device never ends). The real path is opened with
 * O_NOFOLLOW (a final symlink swapped in after the check is refused) and O_NONBLOCK (opening a
 * FIFO cannot block), and the open file is checked again with fstat.
 */
function openExternal(base: string, path: string, label: string, location: string): number {
  const { closeSync, constants, fstatSync, lstatSync, openSync, realpathSync } = files();
  const quoted = JSON.stringify(location);
  let real: string;
  try {
    real = realpathSync(path);
  } catch {
    throw new OnnxError(`${label}: cannot open external data file ${quoted}`);
  }
  if (escapes(base, real)) throw new OnnxError(`${label}: external data path ${quoted} links outside the model's folder`);
  const kind = (s: Stats): string | undefined => (s.isFile() ? undefined : s.isFIFO() ? 'a FIFO' : s.isSocket() ? 'a socket' : s.isCharacterDevice() || s.isBlockDevice() ? 'a device' : s.isDirectory() ? 'a directory' : 'not a regular file');
  const before = kind(lstatSync(real));
  if (before) throw new OnnxError(`${label}: external data ${quoted} is ${before}, not a regular file`);
  let fd: number;
  try {
    fd = openSync(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ELOOP' ? ' (it became a symbolic link)' : '';
    throw new OnnxError(`${label}: cannot open external data file ${quoted}${why}`);
  }
  const after = kind(fstatSync(fd));
  if (after) {
    closeSync(fd);
    throw new OnnxError(`${label}: external data ${quoted} is ${after}, not a regular file`);
  }
  return fd;
}

function escapes(base: string, path: string): boolean {
  const { isAbsolute, relative, sep } = paths();
  const rel = relative(base, path);
  return rel === '' || rel.startsWith('..' + sep) || rel === '..' || isAbsolute(rel);
}

/** The folder a model file's external data is resolved from. */
export function modelDir(path: string): string {
  const { dirname, resolve } = paths();
  return dirname(resolve(path));
}

/** Files and paths: external data lives beside a model file, so only a model read from a path (Node) has any. */
const NEEDS = ['external tensor data (files beside the model)', 'in a page, import a model whose tensors are inside it'] as const;
const files = () => nodeOnly('node:fs', ...NEEDS);
const paths = () => nodeOnly('node:path', ...NEEDS);
