// `onnxSupport`: everything a model needs that the importer lacks, without stopping at the first.
// The import itself collects unsupported ops, attribute values and element types; when the input
// sizes are not all known, a scan of the file (op types and declared element types) stands in.
import { baseName, nodeOnly } from '../../host/node.ts';
import { UnsupportedOpError } from '../../errors.ts';
import { type OnnxImportOptions, importOnnx, loadOnnx } from './import.ts';
import { UnknownDimError } from './inputs.ts';
import { LOWERINGS } from './ops/index.ts';
import { refusal } from './ops/control.ts';
import { type OnnxGraph, decodeModel } from './schema.ts';
import { MissingFeatures, type MissingFeature, UnsupportedFeature, UnsupportedModelError } from './support.ts';
import { dtypeOf } from './tensor.ts';

/** What `onnxSupport` found: the missing features, and a note when only the file could be scanned. */
export interface SupportReport {
  readonly missing: readonly MissingFeature[];
  /** Why attribute values were not checked (the import could not run), when that is so. */
  readonly note?: string;
}

/** Op types and declared element types of a graph and its subgraphs that the importer lacks. */
function scan(g: OnnxGraph, found: MissingFeatures, file: string): void {
  const elem = (t: number, what: string): void => {
    try {
      dtypeOf(t, what);
    } catch (e) {
      if (e instanceof UnsupportedOpError) found.record(e);
    }
  };
  for (const t of g.initializer) elem(t.dataType, `${file}: initializer ${JSON.stringify(t.name)}`);
  for (const i of g.input) if (i.type?.tensorType) elem(i.type.tensorType.elemType, `${file}: graph input ${JSON.stringify(i.name)}`);
  for (const n of g.node) {
    const domain = n.domain === 'ai.onnx' ? '' : n.domain;
    const op = domain ? `${domain}.${n.opType}` : n.opType;
    if (!LOWERINGS[domain ? `${domain}:${n.opType}` : n.opType]) found.record(new UnsupportedFeature(`node ${JSON.stringify(n.name || n.output[0] || '?')} (${n.opType}): op ${op} is not supported${refusal(domain, n.opType)}`, `op ${op}`));
    for (const a of n.attribute) for (const sub of [...(a.g ? [a.g] : []), ...a.graphs]) scan(sub, found, file);
  }
}

/**
 * Everything `bytes` (or the file at `path`) needs that the importer lacks: each unsupported op,
 * attribute value and element type, with its count and first place. Other errors are thrown.
 */
export async function onnxSupport(model: string | Uint8Array, opts: OnnxImportOptions = {}): Promise<SupportReport> {
  const bytes = typeof model === 'string' ? await nodeOnly('node:fs/promises', `reading ${JSON.stringify(model)}`, 'in a page, pass the model\'s bytes').readFile(model) : model;
  const file = opts.name ?? (typeof model === 'string' ? baseName(model) : 'model');
  try {
    if (typeof model === 'string') await loadOnnx(model, opts);
    else importOnnx(bytes, { name: file, ...opts });
    return { missing: [] };
  } catch (e) {
    if (e instanceof UnsupportedModelError) return { missing: e.missing };
    if (!(e instanceof UnknownDimError)) throw e;
    const found = new MissingFeatures();
    const graph = decodeModel(bytes).graph;
    if (graph) scan(graph, found, file);
    const why = e.unknown.length > 0 ? `${e.unknown.length} size(s): give --dim/--shape to check attribute values too` : 'a sequence or optional input has no layout: give layouts to check attribute values too';
    return { missing: found.list, note: `${e.message.split(':')[0]}: input sizes are unknown, so only op types and declared element types were checked (${why})` };
  }
}
