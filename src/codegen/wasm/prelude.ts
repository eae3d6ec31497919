// Run-time support copied into every wasm loader (only the declarations it uses): base64, the
// memory-sharing patch, and the worker pool. Plain, import-free TypeScript for Node and browsers.
//
// The pool: T - 1 workers instantiate the same module over the same shared memory. Each worker
// owns five i32 words of a control block in that memory: [job, kernel, lo, hi, done]. The
// caller writes kernel/lo/hi, bumps `job` and notifies; the worker runs share w of the kernel,
// stores `done = job` and notifies; the caller runs share 0 meanwhile, then waits for every
// `done`. Workers spin briefly after a job (back-to-back kernels find them awake), then sleep in
// Atomics.wait. A job number of -1 stops a worker.

/** Bytes from a base64 string. */
export function decodeBase64(s: string): ArrayBuffer {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out.buffer as ArrayBuffer;
}

/** The binary with its memory import made unshared (byte `at` is the limits flag: 3 shared, 1 not). */
export function unsharedBinary(bytes: ArrayBuffer, at: number): ArrayBuffer {
  const copy = bytes.slice(0);
  const view = new Uint8Array(copy);
  if (view[at] === 0x03) view[at] = 0x01;
  return copy;
}

/** Spin iterations a waiting thread polls before it sleeps (tens of microseconds). */
const SPIN = 20000;

/** The worker's whole program, started with its message; also stringified as the worker source. */
export function poolWorker(data: { module: WebAssembly.Module; memory: WebAssembly.Memory; names: readonly string[]; ctl: number; w: number }, ready: () => void): void {
  const instance = new WebAssembly.Instance(data.module, { env: { memory: data.memory } });
  const fns = data.names.map((n) => instance.exports[n] as (lo: number, hi: number, share: number) => void);
  const c = new Int32Array(data.memory.buffer, data.ctl, 5 * (data.w + 1));
  const b = 5 * data.w;
  let seen = Atomics.load(c, b);
  ready();
  for (;;) {
    for (let i = 0; i < 20000 && Atomics.load(c, b) === seen; i++);
    if (Atomics.load(c, b) === seen) Atomics.wait(c, b, seen);
    seen = Atomics.load(c, b);
    if (seen < 0) return;
    fns[c[b + 1]!]!(c[b + 2]!, c[b + 3]!, data.w);
    Atomics.store(c, b + 4, seen);
    Atomics.notify(c, b + 4);
  }
}

/** A started worker, however the platform made it. */
interface PoolThread {
  terminate(): void;
}

/** Worker threads sharing a model's memory. */
export class WorkerPool {
  private readonly c: Int32Array;

  private constructor(memory: WebAssembly.Memory, ctl: number, private readonly threads: PoolThread[]) {
    this.c = new Int32Array(memory.buffer, ctl, 5 * (threads.length + 1));
  }

  /** Starts `count` workers (Node's worker_threads, or Web Workers) over `memory`; resolves once all run. */
  static async start(count: number, module: WebAssembly.Module, memory: WebAssembly.Memory, names: readonly string[], ctl: number): Promise<WorkerPool> {
    const body = `(${poolWorker.toString()})`;
    const threads: PoolThread[] = [];
    const started: Promise<void>[] = [];
    const g = globalThis as unknown as { Worker?: new (url: string) => { postMessage(m: unknown): void; onmessage: unknown; terminate(): void } };
    for (let w = 1; w <= count; w++) {
      const data = { module, memory, names, ctl, w };
      if (typeof g.Worker === 'function' && typeof (globalThis as { process?: unknown }).process === 'undefined') {
        const src = `self.onmessage = (e) => ${body}(e.data, () => self.postMessage('ready'));`;
        const url = URL.createObjectURL(new Blob([src], { type: 'text/javascript' }));
        const t = new g.Worker(url);
        started.push(new Promise((resolve) => (t.onmessage = () => resolve())));
        t.postMessage(data);
        threads.push(t);
      } else {
        const specifier = 'node:worker_threads';
        const { Worker } = (await import(/* @vite-ignore */ specifier)) as { Worker: new (src: string, o: { eval: true; workerData: unknown }) => { once(e: string, f: (m?: unknown) => void): void; unref(): void; terminate(): Promise<number> } };
        const src = `const { parentPort, workerData } = require('node:worker_threads'); ${body}(workerData, () => parentPort.postMessage('ready'));`;
        const t = new Worker(src, { eval: true, workerData: data });
        // Unreferenced once running (an idle pool must not keep the process alive), not before:
        // until then the pending start is what keeps the event loop turning.
        started.push(new Promise((resolve, reject) => {
          t.once('message', () => {
            t.unref();
            resolve();
          });
          t.once('error', (e) => reject(e));
        }));
        threads.push({ terminate: () => void t.terminate() });
      }
    }
    await Promise.all(started);
    return new WorkerPool(memory, ctl, threads);
  }

  /** Runs kernel `k` (index into the pool's names) over [0, units) in `shares` shares; `self` runs share 0. */
  run(k: number, units: number, shares: number, self: (lo: number, hi: number, share: number) => void): void {
    const c = this.c;
    const n = Math.min(shares, this.threads.length + 1);
    const jobs: number[] = [];
    for (let w = 1; w < n; w++) {
      const b = 5 * w;
      c[b + 1] = k;
      c[b + 2] = Math.floor((w * units) / n);
      c[b + 3] = Math.floor(((w + 1) * units) / n);
      const job = (Atomics.load(c, b) % 0x3fffffff) + 1;
      jobs[w] = job;
      Atomics.store(c, b, job);
      Atomics.notify(c, b);
    }
    self(0, Math.floor(units / n), 0);
    for (let w = 1; w < n; w++) {
      const b = 5 * w + 4;
      for (let i = 0; i < SPIN && Atomics.load(c, b) !== jobs[w]; i++);
      while (Atomics.load(c, b) !== jobs[w]) Atomics.wait(c, b, Atomics.load(c, b), 1000);
    }
  }

  /** Stops every worker. */
  dispose(): void {
    for (let w = 1; w <= this.threads.length; w++) {
      Atomics.store(this.c, 5 * w, -1);
      Atomics.notify(this.c, 5 * w);
    }
    for (const t of this.threads) t.terminate();
    this.threads.length = 0;
  }
}
