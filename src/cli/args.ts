// Command-line parsing for each verb: typed options, and usage errors that exit with code 2.
import { parseArgs } from 'node:util';
import { UsageError } from '../errors.ts';

/** One verb's option table, in node:util parseArgs form. */
export type OptionSpec = Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>;

/** Parsed options plus positional arguments. */
export interface Parsed {
  readonly values: Record<string, string | boolean | string[] | undefined>;
  readonly positionals: string[];
}

/** Parses `argv` for `verb`, turning unknown options and missing values into a UsageError. */
export function parseVerbArgs(verb: string, argv: readonly string[], options: OptionSpec): Parsed {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
    return { values: values as Parsed['values'], positionals };
  } catch (e) {
    const msg = e instanceof Error ? e.message.split('\n')[0]! : String(e);
    throw new UsageError(`${verb}: ${msg}`);
  }
}

/** The single positional MODEL argument. */
export function onePositional(verb: string, p: Parsed, what = 'MODEL'): string {
  if (p.positionals.length !== 1) {
    throw new UsageError(`${verb}: expected one ${what}, got ${p.positionals.length === 0 ? 'none' : p.positionals.join(' ')}`);
  }
  return p.positionals[0]!;
}

/** A string option that must be present. */
export function required(verb: string, p: Parsed, name: string): string {
  const v = p.values[name];
  if (typeof v !== 'string' || v === '') throw new UsageError(`${verb}: --${name} is required`);
  return v;
}

/** A string option that may be absent. */
export function optional(p: Parsed, name: string): string | undefined {
  const v = p.values[name];
  return typeof v === 'string' ? v : undefined;
}


/** The optimisation level of `-O`, or `fallback` when absent. */
export function optLevel(verb: string, p: Parsed, fallback: 0 | 1 | 2): 0 | 1 | 2 {
  const v = p.values.opt;
  if (v === undefined) return fallback;
  if (v === '0' || v === '1' || v === '2') return Number(v) as 0 | 1 | 2;
  throw new UsageError(`${verb}: unknown optimisation level -O${String(v)} (use -O0, -O1 or -O2)`);
}

/** A whole-number option (`--depth 2`), or undefined when absent; anything else is a UsageError. */
export function countOption(verb: string, p: Parsed, name: string): number | undefined {
  const v = optional(p, name);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) > 1000) throw new UsageError(`${verb}: --${name} must be a whole number from 0 to 1000, got ${JSON.stringify(v)}`);
  return Number(v);
}
