// A content hash of a graph: its canonical text plus the full bytes of every constant, so two
// graphs share a hash only if they compute the same thing (the printed digest of a large
// constant is short and must not decide identity).
import { sha256Hex } from './sha256.ts';
import type { Graph } from './graph.ts';
import { printGraph } from './print.ts';

/** SHA-256 over the printed graph and every constant's data. */
export function graphHash(g: Graph): string {
  const constants = g.nodes.flatMap((n) => {
    if (n.op !== 'constant') return [];
    const d = n.attrs.value.data;
    return [new Uint8Array(d.buffer, d.byteOffset, d.byteLength)];
  });
  return sha256Hex([printGraph(g), ...constants]);
}
