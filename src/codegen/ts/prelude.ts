// Run-time support copied into every generated TS module (only the declarations it uses).
// Plain, dependency-free TypeScript that works in Node and browsers. Keep it import-free.

/** Checks that `value` is a typed array of the expected kind and length; names the tensor otherwise. */
export function checkArray<T>(value: unknown, ctor: { new (n: number): T; readonly name: string }, length: number, what: string): T {
  if (!(value instanceof (ctor as unknown as Function)) || (value as unknown as { length: number }).length !== length) {
    const got = value === undefined ? 'nothing' : `${(value as object)?.constructor?.name ?? typeof value} of length ${(value as { length?: number })?.length}`;
    throw new TypeError(`${what}: expected ${ctor.name} of length ${length}, got ${got}`);
  }
  return value as T;
}

/** Safetensors dtypes this reader accepts, with their element sizes. */
const SAFETENSORS_DTYPES: Readonly<Record<string, number>> = { F32: 4, I32: 4, I64: 8, BOOL: 1 };

/**
 * Reads a safetensors file (as written by PyTorch's save_file) into typed arrays by name.
 * Validates the header length, dtypes and data offsets against the buffer before copying.
 */
export function parseSafetensors(bytes: Uint8Array): Record<string, Float32Array | Int32Array | BigInt64Array | Uint8Array> {
  if (bytes.length < 8) throw new Error('safetensors: file shorter than its 8-byte header length');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (headerLength > bytes.length - 8) throw new Error(`safetensors: header length ${headerLength} exceeds the file`);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))) as Record<string, unknown>;
  const data = bytes.subarray(8 + headerLength);
  const out: Record<string, Float32Array | Int32Array | BigInt64Array | Uint8Array> = {};
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const { dtype, data_offsets: offsets } = entry as { dtype: string; data_offsets: [number, number] };
    const size = SAFETENSORS_DTYPES[dtype];
    if (size === undefined) throw new Error(`safetensors: tensor ${JSON.stringify(name)} has unsupported dtype ${JSON.stringify(dtype)}`);
    const [begin, end] = offsets;
    if (!(Number.isInteger(begin) && Number.isInteger(end) && begin >= 0 && begin <= end && end <= data.length && (end - begin) % size === 0)) {
      throw new Error(`safetensors: tensor ${JSON.stringify(name)} has bad data_offsets`);
    }
    const raw = data.slice(begin, end).buffer;
    out[name] = dtype === 'F32' ? new Float32Array(raw) : dtype === 'I32' ? new Int32Array(raw) : dtype === 'I64' ? new BigInt64Array(raw) : new Uint8Array(raw);
  }
  return out;
}

/**
 * An index out of range in a generated module. A RangeError (the module depends on nothing, not
 * even opgraph's errors), named IndexError; the message names the node.
 */
export class IndexRangeError extends RangeError {
  override name = 'IndexError';
}
