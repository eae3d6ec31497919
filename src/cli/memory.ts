// --max-memory BYTES: the aggregate memory budget of run, compile and print (maxMemoryBytes).
import { UsageError } from '../errors.ts';
import { MEMORY_FRACTION } from '../io/memory.ts';
import { type OptionSpec, type Parsed, optional } from './args.ts';

/** The option. */
export const MEMORY_OPTIONS: OptionSpec = { 'max-memory': { type: 'string' } };

/** Usage lines for the option. */
export const MEMORY_USAGE = `Memory option:
  --max-memory N       refuse a model whose weights, constants, intermediates and outputs
                       (from the memory plan, before anything is allocated) need more than
                       N bytes (suffixes K, M, G: 512M, 4G); default ${MEMORY_FRACTION * 100}% of this machine's memory`;

const UNITS: Readonly<Record<string, number>> = { '': 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 };

/** maxMemoryBytes from --max-memory, or undefined (the default) when absent. */
export function maxMemoryOption(verb: string, p: Parsed): number | undefined {
  const text = optional(p, 'max-memory');
  if (text === undefined) return undefined;
  const m = /^(\d+(?:\.\d+)?)\s*([KMGT]?)i?B?$/i.exec(text.trim());
  const bytes = m ? Math.floor(Number(m[1]) * UNITS[m[2]!.toUpperCase()]!) : NaN;
  if (!Number.isSafeInteger(bytes)) throw new UsageError(`${verb}: --max-memory ${JSON.stringify(text)} is not a size in bytes (e.g. 1073741824, 512M, 4G)`);
  return bytes;
}
