// The WebGPU mechanics shared by the in-process runtime (webgpu.ts) and the standalone loader
// that `opgraph compile --target wgsl` writes: word conversion, pipeline creation, dispatch and
// readback. No imports: the WGSL module emitter copies these declarations into generated
// loaders (src/codegen/wgsl/module.ts), so both run the same code.

/** Element arrays as opgraph and generated modules hold them. */
export type WordData = Float32Array | Int32Array | BigInt64Array | Uint8Array;

/** One compute shader: its WGSL, workgroups in x and y, and whether it runs once at creation. */
export interface GpuKernel {
  readonly name: string;
  readonly code: string;
  readonly dispatch: readonly [number, number];
  readonly once: boolean;
}

/** A ready pipeline with its bind group over the memory buffer. */
export interface GpuPipeline {
  readonly pipeline: GPUComputePipeline;
  readonly group: GPUBindGroup;
  readonly dispatch: readonly [number, number];
  readonly once: boolean;
}

/** A tensor's place in the memory buffer: word offset, element count, dtype. */
export interface WordRegion {
  readonly base: number;
  readonly length: number;
  readonly dtype: 'f32' | 'i32' | 'i64' | 'bool';
}

/**
 * Words (u32) holding `t` on the GPU: f32/i32 bit-cast, bool widened to u32, i64 narrowed to i32
 * with saturation (not wrapping), so an index of 2^40 stays out of range instead of becoming 0.
 */
export function toWords(t: WordData): Uint32Array {
  if (t instanceof Float32Array || t instanceof Int32Array) return new Uint32Array(t.buffer, t.byteOffset, t.length);
  if (t instanceof BigInt64Array) return Uint32Array.from(t, (v) => (v > 2147483647n ? 2147483647 : v < -2147483648n ? -2147483648 : Number(v)) >>> 0);
  return Uint32Array.from(t);
}

/** The elements of region `r` from memory words read back (fresh arrays). */
export function fromWords(words: Uint32Array, r: WordRegion): WordData {
  const w = Uint32Array.from(words.subarray(r.base, r.base + r.length));
  switch (r.dtype) {
    case 'f32': return new Float32Array(w.buffer);
    case 'i32': return new Int32Array(w.buffer);
    case 'i64': return BigInt64Array.from(new Int32Array(w.buffer), (v) => BigInt(v));
    case 'bool': return Uint8Array.from(w, (v) => (v !== 0 ? 1 : 0));
  }
}

/**
 * Compiled pipelines per device, by WGSL text: kernels with the same code (a model created twice,
 * layers of the same shape at the same offsets) compile once. A failed compile is not kept.
 */
const PIPELINES = new WeakMap<GPUDevice, Map<string, Promise<GPUComputePipeline>>>();

/**
 * Compiles kernel `k` asynchronously (or reuses the device's pipeline for the same code) and binds
 * it to `mem`. A WGSL error is thrown through `fail` with a message naming the kernel and the line.
 */
export async function createPipeline(device: GPUDevice, k: GpuKernel, mem: GPUBuffer, fail: (message: string) => Error = (m) => new Error(m)): Promise<GpuPipeline> {
  let cache = PIPELINES.get(device);
  if (!cache) PIPELINES.set(device, (cache = new Map()));
  let compiled = cache.get(k.code);
  if (!compiled) {
    compiled = (async () => {
      const module = device.createShaderModule({ code: k.code, label: k.name });
      const info = await module.getCompilationInfo();
      const err = info.messages.find((m) => m.type === 'error');
      if (err) throw fail(`kernel ${k.name}: WGSL line ${err.lineNum}: ${err.message}`);
      return device.createComputePipelineAsync({ layout: 'auto', compute: { module, entryPoint: 'main' }, label: k.name });
    })();
    cache.set(k.code, compiled);
    compiled.catch(() => cache.delete(k.code));
  }
  const pipeline = await compiled;
  const group = device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: mem } }] });
  return { pipeline, group, dispatch: k.dispatch, once: k.once };
}

/** Records the pipelines whose `once` flag is `once` into one compute pass of a new encoder. */
export function encodeKernels(device: GPUDevice, pipelines: readonly GpuPipeline[], once: boolean): GPUCommandEncoder {
  const enc = device.createCommandEncoder();
  const pass = enc.beginComputePass();
  for (const p of pipelines) {
    if (p.once !== once) continue;
    pass.setPipeline(p.pipeline);
    pass.setBindGroup(0, p.group);
    pass.dispatchWorkgroups(p.dispatch[0], p.dispatch[1]);
  }
  pass.end();
  return enc;
}

/**
 * A mappable buffer, made once, that regions of the memory buffer are read back through, packed
 * one after the other: a run then allocates nothing on the GPU. One read at a time per readback.
 */
export interface Readback {
  readonly buffer: GPUBuffer;
  /** The regions of the memory buffer that are read. */
  readonly from: readonly WordRegion[];
  /** Where each of them lands in the words a read returns. */
  readonly packed: readonly WordRegion[];
}

/** Creates the readback of `from` on `device`. */
export function createReadback(device: GPUDevice, from: readonly WordRegion[]): Readback {
  let at = 0;
  const packed = from.map((r) => {
    const region = { ...r, base: at };
    at += r.length;
    return region;
  });
  const buffer = device.createBuffer({ size: Math.max(at, 1) * 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  return { buffer, from, packed };
}

/**
 * `run` made to wait for the call before it: runs of one model share its readback buffer, which
 * can be mapped by one run at a time. A failed run does not stop the ones after it.
 */
export function oneAtATime<A, R>(run: (arg: A) => Promise<R>): (arg: A) => Promise<R> {
  let last: Promise<unknown> = Promise.resolve();
  return (arg) => {
    const result = last.then(() => run(arg));
    last = result.catch(() => undefined);
    return result;
  };
}

/**
 * Copies the readback's regions of `mem` into its buffer as the last commands of `enc`, submits
 * it, and returns the words (laid out as `rb.packed`). A validation error of the submission is
 * thrown through `fail`.
 */
export async function submitAndRead(device: GPUDevice, enc: GPUCommandEncoder, mem: GPUBuffer, rb: Readback, fail: (message: string) => Error = (m) => new Error(m)): Promise<Uint32Array> {
  rb.from.forEach((r, i) => {
    if (r.length > 0) enc.copyBufferToBuffer(mem, r.base * 4, rb.buffer, rb.packed[i]!.base * 4, r.length * 4);
  });
  device.pushErrorScope('validation');
  device.queue.submit([enc.finish()]);
  const error = await device.popErrorScope();
  if (error) throw fail(`WebGPU rejected the run: ${error.message.split('\n')[0]}`);
  await rb.buffer.mapAsync(GPUMapMode.READ);
  const words = new Uint32Array(rb.buffer.getMappedRange().slice(0));
  rb.buffer.unmap();
  return words;
}

/**
 * One node's bounds flag: two words of the memory buffer that its kernel writes and the host
 * reads back with the outputs. Word 0 is 0 while every index was in range, else 1 + the entry of
 * `dims` whose index was out of range; word 1 is that index as i32.
 */
export interface IndexCheck {
  readonly base: number;
  /** The node, as messages name it. */
  readonly where: string;
  /** The op, as index messages name it (gather, scatterND, ...). */
  readonly op: string;
  /** The checked dims, each an axis of the indexed tensor and its size. */
  readonly dims: readonly { readonly axis: number; readonly size: number }[];
  /** Its kernel runs once, at creation: the flag is never reset, so every run reports it. */
  readonly once: boolean;
}

/** Clears the flags of the checks whose kernels run on every run. */
export function resetIndexFlags(device: GPUDevice, mem: GPUBuffer, checks: readonly IndexCheck[]): void {
  const zero = new Uint32Array(2);
  for (const c of checks) if (!c.once) device.queue.writeBuffer(mem, c.base * 4, zero);
}

/** The flag words of every check, in order, as one region to read back (undefined without checks). */
export function flagRegion(checks: readonly IndexCheck[]): WordRegion | undefined {
  return checks.length ? { base: checks[0]!.base, length: checks.length * 2, dtype: 'i32' } : undefined;
}

/** The first check whose flag is set in `words` (the flags read back at `at`), with the index its kernel saw and its dim. */
export function indexFault(words: Uint32Array, at: WordRegion | undefined, checks: readonly IndexCheck[]): { check: IndexCheck; raw: number; axis: number; size: number } | undefined {
  if (!at) return undefined;
  for (let k = 0; k < checks.length; k++) {
    const flag = words[at.base + 2 * k]!;
    if (flag === 0) continue;
    const dim = checks[k]!.dims[Math.min(flag, checks[k]!.dims.length) - 1]!;
    return { check: checks[k]!, raw: words[at.base + 2 * k + 1]! | 0, ...dim };
  }
  return undefined;
}
