// One benchmark measurement (a model on a runtime), as every runner reports it, and what a peer
// process hands back to scripts/bench/run.ts.
import type { Latency } from './measure.ts';

/** One model on one runtime. Times in microseconds (latency) and milliseconds (load, cold start). */
export interface Row extends Latency {
  /** The case id (cases.ts). */
  readonly case: string;
  readonly runner: string;
  /** Compile or load time: opgraph's compile, a session's creation, weight upload, module construction. */
  readonly loadMs: number | null;
  /** The first call after loading. */
  readonly coldMs: number | null;
  /** Peak bytes of intermediates, where the runtime can tell. */
  readonly peakBytes: number | null;
  /** Max absolute difference from the interpreter's output. */
  readonly maxErr: number;
  /** Kernel launches per call (opgraph's generated TS only). */
  readonly kernels?: number;
  /** wasm runners: how many of those kernels run in wasm (the rest are TS kernels over its memory). */
  readonly wasmKernels?: number;
}

/** What one peer process writes (JSON): its rows, its version, and each case it could not run. */
export interface PeerResult {
  readonly peer: string;
  readonly version: string;
  readonly rows: Row[];
  /** Cases it could not run, or the whole peer when it could not load, with the reason. */
  readonly errors: string[];
}

/** Max |a - b| over two equally long arrays. */
export function maxAbsError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return Number.isNaN(m) ? Infinity : m;
}

/** Whether an output is close enough to the reference to be worth timing: |err| <= 1e-3 * (1 + max |ref|). */
export function closeEnough(err: number, ref: ArrayLike<number>): boolean {
  let scale = 0;
  for (let i = 0; i < ref.length; i++) scale = Math.max(scale, Math.abs(ref[i]!));
  return err <= 1e-3 * (1 + scale);
}
