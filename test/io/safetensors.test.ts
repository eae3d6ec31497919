// safetensors: round trips, a byte-exact hand-built file, and every validation failure.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LimitError, SafetensorsError } from '../../src/errors.ts';
import { MAX_HEADER_BYTES, parseSafetensors, parseSafetensorsContents, serializeSafetensors } from '../../src/io/safetensors.ts';
import { readSafetensors, readSafetensorsContents, writeSafetensors } from '../../src/io/safetensors-file.ts';
import { type Tensor, tensor } from '../../src/ir/tensor.ts';

/** A file from a header (object, raw JSON text or raw bytes) and a data section; `len` overrides the length prefix. */
function file(header: unknown, data: ArrayLike<number> = [], len?: bigint): Uint8Array {
  const json =
    header instanceof Uint8Array ? header : new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, len ?? BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

/** Parses and returns the SafetensorsError message (failing the test if it does not throw one). */
function failure(bytes: Uint8Array, source = 'model.safetensors', maxHeaderBytes?: number): string {
  try {
    parseSafetensors(bytes, source, maxHeaderBytes === undefined ? {} : { maxHeaderBytes });
  } catch (e) {
    expect(e).toBeInstanceOf(SafetensorsError);
    return (e as Error).message;
  }
  throw new Error('expected a SafetensorsError');
}

const sample = (): Map<string, Tensor> =>
  new Map<string, Tensor>([
    ['fc.weight', tensor('f32', [2, 3], [1.5, -2, 0, 3.25, 1e-7, -Infinity])],
    ['ids', tensor('i32', [4], [1, -2, 2147483647, -2147483648])],
    ['big', tensor('i64', [2], new BigInt64Array([-(2n ** 63n), 2n ** 62n + 1n]))],
    ['mask', tensor('bool', [2, 2], [1, 0, 0, 1])],
    ['scalar', tensor('f32', [], [42])],
    ['empty', tensor('i64', [0, 3])],
    ['7', tensor('i32', [1], [7])], // integer-like names are reordered by JSON.parse; order must survive
  ]);

describe('safetensors round trip', () => {
  it('keeps names, order, dtypes, shapes and bits of all four dtypes', () => {
    const src = sample();
    const bytes = serializeSafetensors(src, { format: 'pt' });
    const { tensors, metadata } = parseSafetensorsContents(bytes);
    expect([...tensors.keys()]).toEqual([...src.keys()]);
    for (const [name, t] of src) {
      const got = tensors.get(name)!;
      expect(got.dtype).toBe(t.dtype);
      expect(got.shape).toEqual(t.shape);
      expect(got.data).toEqual(t.data);
      expect(got.data.constructor).toBe(t.data.constructor);
    }
    expect({ ...metadata }).toEqual({ format: 'pt' });
  });

  it('pads the header with spaces to a multiple of 8 and lays data out contiguously', () => {
    const bytes = serializeSafetensors({ a: tensor('bool', [1], [1]), b: tensor('i32', [1], [5]) });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const header = new TextDecoder().decode(bytes.subarray(8, 8 + n));
    expect(header.trimEnd()).toBe(
      '{"a":{"dtype":"BOOL","shape":[1],"data_offsets":[0,1]},"b":{"dtype":"I32","shape":[1],"data_offsets":[1,5]}}',
    );
    expect(header.slice(header.trimEnd().length)).toMatch(/^ *$/);
    expect([...bytes.subarray(8 + n)]).toEqual([1, 5, 0, 0, 0]);
  });

  it('writes atomically and reads back from disk, errors naming the path', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'opgraph-st-'));
    try {
      const path = join(dir, 'model.safetensors');
      await writeSafetensors(path, sample(), { note: 'x' });
      expect(await readdir(dir)).toEqual(['model.safetensors']);
      expect([...(await readSafetensors(path)).keys()]).toEqual([...sample().keys()]);
      expect((await readSafetensorsContents(path)).metadata['note']).toBe('x');
      const bytes = await readFile(path);
      expect(parseSafetensors(bytes).get('ids')!.data).toEqual(new Int32Array([1, -2, 2147483647, -2147483648]));
      await expect(readSafetensors(join(dir, 'missing.safetensors'))).rejects.toThrow(/missing\.safetensors: cannot read/);
    } finally {
      await rm(dir, { recursive: true });
    }
  });

  it('refuses the reserved name and tensors whose data does not match their shape', () => {
    expect(() => serializeSafetensors({ __metadata__: tensor('f32', [1]) })).toThrow(SafetensorsError);
    const bad = { dtype: 'f32', shape: [3], data: new Float32Array(2) } as Tensor;
    expect(() => serializeSafetensors({ bad })).toThrow(/tensor "bad": f32\[3\] does not match its 2 elements/);
  });
});

describe('safetensors parsing of a hand-built file', () => {
  it('reads unaligned little-endian data byte by byte', () => {
    // A 57-byte header, so the data starts at byte 65: unaligned for f32 and i64.
    const header = '{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}   ';
    const bytes = Uint8Array.from([
      57, 0, 0, 0, 0, 0, 0, 0,
      ...[...header].map((c) => c.charCodeAt(0)),
      0x00, 0x00, 0x80, 0x3f, // 1.0f
      0x00, 0x00, 0x00, 0xc0, // -2.0f
    ]);
    expect(bytes.length).toBe(8 + 57 + 8);
    const w = parseSafetensors(bytes).get('w')!;
    expect(w.dtype).toBe('f32');
    expect(w.shape).toEqual([2]);
    expect(w.data).toEqual(new Float32Array([1, -2]));
  });

  it('reads i64 from an unaligned offset inside a larger buffer', () => {
    const inner = file({ a: { dtype: 'BOOL', shape: [1], data_offsets: [0, 1] }, b: { dtype: 'I64', shape: [1], data_offsets: [1, 9] } },
      [1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]);
    const outer = new Uint8Array(inner.length + 3);
    outer.set(inner, 3);
    const got = parseSafetensors(outer.subarray(3));
    expect(got.get('a')!.data).toEqual(new Uint8Array([1]));
    expect(got.get('b')!.data).toEqual(new BigInt64Array([2n ** 63n - 1n]));
  });

  it('accepts a file with no tensors and a null metadata', () => {
    expect(parseSafetensors(file({})).size).toBe(0);
    expect(parseSafetensorsContents(file({ __metadata__: null })).tensors.size).toBe(0);
  });
});

const f32x2 = { dtype: 'F32', shape: [2], data_offsets: [0, 8] };
const eight = new Array<number>(8).fill(0);

describe('safetensors validation', () => {
  it.each([
    ['a file shorter than 8 bytes', new Uint8Array(5), /^model\.safetensors: file is 5 bytes, shorter than/],
    ['a header length past the file', file({}, [], 1n << 40n), /header length 1099511627776 is larger than the 2 bytes/],
    ['a u64 header length near 2^64', file({}, [], (1n << 64n) - 1n), /header length 18446744073709551615 is larger/],
    ['invalid UTF-8', file(new Uint8Array([0x7b, 0xff, 0x7d])), /header is not valid UTF-8/],
    ['invalid JSON', file('{"w": '), /header is not valid JSON/],
    ['a JSON array', file('[1,2]'), /header does not start with "\{"/],
    ['leading whitespace', file(' {}'), /header does not start with "\{"/],
    ['a non-object entry', file({ w: 3 }), /tensor "w": entry is not an object/],
    ['a missing dtype', file({ w: { shape: [], data_offsets: [0, 0] } }), /tensor "w": dtype is missing/],
    ['BF16', file({ w: { ...f32x2, dtype: 'BF16' } }, eight), /tensor "w": unsupported dtype "BF16" \(supported: F32, I32, I64, BOOL, F16\)/],
    ['F16 with an f32 byte count', file({ w: { ...f32x2, dtype: 'F16' } }, eight), /tensor "w": data_offsets \[0,8\] hold 8 bytes but F16\[2\] needs 4/],
    ['a missing shape', file({ w: { dtype: 'F32', data_offsets: [0, 0] } }), /tensor "w": shape is missing/],
    ['a negative dim', file({ w: { ...f32x2, shape: [-2] } }, eight), /tensor "w": shape \[-2\] is not a list of non-negative/],
    ['a fractional dim', file({ w: { ...f32x2, shape: [1.5] } }, eight), /tensor "w": shape \[1\.5\]/],
    ['a string dim', file({ w: { ...f32x2, shape: ['2'] } }, eight), /tensor "w": shape \["2"\]/],
    ['an unsafe dim', file({ w: { ...f32x2, shape: [2 ** 53] } }, eight), /tensor "w": shape \[9007199254740992\]/],
    ['a repeated tensor name', file('{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}', eight),
      /header names "w" twice/],
    ['a repeated __proto__', file('{"__proto__":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}, "__proto__":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', eight),
      /header names "__proto__" twice/],
    ['missing offsets', file({ w: { dtype: 'F32', shape: [2] } }, eight), /tensor "w": data_offsets missing is not two/],
    ['three offsets', file({ w: { ...f32x2, data_offsets: [0, 4, 8] } }, eight), /tensor "w": data_offsets \[0,4,8\] is not two/],
    ['reversed offsets', file({ w: { ...f32x2, data_offsets: [8, 0] } }, eight), /tensor "w": data_offsets \[8,0\] begin after/],
    ['offsets past the data', file({ w: { ...f32x2, data_offsets: [0, 16] } }, eight), /tensor "w": data_offsets \[0,16\] run past the 8-byte/],
    ['a size mismatch', file({ 'fc.weight': { dtype: 'F32', shape: [4, 4], data_offsets: [0, 96] } }, new Array(96).fill(0)),
      /^model\.safetensors: tensor "fc\.weight": data_offsets \[0,96\] hold 96 bytes but f32\[4,4\] needs 64$/],
    ['a bool byte of 2', file({ m: { dtype: 'BOOL', shape: [2], data_offsets: [0, 2] } }, [1, 2]), /tensor "m": bool element 1 has byte value 2/],
    ['overlapping tensors', file({ a: f32x2, b: { ...f32x2, shape: [1], data_offsets: [4, 8] } }, eight),
      /tensor "b": data_offsets \[4,8\] overlap tensor "a" \[0,8\]/],
    ['a gap', file({ a: { ...f32x2, shape: [1], data_offsets: [4, 8] } }, eight), /tensor "a": data_offsets \[4,8\] leave a gap of 4 bytes at data offset 0/],
    ['trailing bytes', file({ a: { ...f32x2, shape: [1], data_offsets: [0, 4] } }, eight), /data section has 8 bytes but tensors cover only 4/],
    ['non-string metadata', file({ __metadata__: { a: 1 } }), /__metadata__ entry "a" is not a string/],
    ['array metadata', file({ __metadata__: ['a'] }), /__metadata__ is not an object/],
  ])('rejects %s', (_what, bytes, message) => {
    expect(failure(bytes)).toMatch(message);
  });

  it('names the source in every message', () => {
    expect(failure(new Uint8Array(3), '/models/x.safetensors')).toMatch(/^\/models\/x\.safetensors: /);
    expect(failure(new Uint8Array(3), undefined)).toMatch(/^model\.safetensors: /);
    expect(() => parseSafetensors(new Uint8Array(3))).toThrow(/^<buffer>: /);
  });

  it('applies the header bound (100 MiB by default) before decoding', () => {
    expect(MAX_HEADER_BYTES).toBe(100 * 1024 * 1024);
    expect(() => parseSafetensors(file('{}      ', []), 'm', { maxHeaderBytes: 4 })).toThrow(
      new LimitError('m: header length 8 exceeds the limit maxHeaderBytes = 4'),
    );
  });

  it('rejects a huge claimed size in a tiny file without allocating it', () => {
    const before = process.memoryUsage().arrayBuffers;
    const header = { w: { dtype: 'F32', shape: [2147483647], data_offsets: [0, 8589934588] } };
    expect(failure(file(header, eight))).toMatch(/data_offsets \[0,8589934588\] run past the 8-byte data section/);
    expect(failure(file({}, [], 1n << 62n))).toMatch(/header length \d+ is larger than/);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(1 << 20);
  });

  it('clips hostile names in messages and keeps them on one line', () => {
    const name = `evil\n${'x'.repeat(1000)}`;
    const message = failure(file({ [name]: 3 }));
    expect(message).not.toContain('\n');
    expect(message.length).toBeLessThan(200);
    expect(message).toContain('tensor "evil\\nxxx');
  });
});

describe('safetensors resource limits', () => {
  const limited = (bytes: Uint8Array, options = {}): string => {
    try {
      parseSafetensors(bytes, 'm', options);
    } catch (e) {
      expect(e).toBeInstanceOf(LimitError);
      return (e as Error).message;
    }
    throw new Error('expected a LimitError');
  };

  it('refuses element counts past 2^31 - 1 by default, and overflowing products, before reading data', () => {
    expect(limited(file({ w: { ...f32x2, shape: [65536, 65536] } }, eight))).toBe(
      'm: tensor "w": shape [65536,65536] element count 4294967296 exceeds the limit maxTensorElements = 2147483647');
    expect(limited(file({ w: { ...f32x2, shape: [2 ** 31, 0] } }, eight))).toMatch(/shape \[2147483648,0\] dimension 2147483648 exceeds the limit/);
    const huge = Array.from({ length: 40 }, () => 2 ** 30);
    expect(limited(file({ w: { ...f32x2, shape: huge } }, eight))).toMatch(/element count Infinity exceeds the limit maxTensorElements/);
  });

  it('applies maxTensors, maxTensorElements, maxRank and maxFileBytes when given', () => {
    const two = file({ a: { ...f32x2, shape: [1], data_offsets: [0, 4] }, b: { ...f32x2, shape: [1], data_offsets: [4, 8] } }, eight);
    expect(parseSafetensors(two, 'm', { maxTensors: 2 }).size).toBe(2);
    expect(limited(two, { maxTensors: 1 })).toBe('m: tensor count 2 exceeds the limit maxTensors = 1');
    expect(limited(file({ w: { ...f32x2, shape: [2, 1] } }, eight), { maxTensorElements: 1 })).toMatch(/^m: tensor "w": shape \[2,1\] dimension 2 exceeds/);
    expect(limited(file({ w: { ...f32x2, shape: [2, 2] } }, eight), { maxTensorElements: 3 })).toBe('m: tensor "w": shape [2,2] element count 4 exceeds the limit maxTensorElements = 3');
    expect(limited(file({ w: { ...f32x2, shape: [1, 1, 2] } }, eight), { maxRank: 2 })).toBe('m: tensor "w": rank 3 exceeds the limit maxRank = 2');
    expect(limited(file({ w: f32x2 }, eight), { maxFileBytes: 16 })).toMatch(/^m: file size \d+ exceeds the limit maxFileBytes = 16$/);
  });

  it('checks the size of a file before reading it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'opgraph-limits-'));
    try {
      const path = join(dir, 'w.safetensors');
      await writeSafetensors(path, sample());
      await expect(readSafetensors(path, { maxFileBytes: 10 })).rejects.toThrow(LimitError);
      await expect(readSafetensors(path, { maxFileBytes: 10 })).rejects.toThrow(/w\.safetensors: file size \d+ exceeds the limit maxFileBytes = 10/);
    } finally {
      await rm(dir, { recursive: true });
    }
  });

  it('refuses a negative or fractional limit', () => {
    expect(() => parseSafetensors(file({}), 'm', { maxTensors: -1 })).toThrow(new LimitError('limit maxTensors must be a non-negative integer, got -1'));
  });
});
