// The sanitiser: how anything taken from a model (names, labels, strings) may appear in
// generated TypeScript. Identifiers are always generated; names appear only as escaped
// string literals or as defanged comment text.
import type { DType } from '../../ir/types.ts';

/**
 * A TypeScript string literal for `s`. JSON escapes quotes, backslashes and control
 * characters; U+2028/2029 and lone surrogates are escaped too, so the literal is plain ASCII
 * where it matters and can never end early or start a template substitution.
 */
export function tsString(s: string): string {
  return JSON.stringify(s).replace(/[\u2028\u2029\ud800-\udfff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Text safe inside a `//` comment: one line, printable ASCII, at most `max` characters. */
export function commentText(s: string, max = 60): string {
  const clean = s.replace(/[^\x20-\x7e]/g, '?').replace(/\*\//g, '*?');
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

/** The typed array holding each dtype (and f64, the element type of kernel scratch). */
export const ARRAY_TYPE: Readonly<Record<DType | 'f64', string>> = {
  f64: 'Float64Array',
  f32: 'Float32Array',
  i32: 'Int32Array',
  i64: 'BigInt64Array',
  bool: 'Uint8Array',
};

/** Reads element `index` of array `arr` of `dtype` as a JS number. */
export function load(arr: string, index: string, dtype: DType): string {
  return dtype === 'i64' ? `Number(${arr}[${index}])` : `${arr}[${index}]`;
}

/** Converts number expression `e` for a store into an array of `dtype` (the fromNumberArray rule). */
export function storeValue(e: string, dtype: DType): string {
  if (dtype === 'i64') return `toI64(${e})`;
  if (dtype === 'bool') return `((${e}) !== 0 ? 1 : 0)`;
  return e; // Float32Array rounds, Int32Array truncates and wraps: the rule itself.
}

/** A number as a TypeScript literal that round-trips exactly (Infinity and NaN spelled out). */
export function numberLiteral(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (Object.is(x, -0)) return '-0';
  return String(x);
}
