// A decoder exported to ONNX with past/present keys and values (as torch.onnx.export and Hugging
// Face's exporters write them) as a DecoderModel, so compileDecoder's step and prefill graphs
// come from the file, with the KV cache in the runtime's memory like any other decoder's.
//
// Each graph of `seq` new tokens is the export imported at concrete sizes and replayed with its
// attentions over the cache (call.ts). Sizes fold at import, so the import is made at three past
// lengths (pastLengths) and the replays must be the same graph, constant for constant: then
// nothing but the positions (replaced by the run-time ones) and the attention over the past
// (replaced by the cache, its mask checked causal at each length) depended on the past's length
// there. A check at sampled lengths, not a proof: a dependence that agrees at all three is not
// seen, which is why the largest length a call can meet is one of them (windows and clamps show
// there). Anything that differs is refused, naming the first node that does.
import { baseName } from '../../host/node.ts';
import { PIPELINES, runPipeline } from '../../../passes/pipeline.ts';
import { fuseAttention } from '../../../passes/fuse-attention.ts';
import { OnnxDecoderError, UnsupportedOpError, isOpgraphError } from '../../errors.ts';
import type { Graph } from '../../ir/graph.ts';
import { type DecoderModel, decoderGraph } from '../../api/decoding.ts';
import type { GraphBuilder } from '../../api/builder.ts';
import type { DecodeContext } from '../../api/decoding.ts';
import type { Sym } from '../../api/sym.ts';
import { type OnnxImportOptions, importOnnx, readOnnxFile } from '../../io/onnx/import.ts';
import { modelDir } from '../../io/onnx/tensor.ts';
import { type CallPlan, planCall, replayCall } from './call.ts';
import { type DecoderInterface, type DecoderNames, callSizes, readInterface } from './interface.ts';
import { firstDifference } from './compare.ts';

/** Options of onnxDecoder and loadOnnxDecoder. */
export interface OnnxDecoderOptions extends DecoderNames, Pick<OnnxImportOptions, 'limits' | 'baseDir' | 'maxMemoryBytes'> {
  /** The KV cache's length: prompt plus generated tokens never exceed it (at most the model's own context). */
  readonly maxContext: number;
  /** The decoder's name (default: the file's name). */
  readonly name?: string;
}

/** The passes that fuse attention (the -O2 pipeline up to fuse-attention), so the attentions over the past can be found. */
const TO_ATTENTION = PIPELINES[2].slice(0, PIPELINES[2].indexOf(fuseAttention) + 1);

/**
 * An ONNX decoder export (inputs `input_ids`, `past.N.key`/`.value` or any other name for the
 * past keys and values [batch, heads, past, head_dim], optionally `position_ids` and
 * `attention_mask`; outputs `logits` and the presents) as a DecoderModel for compileDecoder.
 * Refuses, with an OnnxDecoderError naming the input or node, an export whose structure it does
 * not understand (docs/decoders.md lists what). Graphs are checked when compileDecoder builds them.
 */
export function onnxDecoder(bytes: Uint8Array, opts: OnnxDecoderOptions): DecoderModel {
  const file = opts.name ?? 'model.onnx';
  if (!(Number.isInteger(opts.maxContext) && opts.maxContext >= 3)) throw new OnnxDecoderError(`${file}: maxContext must be an integer >= 3, got ${opts.maxContext}`);
  const iface = readInterface(bytes, opts, file, opts.limits);
  return new OnnxDecoder(bytes, iface, opts, file.replace(/\.onnx$/i, ''));
}

/** onnxDecoder from a path (external data resolved from its folder) or bytes. */
export async function loadOnnxDecoder(source: string | Uint8Array, opts: OnnxDecoderOptions): Promise<DecoderModel> {
  if (typeof source !== 'string') return onnxDecoder(source, opts);
  return onnxDecoder(await readOnnxFile(source, opts.limits), { baseDir: modelDir(source), name: baseName(source), ...opts });
}

/**
 * The past lengths a call of `seq` tokens is checked at: the largest it can meet (maxContext -
 * seq: a window or a clamp of the positions shows there), half of it, and 3 (a dependence that
 * only starts below the half), without repeats.
 */
export function pastLengths(maxContext: number, seq: number): number[] {
  const hi = maxContext - seq;
  const mid = Math.floor(hi / 2);
  if (mid < 1) return hi >= 0 ? [hi] : [];
  return [...new Set([Math.min(3, mid), mid, hi])];
}

class OnnxDecoder implements DecoderModel {
  private readonly plans = new Map<number, CallPlan>();

  constructor(private readonly bytes: Uint8Array, private readonly iface: DecoderInterface, private readonly opts: OnnxDecoderOptions, readonly name: string) {}

  get maxContext(): number {
    return this.opts.maxContext;
  }

  forward(g: GraphBuilder, tokens: Sym, ctx: DecodeContext): Sym {
    return replayCall(this.plan(ctx.tokens), g, tokens, ctx);
  }

  /** The checked plan of calls of `seq` tokens: imported at several past lengths, whose replays must agree. */
  private plan(seq: number): CallPlan {
    const known = this.plans.get(seq);
    if (known) return known;
    const pasts = pastLengths(this.maxContext, seq);
    if (pasts.length < 2) throw new OnnxDecoderError(`${this.iface.file}: a call of ${seq} token(s) needs maxContext >= ${seq + 2} (it is ${this.maxContext}), so that the export can be checked at two past lengths`);
    const plans = pasts.map((p) => this.importCall(seq, p));
    const first = this.body(plans[0]!);
    for (const other of plans.slice(1)) {
      const diff = firstDifference(first, this.body(other));
      if (diff) throw new OnnxDecoderError(`${this.iface.file}: the graph of ${seq} new token(s) depends on the past's length other than through the positions and the attention over the past (imported after ${plans[0]!.past} and after ${other.past} cached tokens, it differs at ${diff}); opgraph cannot run one step graph at every position`);
    }
    this.plans.set(seq, plans[0]!);
    return plans[0]!;
  }

  /** The export imported for `seq` tokens after `past`, through fuse-attention, and how it decodes. */
  private importCall(seq: number, past: number): CallPlan {
    const { limits, baseDir, maxMemoryBytes } = this.opts;
    let g: Graph;
    try {
      g = importOnnx(this.bytes, { name: this.iface.file, ...callSizes(this.iface, seq, past), ...(limits ? { limits } : {}), ...(baseDir ? { baseDir } : {}), ...(maxMemoryBytes !== undefined ? { maxMemoryBytes } : {}) });
      g = runPipeline(g, TO_ATTENTION).graph;
    } catch (e) {
      if (!isOpgraphError(e) || e instanceof UnsupportedOpError) throw e;
      throw new OnnxDecoderError(`${this.iface.file}, imported for ${seq} new token(s) after ${past} cached ones (batch 1, maxContext ${this.maxContext}): ${e.message}`, { cause: e });
    }
    return planCall(g, this.iface, seq, past);
  }

  /** The replay of `plan` as a step graph (input `pos`), for comparing past lengths. */
  private body(plan: CallPlan): Graph {
    const model: DecoderModel = { name: this.name, maxContext: this.maxContext, forward: (g, tokens, ctx) => replayCall(plan, g, tokens, ctx) };
    return decoderGraph(model, { tokens: plan.seq, prefill: false });
  }
}
