// The wasm backend's command-line options, shared by the verbs that run or compile for it.
import { UsageError } from '../../errors.ts';
import { type Parsed, optional } from '../args.ts';

/** --simd and --threads, checked. */
export interface WasmCliOptions {
  readonly simd?: 'relaxed' | 'plain';
  readonly threads?: number;
}

/** Reads --simd and --threads; they need the wasm backend, or auto (which they make wasm); `target` names what the verb uses. */
export function wasmOptions(verb: string, p: Parsed, target: string): WasmCliOptions {
  const simd = optional(p, 'simd');
  const threads = optional(p, 'threads');
  if ((simd !== undefined || threads !== undefined) && target !== 'wasm' && target !== 'auto') {
    throw new UsageError(`${verb}: --${simd !== undefined ? 'simd' : 'threads'} needs the wasm backend`);
  }
  if (simd !== undefined && simd !== 'relaxed' && simd !== 'plain') throw new UsageError(`${verb}: unknown --simd ${JSON.stringify(simd)} (available: relaxed, plain)`);
  const n = threads === undefined ? undefined : Number(threads);
  if (n !== undefined && !(Number.isInteger(n) && n >= 1 && n <= 64)) throw new UsageError(`${verb}: --threads must be an integer from 1 to 64, got ${JSON.stringify(threads)}`);
  return { ...(simd ? { simd } : {}), ...(n !== undefined ? { threads: n } : {}) };
}
