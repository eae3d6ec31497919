// The interface of an ONNX decoder export, read from its declared inputs and outputs before any
// import: the token ids, the past keys and values ([batch, heads, past, head_dim], the past's
// length free), the optional position_ids and attention_mask, and the logits. Then the sizes and
// pinned values of one import at `seq` new tokens after `past` cached ones, batch 1.
import { OnnxDecoderError, OnnxError } from '../../errors.ts';
import { tensor } from '../../ir/tensor.ts';
import { type DType, numel } from '../../ir/types.ts';
import type { OnnxImportOptions } from '../../io/onnx/import.ts';
import type { ConstantValue } from '../../io/onnx/inputs.ts';
import { type OnnxLimits, resolveOnnxLimits } from '../../io/onnx/limits.ts';
import { prescanModel } from '../../io/onnx/prescan.ts';
import { type OnnxModel, type OnnxValueInfo, decodeModel } from '../../io/onnx/schema.ts';
import { dtypeOf } from '../../io/onnx/tensor.ts';

/** The names of an export's inputs and outputs, where they differ from Hugging Face's. */
export interface DecoderNames {
  /** The token ids, [batch, seq] integers (default `input_ids`). */
  readonly inputIds?: string;
  /** Positions of the new tokens, [batch, seq] integers: fed the context's positions (default `position_ids`, when the model has it). */
  readonly positionIds?: string;
  /** [batch, past + seq], 1 = attend: pinned to all ones, batch 1 having no padding (default `attention_mask`, when the model has it). */
  readonly attentionMask?: string;
  /** [batch, seq, vocab] (default `logits`). */
  readonly logits?: string;
}

/** A declared graph input: dtype and dims (a size, a dim_param, or null for `?`). */
export interface Declared {
  readonly name: string;
  readonly dtype: DType;
  readonly dims: readonly (number | string | null)[];
}

/** A past key or value input: [batch, heads, past, headDim]. */
export interface PastInput {
  readonly name: string;
  readonly heads: number;
  readonly headDim: number;
}

/** What the decoder needs to know of the export's interface. */
export interface DecoderInterface {
  readonly file: string;
  readonly tokens: Declared;
  readonly positionIds?: Declared;
  readonly attentionMask?: Declared;
  readonly pasts: readonly PastInput[];
  readonly logits: string;
  /** The other outputs (the presents). */
  readonly presents: readonly string[];
}

const INTEGER: readonly DType[] = ['i64', 'i32'];

function declared(info: OnnxValueInfo, file: string): Declared {
  const what = `${file}: graph input ${JSON.stringify(info.name)}`;
  const tt = info.type?.tensorType;
  if (!tt) throw new OnnxDecoderError(`${what} is not a tensor`);
  if (!tt.shape) throw new OnnxDecoderError(`${what} declares no shape, so its role in a decoder cannot be read`);
  const dims = tt.shape.dim.map((d) => (d.dimValue !== undefined ? d.dimValue : d.dimParam ? d.dimParam : null));
  return { name: info.name, dtype: dtypeOf(tt.elemType, what), dims };
}

function decode(bytes: Uint8Array, limits: OnnxLimits, file: string): OnnxModel {
  prescanModel(bytes, limits, file);
  try {
    return decodeModel(bytes);
  } catch (e) {
    throw new OnnxError(`${file}: not a valid ONNX model (${e instanceof Error ? e.message : String(e)})`);
  }
}

/** The input `name` if the model has it; `required` makes a missing one an error. */
function role(inputs: Map<string, Declared>, name: string, what: string, file: string, required: boolean, rank: number): Declared | undefined {
  const d = inputs.get(name);
  if (!d) {
    if (required) throw new OnnxDecoderError(`${file}: no graph input ${JSON.stringify(name)} for the ${what} (its inputs: ${[...inputs.keys()].join(', ')}; name it with the ${what === 'token ids' ? 'inputIds' : 'names'} option)`);
    return undefined;
  }
  inputs.delete(name);
  if (!INTEGER.includes(d.dtype) && what !== 'attention mask') throw new OnnxDecoderError(`${file}: the ${what} input ${JSON.stringify(name)} is ${d.dtype}, not an integer tensor`);
  if (d.dims.length !== rank) throw new OnnxDecoderError(`${file}: the ${what} input ${JSON.stringify(name)} has rank ${d.dims.length}; a decoder's is [batch, ${what === 'attention mask' ? 'past + seq' : 'seq'}]`);
  return d;
}

/** A past key or value: f32 [batch, heads, past, headDim] with heads and headDim declared and the past free. */
function pastInput(d: Declared, file: string): PastInput {
  const what = `${file}: graph input ${JSON.stringify(d.name)}`;
  const [b, h, p, e] = d.dims;
  const understood = 'is not the token ids, position_ids, attention_mask, or a past key or value (f32 [batch, heads, past, head_dim] with heads and head_dim fixed)';
  if (d.dtype !== 'f32' || d.dims.length !== 4 || typeof h !== 'number' || typeof e !== 'number') throw new OnnxDecoderError(`${what} (${d.dtype} [${d.dims.map((x) => x ?? '?').join(',')}]) ${understood}`);
  if (typeof p === 'number') throw new OnnxDecoderError(`${what}: its past length (axis 2) is fixed at ${p}; a decoder export leaves it free`);
  if (typeof b === 'number' && b !== 1) throw new OnnxDecoderError(`${what}: batch ${b}; opgraph decodes one sequence (batch 1)`);
  return { name: d.name, heads: h, headDim: e };
}

/** Reads the interface of an ONNX decoder export (the file is checked against `limits` first). */
export function readInterface(bytes: Uint8Array, names: DecoderNames, file: string, limits?: Partial<OnnxLimits>): DecoderInterface {
  const g = decode(bytes, resolveOnnxLimits(limits), file).graph;
  if (!g) throw new OnnxError(`${file}: not a valid ONNX model (no graph)`);
  const initializers = new Set(g.initializer.map((t) => t.name));
  const inputs = new Map(g.input.filter((i) => !initializers.has(i.name)).map((i) => [i.name, declared(i, file)]));
  const tokens = role(inputs, names.inputIds ?? 'input_ids', 'token ids', file, true, 2)!;
  const positionIds = role(inputs, names.positionIds ?? 'position_ids', 'position ids', file, names.positionIds !== undefined, 2);
  const attentionMask = role(inputs, names.attentionMask ?? 'attention_mask', 'attention mask', file, names.attentionMask !== undefined, 2);
  const pasts = [...inputs.values()].map((d) => pastInput(d, file));
  if (pasts.length === 0) throw new OnnxDecoderError(`${file}: no past key or value inputs: the export has no KV cache (export it with past key values, as torch.onnx.export of a model taking past does)`);
  const logits = names.logits ?? 'logits';
  const outputs = g.output.map((o) => o.name);
  if (!outputs.includes(logits)) throw new OnnxDecoderError(`${file}: no graph output ${JSON.stringify(logits)} (its outputs: ${outputs.join(', ')}; name it with the logits option)`);
  return { file, tokens, ...(positionIds ? { positionIds } : {}), ...(attentionMask ? { attentionMask } : {}), pasts, logits, presents: outputs.filter((o) => o !== logits) };
}

/** The import options of one decoding call: `seq` new tokens after `past` cached ones, batch 1. */
export function callSizes(iface: DecoderInterface, seq: number, past: number): Pick<OnnxImportOptions, 'shapes' | 'constants'> {
  const shapes: Record<string, number[]> = { [iface.tokens.name]: [1, seq] };
  if (iface.positionIds) shapes[iface.positionIds.name] = [1, seq];
  for (const p of iface.pasts) shapes[p.name] = [1, p.heads, past, p.headDim];
  const constants: Record<string, ConstantValue> = {};
  const mask = iface.attentionMask;
  if (mask) {
    const shape = [1, past + seq];
    constants[mask.name] = tensor(mask.dtype, shape, new Array<number>(numel(shape)).fill(1));
  }
  return { shapes, constants };
}
