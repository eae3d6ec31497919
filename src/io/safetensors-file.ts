// safetensors files on disk (Node): read with the size limit checked first, written atomically.
// The format itself (bytes in, bytes out, browser-safe) is safetensors.ts.
import { nodeOnly } from '../host/node.ts';
import { LimitError, SafetensorsError } from '../errors.ts';
import type { Tensor } from '../ir/tensor.ts';
import { writeFileAtomic } from './atomic.ts';
import { resolveLimits } from './limits.ts';
import { type ParseOptions, type SafetensorsContents, parseSafetensorsContents, serializeSafetensors } from './safetensors.ts';

/** Reads and parses a safetensors file; errors name the path. */
export async function readSafetensors(path: string, options: ParseOptions = {}): Promise<Map<string, Tensor>> {
  return (await readSafetensorsContents(path, options)).tensors;
}

/** Reads and parses a safetensors file, metadata included; errors name the path. */
export async function readSafetensorsContents(path: string, options: ParseOptions = {}): Promise<SafetensorsContents> {
  const limits = resolveLimits(options);
  const { readFile, stat } = nodeOnly('node:fs/promises', `reading ${JSON.stringify(path)}`, 'in a page, fetch the bytes and use parseSafetensors');
  let bytes: Uint8Array;
  try {
    const size = (await stat(path)).size;
    if (size > limits.maxFileBytes) throw new LimitError(`${path}: file size ${size} exceeds the limit maxFileBytes = ${limits.maxFileBytes}`);
    bytes = await readFile(path);
  } catch (e) {
    if (e instanceof LimitError) throw e;
    throw new SafetensorsError(`${path}: cannot read file (${(e as Error).message})`, { cause: e });
  }
  return parseSafetensorsContents(bytes, path, options);
}

/** Serialises and writes a safetensors file atomically (the target is never half-written). */
export async function writeSafetensors(
  path: string,
  tensors: ReadonlyMap<string, Tensor> | Readonly<Record<string, Tensor>>,
  metadata?: Readonly<Record<string, string>>,
): Promise<void> {
  await writeFileAtomic(path, serializeSafetensors(tensors, metadata));
}
