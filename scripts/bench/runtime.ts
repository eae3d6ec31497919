// A peer runtime as the peer process drives it: load a case, then call it repeatedly.
import type { PeerCase } from './peer-io.ts';

/** A case loaded on a runtime. */
export interface Loaded {
  /** One inference; its result is released (may return a promise, awaited by measure()). */
  call(): unknown;
  /** One inference, returning the output as float32. */
  output(): Promise<Float32Array>;
  /** Peak bytes of intermediates during one call, or null where the runtime cannot tell. */
  peakBytes(): Promise<number | null>;
  dispose(): Promise<void>;
}

export interface Runtime {
  /** The runner's name in the table ("onnxruntime-node, 2 threads"). */
  readonly label: string;
  /** Package versions it runs on. */
  readonly version: string;
  load(c: PeerCase): Promise<Loaded>;
}

/** The runtimes that peer.ts runs, each in a process of its own (opgraph's WGSL backend among them). */
export type Peer = 'onnxruntime-node' | 'onnxruntime-web' | 'tfjs-cpu' | 'tfjs-wasm' | 'opgraph-wgsl';
