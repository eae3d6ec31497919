// Deterministic mutators for the fuzz harness. A mutator turns one file into a broken variant,
// driven only by the seeded Rng it is given, so a case is reproduced from (seed, case number).
// Byte mutators know no format; the safetensors mutators edit the header or the data section.
import type { Rng } from '../../src/api/init.ts';

/** One way of breaking a file. */
export interface Mutator {
  readonly name: string;
  apply(bytes: Uint8Array, rng: Rng): Uint8Array;
}

/** A random integer in [0, n). */
export function below(rng: Rng, n: number): number {
  return Math.floor(rng.next() * n);
}

/** A random element of `xs`. */
export function pick<T>(rng: Rng, xs: readonly T[]): T {
  return xs[below(rng, xs.length)]!;
}

/** Format-blind mutators: bit flips, truncation, junk, overwritten ranges. */
export const BYTE_MUTATORS: readonly Mutator[] = [
  {
    name: 'bit-flip',
    apply(b, rng) {
      const out = b.slice();
      for (let k = 1 + below(rng, 8); k > 0 && out.length > 0; k--) out[below(rng, out.length)]! ^= 1 << below(rng, 8);
      return out;
    },
  },
  { name: 'truncate', apply: (b, rng) => b.slice(0, below(rng, b.length + 1)) },
  {
    name: 'append-junk',
    apply(b, rng) {
      const out = new Uint8Array(b.length + 1 + below(rng, 64));
      out.set(b);
      for (let i = b.length; i < out.length; i++) out[i] = below(rng, 256);
      return out;
    },
  },
  {
    name: 'overwrite-range',
    apply(b, rng) {
      const out = b.slice();
      const at = below(rng, out.length + 1);
      out.fill(pick(rng, [0x00, 0xff, 0x22, 0x7b, 0x5b, 0x30]), at, at + 1 + below(rng, 16));
      return out;
    },
  },
];

/** The parts of a safetensors file: header JSON text (undefined if unreadable) and data section. */
interface Split {
  readonly header: Record<string, unknown> | undefined;
  readonly data: Uint8Array;
}

function split(b: Uint8Array): Split {
  if (b.length < 8) return { header: undefined, data: new Uint8Array(0) };
  const n = Number(new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true));
  if (n > b.length - 8) return { header: undefined, data: new Uint8Array(0) };
  try {
    const header = JSON.parse(new TextDecoder().decode(b.subarray(8, 8 + n))) as unknown;
    const ok = typeof header === 'object' && header !== null && !Array.isArray(header);
    return { header: ok ? (header as Record<string, unknown>) : undefined, data: b.subarray(8 + n) };
  } catch {
    return { header: undefined, data: b.subarray(8 + n) };
  }
}

/** A safetensors file from header text and data, with a correct length prefix unless `len` is given. */
export function assemble(headerText: string, data: Uint8Array, len?: bigint): Uint8Array {
  const json = new TextEncoder().encode(headerText);
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, len ?? BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

/** A mutator over the parsed header of a file (byte-level fallback when the header is unreadable). */
function headerMutator(name: string, edit: (h: Record<string, unknown>, rng: Rng, data: Uint8Array) => string | void): Mutator {
  return {
    name,
    apply(b, rng) {
      const { header, data } = split(b);
      if (!header) return pick(rng, BYTE_MUTATORS).apply(b, rng);
      const h = structuredClone(header);
      const text = edit(h, rng, data);
      return assemble(text ?? JSON.stringify(h), data);
    },
  };
}

/** A tensor entry of the header to edit (undefined when there is none). */
function entryOf(h: Record<string, unknown>, rng: Rng): Record<string, unknown> | undefined {
  const names = Object.keys(h).filter((k) => k !== '__metadata__');
  if (names.length === 0) return undefined;
  const e = h[pick(rng, names)];
  return typeof e === 'object' && e !== null ? (e as Record<string, unknown>) : undefined;
}

const HUGE = [2 ** 31, 2 ** 32 + 1, 2 ** 53 - 1, 2 ** 53, 1e300, -1, -0.5, 1.5, Number.MAX_SAFE_INTEGER];
const DTYPES = ['F32', 'I32', 'I64', 'BOOL', 'F16', 'BF16', 'F64', 'U8', 'I8', 'f32', '', 'F32 ', '__proto__'];
const HOSTILE_NAMES = ['__proto__', 'constructor', 'toString', '', '"]; evil', '${x}', '*/', 'a\nb', '\u2028', 'x'.repeat(5000)];

/** Header-aware mutators for safetensors files. */
export const SAFETENSORS_MUTATORS: readonly Mutator[] = [
  {
    name: 'header-length',
    apply(b, rng) {
      const out = b.slice();
      if (out.length < 8) return out;
      const n = BigInt(Math.max(0, out.length - 8));
      const v = pick(rng, [0n, 1n, n - 1n, n + 1n, n + 8n, 2n ** 31n, 2n ** 32n, 2n ** 53n + 1n, 2n ** 63n, 2n ** 64n - 1n]);
      new DataView(out.buffer).setBigUint64(0, v < 0n ? 0n : v, true);
      return out;
    },
  },
  headerMutator('bad-json', (h, rng) => {
    const text = JSON.stringify(h);
    const at = below(rng, text.length + 1);
    return pick(rng, [
      text.slice(0, at),
      text.slice(0, at) + pick(rng, ['"', '{', ']', ',', '\\', '\u0000', 'NaN', '1e999']) + text.slice(at),
      '[]', 'null', '"x"', '{"a":' + '['.repeat(100_000), ' ' + text,
    ]);
  }),
  headerMutator('offsets-past-end', (h, rng, data) => {
    const e = entryOf(h, rng);
    if (!e) return;
    const end = pick(rng, [data.length + 1, data.length + 4, ...HUGE]);
    e.data_offsets = pick(rng, [[0, end], [end, end], [end, 0], [0], 'x', null]);
  }),
  headerMutator('overlap', (h, rng) => {
    const a = entryOf(h, rng);
    const b = entryOf(h, rng);
    if (!a || !b || !Array.isArray(a.data_offsets) || !Array.isArray(b.data_offsets)) return;
    const [a0] = a.data_offsets as number[];
    const [b0, b1] = b.data_offsets as number[];
    b.data_offsets = [a0, (a0 ?? 0) + ((b1 ?? 0) - (b0 ?? 0))];
  }),
  headerMutator('wrong-dtype', (h, rng) => {
    const e = entryOf(h, rng);
    if (e) e.dtype = pick(rng, [...DTYPES, 3, null, undefined]);
  }),
  headerMutator('huge-shape', (h, rng) => {
    const e = entryOf(h, rng);
    if (!e) return;
    const big = pick(rng, HUGE);
    e.shape = pick(rng, [[big], [65536, 65536], [0, big], [big, 0], Array(1 + below(rng, 200)).fill(1), [1e200, 1e200, 0], '4', [[2]], null]);
  }),
  headerMutator('reshape-same-size', (h, rng) => {
    // Keeps the byte count: the file parses, and only binding can notice.
    const e = entryOf(h, rng);
    if (!e || !Array.isArray(e.shape)) return;
    const dims = e.shape as number[];
    e.shape = pick(rng, [[dims.reduce((x, y) => x * y, 1)], [...dims].reverse(), [1, ...dims], dims.slice(0, -1).concat(dims.slice(-1).map((d) => d))]);
  }),
  headerMutator('retype-same-size', (h, rng) => {
    const e = entryOf(h, rng);
    if (e && (e.dtype === 'F32' || e.dtype === 'I32')) e.dtype = e.dtype === 'F32' ? 'I32' : 'F32';
  }),
  headerMutator('duplicate-key', (h, rng) => {
    const names = Object.keys(h);
    if (names.length === 0) return;
    const k = pick(rng, names);
    const body = JSON.stringify(h).slice(1, -1);
    return `{${body},${JSON.stringify(k)}:${JSON.stringify(h[k])}}`;
  }),
  headerMutator('rename', (h, rng) => {
    const names = Object.keys(h).filter((k) => k !== '__metadata__');
    if (names.length === 0) return;
    const k = pick(rng, names);
    const body = Object.entries(h).map(([n, v]) => `${JSON.stringify(n === k ? pick(rng, HOSTILE_NAMES) : n)}:${JSON.stringify(v)}`);
    return `{${body.join(',')}}`;
  }),
  headerMutator('drop-entry', (h, rng) => {
    const names = Object.keys(h);
    if (names.length > 0) delete h[pick(rng, names)];
  }),
  headerMutator('bad-metadata', (h, rng) => {
    h.__metadata__ = pick(rng, [[], 1, { a: 1 }, { b: null }, { c: 'ok' }, 'x', { __proto__: 'p' }]);
  }),
  {
    name: 'nan-data',
    apply(b, rng) {
      const { header } = split(b);
      if (!header) return b.slice();
      const out = b.slice();
      const start = out.length - split(b).data.length;
      const word = pick(rng, [0x7fc00000, 0x7f800000, 0xff800000, 0xffffffff, 0x00000001]);
      const view = new DataView(out.buffer);
      for (let i = start; i + 4 <= out.length; i += 4) view.setUint32(i, word, true);
      return out;
    },
  },
];
