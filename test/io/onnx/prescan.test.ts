// The wire pre-scan: repeated fields are counted before protobufjs builds objects, so a file under
// the size limit is refused with a LimitError at a small cost (time and memory) instead of
// decoding gigabytes first; ordinary models pass through unchanged.
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LimitError } from '../../../src/errors.ts';
import { importOnnx } from '../../../src/io/onnx/import.ts';
import { DEFAULT_ONNX_LIMITS } from '../../../src/io/onnx/limits.ts';
import { DECODE_FACTOR, DECODE_SLACK, prescanModel } from '../../../src/io/onnx/prescan.ts';
import { encodeModel } from '../../../src/io/onnx/schema.ts';

/** A ModelProto whose graph is `graph` (already-encoded repeated fields appended raw). */
function withGraph(graphBytes: Uint8Array): Uint8Array {
  const head = encodeModel({ irVersion: 8, opsetImport: [{ domain: '', version: 17 }] });
  return concat(head, tagged(7, graphBytes));
}
function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 128) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}
const tagged = (field: number, body: Uint8Array) => new Uint8Array([...varint(field * 8 + 2), ...varint(body.length), ...body]);
function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
/** `count` copies of an empty embedded message in field `field`: 2 bytes each. */
function empties(field: number, count: number): Uint8Array {
  const out = new Uint8Array(count * 2);
  for (let i = 0; i < count; i++) out[2 * i] = field * 8 + 2;
  return out;
}

/** Runs `f`, returning its error, the milliseconds and the arrayBuffers + heap growth. */
function measure(f: () => unknown): { err: unknown; ms: number; grew: number } {
  const m0 = process.memoryUsage();
  const t0 = performance.now();
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  const m1 = process.memoryUsage();
  return { err, ms: performance.now() - t0, grew: m1.heapUsed + m1.arrayBuffers - m0.heapUsed - m0.arrayBuffers };
}

describe('ONNX wire pre-scan', () => {
  it('10M empty NodeProtos (a 20 MB file) are refused before decoding, fast and without allocating', () => {
    const bytes = withGraph(empties(1, 10_000_000));
    expect(bytes.length).toBeLessThan(21_000_000);
    const r = measure(() => importOnnx(bytes, { name: 'nodes.onnx' }));
    expect(r.err).toBeInstanceOf(LimitError);
    expect((r.err as Error).message).toMatch(/^nodes\.onnx: decoding its 10000003 messages \(10000000 nodes\) would take about \d+ bytes, over 32x the file's \d+ bytes/);
    expect(r.grew).toBeLessThan(4 * bytes.length);
    expect(r.ms).toBeLessThan(5000);
  });

  it('with a generous decode bound the node count itself is checked on the wire (maxNodes over every graph)', () => {
    const bytes = withGraph(empties(1, 1000));
    expect(() => prescanModel(bytes, { ...DEFAULT_ONNX_LIMITS, maxNodes: 999 }, 'm.onnx')).toThrow(/^m\.onnx: node count: 1000 exceeds the limit maxNodes = 999$/);
  });

  it('5M dims in one shape and 3M graph inputs are refused by maxRank and maxTensors on the wire', () => {
    const shape = empties(1, 5_000_000);
    const type = tagged(1, tagged(2, shape)); // TypeProto.tensor_type.shape
    const input = tagged(11, concat(tagged(1, new TextEncoder().encode('x')), tagged(2, type)));
    // The files are built before measuring: only the import's own allocations count.
    const dimsFile = withGraph(input);
    const inputsFile = withGraph(empties(11, 3_000_000));
    const dims = measure(() => importOnnx(dimsFile, { name: 'dims.onnx' }));
    expect(dims.err).toBeInstanceOf(LimitError);
    expect((dims.err as Error).message).toBe("dims.onnx: a shape's rank (counted before decoding): 65 exceeds the limit maxRank = 64");
    expect(dims.grew).toBeLessThan(64 << 20);
    const inputs = measure(() => importOnnx(inputsFile, { name: 'inputs.onnx' }));
    expect(inputs.err).toBeInstanceOf(LimitError);
    expect((inputs.err as Error).message).toBe('inputs.onnx: graph inputs of one graph: 1000001 exceeds the limit maxTensors = 1000000');
    expect(inputs.grew).toBeLessThan(64 << 20);
  });

  it('10M empty attributes on one node are refused by the decode bound', () => {
    const node = tagged(1, empties(5, 10_000_000));
    const file = withGraph(node);
    const r = measure(() => importOnnx(file, { name: 'attrs.onnx' }));
    expect(r.err).toBeInstanceOf(LimitError);
    expect((r.err as Error).message).toMatch(/^attrs\.onnx: decoding its 10000004 messages \(1 nodes\)/);
  });

  it('every conformance model and PyTorch export passes the scan, far inside the bound', () => {
    const roots = [resolve(import.meta.dirname, '../../../../shared/onnx-node'), resolve(import.meta.dirname, '../../fixtures')];
    let seen = 0;
    let worst = 0;
    for (const root of roots) {
      for (const entry of readdirSync(root)) {
        const file = entry.endsWith('.onnx') ? join(root, entry) : join(root, entry, 'model.onnx');
        let bytes: Uint8Array;
        try {
          bytes = readFileSync(file);
        } catch {
          continue;
        }
        const c = prescanModel(bytes, DEFAULT_ONNX_LIMITS, file);
        worst = Math.max(worst, c.cost / (DECODE_FACTOR * bytes.length + DECODE_SLACK));
        seen++;
      }
    }
    expect(seen).toBeGreaterThan(200);
    expect(worst).toBeLessThan(0.1);
  });
});
