// A content hash of a graph: its canonical text plus the full bytes of every constant, so two
// graphs share a hash only if they compute the same thing (the printed digest of a large
// constant is short and must not decide identity).
import { createHash } from 'node:crypto';
import type { Graph } from './graph.ts';
import { printGraph } from './print.ts';

/** SHA-256 over the printed graph and every constant's data. */
export function graphHash(g: Graph): string {
  const h = createHash('sha256').update(printGraph(g));
  for (const n of g.nodes) {
    if (n.op !== 'constant') continue;
    const d = n.attrs.value.data;
    h.update(new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
  }
  return h.digest('hex');
}
