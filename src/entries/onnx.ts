// `opgraph/onnx`: ONNX models from bytes, a URL or (Node) a path, the session API over them, and
// decoder exports (past/present keys and values) as compiled decoders.
import type { Graph } from '../ir/graph.ts';
import { OnnxError } from '../errors.ts';
import { type OnnxImportOptions, importOnnx, loadOnnx } from '../io/onnx/import.ts';

export { importOnnx, loadOnnx, type OnnxImportOptions } from '../io/onnx/import.ts';
export { UnknownDimError, type UnknownDim, type ConstantValue } from '../io/onnx/inputs.ts';
export { onnxSupport, type SupportReport } from '../io/onnx/check.ts';
export { UnsupportedModelError, type MissingFeature } from '../io/onnx/support.ts';
export { type OnnxLimits, DEFAULT_ONNX_LIMITS } from '../io/onnx/limits.ts';
/** Decoders exported with past/present keys and values, compiled for incremental decoding over a KV cache (docs/decoders.md). */
export { type OnnxDecoderOptions, type DecoderNames, loadOnnxDecoder, onnxDecoder, compileDecoder, type Decoder, type DecodeTarget, type GenerateOptions, type Generation } from '../decode/index.ts';
export { load, type Session, type SessionOptions, type SessionTarget, type TensorInfo, type Feed } from '../session.ts';

/** Fetches an ONNX model from a URL (a page's `fetch`) and imports it; an HTTP failure names the URL. */
export async function loadOnnxUrl(url: string | URL, opts: OnnxImportOptions = {}): Promise<Graph> {
  const res = await fetch(url);
  if (!res.ok) throw new OnnxError(`${String(url)}: HTTP ${res.status} ${res.statusText}`);
  return importOnnx(new Uint8Array(await res.arrayBuffer()), { name: String(url).split('/').pop() ?? 'model', ...opts });
}

/** loadOnnx for paths and bytes, loadOnnxUrl for URLs (an http(s): string or a URL object). */
export function loadOnnxFrom(source: string | URL | Uint8Array, opts: OnnxImportOptions = {}): Promise<Graph> {
  if (source instanceof URL || (typeof source === 'string' && /^https?:\/\//.test(source))) return loadOnnxUrl(source, opts);
  return loadOnnx(source, opts);
}
