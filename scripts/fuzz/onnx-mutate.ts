// ONNX-aware mutators: each decodes the model, breaks one thing a hostile or corrupt file could
// break (a missing initializer, a lying or huge shape, a cycle, an unknown op or opset, a wrong
// data type or attribute), and encodes it again, so the importer sees a well-formed protobuf that
// lies. Byte mutators (mutate.ts) cover the malformed-protobuf side.
import type { Rng } from '../../src/api/init.ts';
import { type OnnxModel, decodeModel, encodeModel } from '../../src/io/onnx/schema.ts';
import { type Mutator, below, pick } from './mutate.ts';

/** A mutator that edits the decoded model in place; files that do not decode pass unchanged. */
export function structural(name: string, edit: (m: OnnxModel, rng: Rng) => void): Mutator {
  return {
    name,
    apply(bytes, rng) {
      let model: OnnxModel;
      try {
        model = decodeModel(bytes);
      } catch {
        return bytes;
      }
      if (!model.graph) return bytes;
      edit(model, rng);
      return Uint8Array.from(encodeModel(model as unknown as Record<string, unknown>)); // a plain array, not a pooled Buffer
    },
  };
}

const HUGE = [0, -1, -7, 2 ** 31, 2 ** 40, 2 ** 53 - 1, 1e6];
const DATA_TYPES = [0, 2, 3, 8, 10, 11, 12, 13, 14, 16, 99];

export const ONNX_MUTATORS: readonly Mutator[] = [
  structural('drop-initializer', (m, rng) => {
    const inits = m.graph!.initializer;
    if (inits.length > 0) inits.splice(below(rng, inits.length), 1);
  }),
  structural('huge-initializer-dim', (m, rng) => {
    const t = m.graph!.initializer.length > 0 ? pick(rng, m.graph!.initializer) : undefined;
    if (t && t.dims.length > 0) t.dims[below(rng, t.dims.length)] = pick(rng, HUGE);
    else if (t) t.dims = [pick(rng, HUGE)];
  }),
  structural('huge-input-dim', (m, rng) => {
    const vi = [...m.graph!.input, ...m.graph!.output];
    const dims = vi.length > 0 ? pick(rng, vi).type?.tensorType?.shape?.dim : undefined;
    if (dims && dims.length > 0) dims[below(rng, dims.length)] = { dimValue: pick(rng, HUGE) };
  }),
  structural('wrong-data-type', (m, rng) => {
    const all = [...m.graph!.initializer, ...m.graph!.node.flatMap((n) => n.attribute.flatMap((a) => (a.t ? [a.t] : [])))];
    if (all.length > 0) pick(rng, all).dataType = pick(rng, DATA_TYPES);
    const vi = m.graph!.input.length > 0 ? pick(rng, m.graph!.input).type?.tensorType : undefined;
    if (vi && rng.next() < 0.5) vi.elemType = pick(rng, DATA_TYPES);
  }),
  structural('cycle', (m, rng) => {
    const nodes = m.graph!.node;
    if (nodes.length === 0) return;
    const a = below(rng, nodes.length);
    const b = a + below(rng, nodes.length - a);
    const from = nodes[b]!.output[0];
    if (from !== undefined && nodes[a]!.input.length > 0) nodes[a]!.input[below(rng, nodes[a]!.input.length)] = from;
  }),
  structural('missing-reference', (m, rng) => {
    const nodes = m.graph!.node;
    const n = nodes.length > 0 ? pick(rng, nodes) : undefined;
    if (n && n.input.length > 0) n.input[below(rng, n.input.length)] = 'no_such_tensor';
    else if (m.graph!.output.length > 0) m.graph!.output[0]!.name = 'no_such_tensor';
  }),
  structural('unknown-op', (m, rng) => {
    const n = m.graph!.node.length > 0 ? pick(rng, m.graph!.node) : undefined;
    if (n) n.opType = pick(rng, ['Frobnicate', 'Loop', 'If', '', 'Conv', n.opType.toLowerCase()]);
  }),
  structural('opset', (m, rng) => {
    const entry = m.opsetImport.find((o) => o.domain === '' || o.domain === 'ai.onnx');
    if (entry) entry.version = pick(rng, [0, 1, 6, 28, 1000, -3]);
    else m.opsetImport = [];
  }),
  structural('attribute', (m, rng) => {
    const n = m.graph!.node.find((x) => x.attribute.length > 0);
    if (!n) return;
    const a = pick(rng, n.attribute);
    switch (below(rng, 4)) {
      case 0: a.i = pick(rng, [...HUGE, -(2 ** 31)]); break;
      case 1: a.ints = a.ints.length > 0 ? a.ints.map(() => pick(rng, HUGE)) : [pick(rng, HUGE)]; break;
      case 2: a.type = pick(rng, [0, 1, 2, 3, 5, 7, 42]); break;
      default: n.attribute.splice(n.attribute.indexOf(a), 1);
    }
  }),
  structural('short-raw-data', (m, rng) => {
    const withData = m.graph!.initializer.filter((t) => t.rawData.length > 0);
    if (withData.length > 0) {
      const t = pick(rng, withData);
      t.rawData = t.rawData.slice(0, below(rng, t.rawData.length));
    }
  }),
  structural('external-data', (m, rng) => {
    const t = m.graph!.initializer.length > 0 ? pick(rng, m.graph!.initializer) : undefined;
    if (!t) return;
    t.dataLocation = 1;
    t.externalData = [{ key: 'location', value: pick(rng, ['../../etc/passwd', '/etc/passwd', 'missing.bin', 'a\u0000b']) }, { key: 'length', value: pick(rng, ['4', '-1', '99999999999']) }];
  }),
];
