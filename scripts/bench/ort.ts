// onnxruntime peers: onnxruntime-node (native CPU) and onnxruntime-web's wasm backend, both on the
// ONNX files that torch_peer.py exported from the same weights (model.onnx in each case's folder).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPeer, peerVersion } from './peer-modules.ts';
import type { PeerCase } from './peer-io.ts';
import type { Loaded, Runtime } from './runtime.ts';

/** The part of onnxruntime's API (common to -node and -web) the bench uses. */
interface OrtTensor {
  readonly data: unknown;
}
interface OrtSession {
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}
interface Ort {
  Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => OrtTensor;
  InferenceSession: { create(model: Uint8Array, options: Record<string, unknown>): Promise<OrtSession> };
  env: { wasm: { numThreads: number } };
}

/** onnxruntime-node or onnxruntime-web (wasm backend) with `threads` intra-op threads. */
export function ortRuntime(pkg: 'onnxruntime-node' | 'onnxruntime-web', threads: number): Runtime {
  const ort = loadPeer<Ort>(pkg);
  const web = pkg === 'onnxruntime-web';
  if (web) ort.env.wasm.numThreads = threads;
  const options = web
    ? { executionProviders: ['wasm'], graphOptimizationLevel: 'all' }
    : { executionProviders: ['cpu'], intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' };
  return {
    label: `${web ? 'onnxruntime-web wasm' : 'onnxruntime-node CPU'}, ${threads} thread${threads > 1 ? 's' : ''}`,
    version: `${pkg} ${peerVersion(pkg)}`,
    async load(c: PeerCase): Promise<Loaded> {
      const file = join(c.dir, 'model.onnx');
      if (!existsSync(file)) throw new Error(`no ${file} (PyTorch exports it: is torch available to /usr/bin/python3?)`);
      const session = await ort.InferenceSession.create(readFileSync(file), options);
      const feeds = Object.fromEntries(c.info.inputs.map((n) => {
        const t = c.inputs.get(n)!;
        return [n, new ort.Tensor('float32', t.data as Float32Array, t.shape)];
      }));
      return {
        call: () => session.run(feeds),
        output: async () => (await session.run(feeds)).output!.data as Float32Array,
        peakBytes: async () => null,
        dispose: () => session.release(),
      };
    },
  };
}
