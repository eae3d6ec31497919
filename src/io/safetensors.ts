// The safetensors format (as written by `safetensors.torch.save_file`): an 8-byte little-endian
// header length N, N bytes of JSON header, then the data section. Every field is checked against
// the file before anything is allocated; each failure is one SafetensorsError naming file and tensor.
import { LimitError, SafetensorsError } from '../errors.ts';
import { type Tensor, type TensorData, allocData, tensor } from '../ir/tensor.ts';
import { type DType, DTYPE_BYTES, formatType } from '../ir/types.ts';
import { halfToNumber } from '../ops/scalar.ts';
import { boundedNumel } from '../ops/util.ts';
import { DEFAULT_LIMITS, type LoadLimits, resolveLimits } from './limits.ts';

/** Largest JSON header accepted by default (the reference implementation's bound). */
export const MAX_HEADER_BYTES = DEFAULT_LIMITS.maxHeaderBytes;

/**
 * Options for parsing: resource bounds, each defaulting to DEFAULT_LIMITS (maxFileBytes,
 * maxHeaderBytes, maxTensors, maxTensorElements, maxRank). A breach is a LimitError.
 */
export type ParseOptions = Partial<LoadLimits>;

/** A parsed file: tensors in data-section order, plus the optional `__metadata__` map. */
export interface SafetensorsContents {
  readonly tensors: Map<string, Tensor>;
  readonly metadata: Record<string, string>;
}

const FROM_FILE: Readonly<Record<string, DType>> = { F32: 'f32', I32: 'i32', I64: 'i64', BOOL: 'bool', F16: 'f32' };
/** Bytes per element in the file (F16, PyTorch's half, is read into f32, exactly). */
const FILE_BYTES: Readonly<Record<string, number>> = { F32: 4, I32: 4, I64: 8, BOOL: 1, F16: 2 };
const TO_FILE: Readonly<Record<DType, string>> = { f32: 'F32', i32: 'I32', i64: 'I64', bool: 'BOOL' };
const METADATA_KEY = '__metadata__';

/** One header entry after validation. */
interface Entry {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: number[];
  readonly begin: number;
  readonly end: number;
  /** Stored as F16 in the file, read into f32. */
  readonly half: boolean;
}

/** Parses a whole safetensors file held in memory; see parseSafetensorsContents. */
export function parseSafetensors(bytes: Uint8Array, source = '<buffer>', options: ParseOptions = {}): Map<string, Tensor> {
  return parseSafetensorsContents(bytes, source, options).tensors;
}

/**
 * Parses a safetensors file held in memory. Tensors come back in data-section order, which is the
 * header order of every known writer (JSON.parse would reorder integer-like names). Each tensor's
 * bytes are copied into a fresh typed array, so the input may be unaligned.
 */
export function parseSafetensorsContents(bytes: Uint8Array, source = '<buffer>', options: ParseOptions = {}): SafetensorsContents {
  const fail = (msg: string): never => {
    throw new SafetensorsError(`${source}: ${msg}`);
  };
  const limits = resolveLimits(options);
  const over = (what: string, n: number, key: keyof LoadLimits): void => {
    if (n > limits[key]) throw new LimitError(`${source}: ${what} ${n} exceeds the limit ${key} = ${limits[key]}`);
  };
  over('file size', bytes.length, 'maxFileBytes');
  const headerLen = readHeaderLength(bytes, fail);
  over('header length', headerLen, 'maxHeaderBytes');
  const { header, keys } = decodeHeader(bytes.subarray(8, 8 + headerLen), fail);
  over('tensor count', keys.length, 'maxTensors');
  const dataStart = 8 + headerLen;
  const dataLen = bytes.length - dataStart;
  const metadata = checkMetadata(header[METADATA_KEY], fail);
  const entries: Entry[] = [];
  for (const [name, info] of Object.entries(header)) {
    if (name === METADATA_KEY) continue;
    const at = (msg: string): never => fail(`tensor ${quote(name)}: ${msg}`);
    entries.push(checkEntry(name, info, dataLen, at, (what, n, key) => over(`tensor ${quote(name)}: ${what}`, n, key)));
  }
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  checkCoverage(entries, dataLen, fail);
  const tensors = new Map<string, Tensor>();
  for (const e of entries) {
    const at = (msg: string): never => fail(`tensor ${quote(e.name)}: ${msg}`);
    tensors.set(e.name, copyTensor(e, bytes.subarray(dataStart + e.begin, dataStart + e.end), at));
  }
  return { tensors, metadata };
}

function readHeaderLength(bytes: Uint8Array, fail: (m: string) => never): number {
  if (bytes.length < 8) fail(`file is ${bytes.length} bytes, shorter than the 8-byte header length`);
  const n = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(bytes.length - 8)) fail(`header length ${n} is larger than the ${bytes.length - 8} bytes after it`);
  return Number(n);
}

/** The header as an object, and its top-level keys as written (duplicates are refused). */
function decodeHeader(raw: Uint8Array, fail: (m: string) => never): { header: Record<string, unknown>; keys: string[] } {
  let text = '';
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    fail('header is not valid UTF-8');
  }
  if (!text.startsWith('{')) fail('header does not start with "{"');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    fail(`header is not valid JSON (${(e as Error).message})`);
  }
  if (!isObject(parsed)) fail('header is not a JSON object');
  const keys = topLevelKeys(text);
  const seen = new Set<string>();
  for (const k of keys) {
    if (seen.has(k)) fail(`header names ${quote(k)} twice (JSON.parse would silently keep the last)`);
    seen.add(k);
  }
  return { header: parsed as Record<string, unknown>, keys };
}

/**
 * The keys of the outermost object of `text`, which JSON.parse has already accepted, in order
 * and with repeats: a string at depth 1 right after `{` or `,` is a key.
 */
function topLevelKeys(text: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      const start = i;
      for (i++; text[i] !== '"'; i++) if (text[i] === '\\') i++;
      if (depth === 1 && expectKey) keys.push(JSON.parse(text.slice(start, i + 1)) as string);
      expectKey = false;
    } else if (c === '{' || c === '[') {
      depth++;
      expectKey = depth === 1;
    } else if (c === '}' || c === ']') {
      depth--;
    } else if (c === ',') {
      expectKey = depth === 1;
    }
  }
  return keys;
}

function checkMetadata(meta: unknown, fail: (m: string) => never): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  if (meta === undefined || meta === null) return out;
  if (!isObject(meta)) fail(`${METADATA_KEY} is not an object`);
  for (const [k, v] of Object.entries(meta as Record<string, unknown>)) {
    if (typeof v !== 'string') fail(`${METADATA_KEY} entry ${quote(k)} is not a string`);
    out[k] = v as string;
  }
  return out;
}

type Over = (what: string, n: number, key: keyof LoadLimits) => void;

function checkEntry(name: string, info: unknown, dataLen: number, at: (m: string) => never, over: Over): Entry {
  if (!isObject(info)) at('entry is not an object');
  const { dtype: rawDType, shape, data_offsets: offsets } = info as Record<string, unknown>;
  if (typeof rawDType !== 'string') at('dtype is missing or not a string');
  const dtype = Object.hasOwn(FROM_FILE, rawDType as string) ? FROM_FILE[rawDType as string]! : undefined;
  if (dtype === undefined) {
    at(`unsupported dtype ${quote(rawDType as string)} (supported: ${Object.keys(FROM_FILE).join(', ')})`);
  }
  if (!Array.isArray(shape)) at('shape is missing or not an array');
  const dims = shape as unknown[];
  over('rank', dims.length, 'maxRank');
  if (!dims.every(isIndexLike)) at(`shape ${quote(shape)} is not a list of non-negative integers`);
  // Each dimension too, so a zero elsewhere cannot hide a huge one.
  over(`shape ${quote(dims)} dimension`, Math.max(0, ...(dims as number[])), 'maxTensorElements');
  const n = boundedNumel(dims as number[], Number.MAX_SAFE_INTEGER);
  over(`shape ${quote(dims)} element count`, n ?? Infinity, 'maxTensorElements');
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isIndexLike)) {
    at(`data_offsets ${quote(offsets)} is not two non-negative integers`);
  }
  const [begin, end] = offsets as [number, number];
  if (begin > end) at(`data_offsets [${begin},${end}] begin after they end`);
  if (end > dataLen) at(`data_offsets [${begin},${end}] run past the ${dataLen}-byte data section`);
  const type = { dtype: dtype!, shape: dims as number[] };
  const need = n! * FILE_BYTES[rawDType as string]!;
  const stored = rawDType === 'F16' ? `F16[${dims.join(',')}]` : formatType(type);
  if (end - begin !== need) at(`data_offsets [${begin},${end}] hold ${end - begin} bytes but ${stored} needs ${need}`);
  return { name, dtype: dtype!, shape: dims as number[], begin, end, half: rawDType === 'F16' };
}

/** Tensors must tile the data section exactly: no overlap, no gap, nothing left over. */
function checkCoverage(entries: readonly Entry[], dataLen: number, fail: (m: string) => never): void {
  let cursor = 0;
  let prev: Entry | undefined;
  for (const e of entries) {
    const where = `tensor ${quote(e.name)}: data_offsets [${e.begin},${e.end}]`;
    if (e.begin < cursor) fail(`${where} overlap tensor ${quote(prev!.name)} [${prev!.begin},${prev!.end}]`);
    if (e.begin > cursor) fail(`${where} leave a gap of ${e.begin - cursor} bytes at data offset ${cursor}`);
    cursor = e.end;
    prev = e;
  }
  if (cursor !== dataLen) fail(`data section has ${dataLen} bytes but tensors cover only ${cursor}`);
}

function copyTensor(e: Entry, src: Uint8Array, at: (m: string) => never): Tensor {
  if (e.half) {
    const view = new DataView(src.buffer, src.byteOffset, src.byteLength);
    return tensor('f32', e.shape, Float32Array.from({ length: src.length / 2 }, (_, i) => halfToNumber(view.getUint16(2 * i, true))));
  }
  const data = allocData(e.dtype, src.length / DTYPE_BYTES[e.dtype]);
  new Uint8Array(data.buffer, data.byteOffset, data.byteLength).set(src);
  if (e.dtype === 'bool') {
    const bad = (data as Uint8Array).findIndex((b) => b > 1);
    if (bad >= 0) at(`bool element ${bad} has byte value ${data[bad]}, not 0 or 1`);
  }
  return tensor(e.dtype, e.shape, data);
}

/** A JSON rendering of a value taken from the file, clipped so hostile headers keep messages short. */
function quote(v: unknown): string {
  const s = v === undefined ? 'missing' : JSON.stringify(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

function isIndexLike(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function isObject(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Serialises tensors in the given order, contiguously, after a JSON header padded with spaces so
 * the data section starts at a multiple of 8 bytes. `__metadata__` is written first when given.
 */
export function serializeSafetensors(
  tensors: ReadonlyMap<string, Tensor> | Readonly<Record<string, Tensor>>,
  metadata?: Readonly<Record<string, string>>,
): Uint8Array {
  const list: [string, Tensor][] = tensors instanceof Map ? [...tensors] : Object.entries(tensors);
  const parts: string[] = [];
  if (metadata !== undefined) parts.push(`${JSON.stringify(METADATA_KEY)}:${JSON.stringify(metadata)}`);
  let offset = 0;
  for (const [name, t] of list) {
    checkForWrite(name, t);
    const end = offset + t.data.byteLength;
    const info = `{"dtype":"${TO_FILE[t.dtype]}","shape":${JSON.stringify(t.shape)},"data_offsets":[${offset},${end}]}`;
    parts.push(`${JSON.stringify(name)}:${info}`);
    offset = end;
  }
  const json = new TextEncoder().encode(`{${parts.join(',')}}`);
  const headerLen = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + headerLen + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLen), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLen);
  let at = 8 + headerLen;
  for (const [, t] of list) {
    out.set(bytesOf(t.data), at);
    at += t.data.byteLength;
  }
  return out;
}

function checkForWrite(name: string, t: Tensor): void {
  const where = `tensor ${quote(name)}`;
  if (name === METADATA_KEY) throw new SafetensorsError(`${where}: the name is reserved for metadata`);
  const need = boundedNumel(t.shape);
  if (need === undefined || t.data.length !== need) {
    throw new SafetensorsError(`${where}: ${formatType(t)} does not match its ${t.data.length} elements`);
  }
}

function bytesOf(data: TensorData): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
