// The WebGPU runtime: one memory buffer per model, pipelines created asynchronously and cached,
// one command encoder per run, inputs uploaded and outputs read back, nothing else crosses.
// One code path for Node (the `webgpu` package, Dawn) and browsers (navigator.gpu).
import { OpgraphError } from '../errors.ts';
import type { Region, WgslKernelCode, WgslProgram } from '../codegen/wgsl/index.ts';
import { type Tensor, type TensorData, allocData, tensor } from '../ir/tensor.ts';
import { type Graph, valueTypes } from '../ir/graph.ts';
import { type TensorType, formatType, sameType } from '../ir/types.ts';
import type { NamedTensors } from './bind.ts';
import { bindValues } from './bind.ts';

/** No WebGPU adapter could be found (no GPU, no driver, or no WebGPU in this environment). */
export class NoAdapterError extends OpgraphError {
  override name = 'NoAdapterError';
}

/** A kernel's WGSL failed to compile: names the kernel and the line. */
export class ShaderError extends OpgraphError {
  override name = 'ShaderError';
}

/** A device and a description of its adapter. */
export interface Gpu {
  readonly device: GPUDevice;
  readonly adapter: string;
  /**
   * The GPU object the device came from. Held for the device's lifetime: in Node, Dawn destroys
   * its instance when the JS wrapper is garbage-collected, which corrupts a device still in use.
   */
  readonly instance: GPU;
}

let cached: Promise<Gpu> | undefined;

/** The shared device: navigator.gpu in browsers, the `webgpu` package (Dawn) in Node. */
export function requestGpu(): Promise<Gpu> {
  cached ??= (async () => {
    let gpu: GPU | undefined = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
    if (!gpu) {
      const mod = (await import('webgpu')) as { create(o: string[]): GPU; globals: object };
      Object.assign(globalThis, mod.globals);
      gpu = mod.create([]);
    }
    const adapter = await gpu.requestAdapter();
    if (!adapter) throw new NoAdapterError('no WebGPU adapter is available (on a machine without a GPU, install SwiftShader: see docs/backends.md)');
    const need = (name: 'maxStorageBufferBindingSize' | 'maxBufferSize') => adapter.limits[name];
    const device = await adapter.requestDevice({ requiredLimits: { maxStorageBufferBindingSize: need('maxStorageBufferBindingSize'), maxBufferSize: need('maxBufferSize') } });
    const info = adapter.info;
    return { device, instance: gpu, adapter: [info?.vendor, info?.architecture, info?.device, info?.description].filter(Boolean).join(' ') || 'unknown adapter' };
  })();
  cached.catch(() => (cached = undefined));
  return cached;
}

/** Words (u32) holding `t` on the GPU: i64 narrowed to i32, bool widened to u32. */
function toWords(t: TensorData): Uint32Array {
  if (t instanceof Float32Array || t instanceof Int32Array) return new Uint32Array(t.buffer, t.byteOffset, t.length);
  if (t instanceof BigInt64Array) return Uint32Array.from(t, (v) => Number(BigInt.asIntN(32, v)) >>> 0);
  return Uint32Array.from(t as Uint8Array);
}

/** The tensor data of `region` from words read back. */
function fromWords(words: Uint32Array, r: Region): TensorData {
  const w = words.subarray(r.base, r.base + r.length);
  switch (r.dtype) {
    case 'f32': return new Float32Array(Uint32Array.from(w).buffer);
    case 'i32': return new Int32Array(Uint32Array.from(w).buffer);
    case 'i64': return BigInt64Array.from(new Int32Array(Uint32Array.from(w).buffer), (v) => BigInt(v));
    case 'bool': return Uint8Array.from(w, (v) => (v !== 0 ? 1 : 0));
  }
}

/** A ready pipeline and what it dispatches. */
interface Pipeline {
  readonly pipeline: GPUComputePipeline;
  readonly group: GPUBindGroup;
  readonly dispatch: readonly [number, number];
  readonly once: boolean;
}

/** Compiles one kernel; a WGSL error becomes a ShaderError naming the kernel and the line. */
async function createPipeline(device: GPUDevice, k: WgslKernelCode, mem: GPUBuffer): Promise<Pipeline> {
  const module = device.createShaderModule({ code: k.code, label: k.name });
  const info = await module.getCompilationInfo();
  const err = info.messages.find((m) => m.type === 'error');
  if (err) throw new ShaderError(`kernel ${k.name}: WGSL line ${err.lineNum}: ${err.message}`);
  const pipeline = await device.createComputePipelineAsync({ layout: 'auto', compute: { module, entryPoint: 'main' }, label: k.name });
  const group = device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: mem } }] });
  return { pipeline, group, dispatch: k.dispatch, once: k.once };
}

/** A compiled model on the GPU. */
export class WebGpuModel {
  private constructor(
    private readonly gpu: Gpu,
    private readonly graph: Graph,
    private readonly program: WgslProgram,
    private readonly mem: GPUBuffer,
    private readonly pipelines: readonly Pipeline[],
  ) {
    this.types = valueTypes(graph);
  }

  private readonly types: ReadonlyMap<number, TensorType>;

  /** Creates the pipelines (asynchronously, with compile errors named per kernel) and uploads weights and constants. */
  static async create(gpu: Gpu, graph: Graph, program: WgslProgram, weights?: NamedTensors): Promise<WebGpuModel> {
    const { device } = gpu;
    const mem = device.createBuffer({ size: program.words * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
    const env = bindValues(graph, new Map(graph.inputs.map((i) => [i.name, tensor(i.type.dtype, i.type.shape)])), weights);
    graph.weights.forEach((w, i) => device.queue.writeBuffer(mem, program.weights[i]!.base * 4, toWords(env.get(w.id)!.data)));
    for (const c of program.constants) {
      const node = graph.nodes[c.node]!;
      if (node.op === 'constant') device.queue.writeBuffer(mem, c.base * 4, toWords(node.attrs.value.data));
    }
    const pipelines = await Promise.all(program.kernels.map((k) => createPipeline(device, k, mem)));
    const model = new WebGpuModel(gpu, graph, program, mem, pipelines);
    model.dispatch(true);
    return model;
  }

  private dispatch(once: boolean): GPUCommandEncoder {
    const enc = this.gpu.device.createCommandEncoder();
    const pass = enc.beginComputePass();
    for (const p of this.pipelines) {
      if (p.once !== once) continue;
      pass.setPipeline(p.pipeline);
      pass.setBindGroup(0, p.group);
      pass.dispatchWorkgroups(p.dispatch[0], p.dispatch[1]);
    }
    pass.end();
    if (once) this.gpu.device.queue.submit([enc.finish()]);
    return enc;
  }

  /** Uploads the inputs, runs every kernel in one command encoder, and reads the outputs back. */
  async run(inputs: NamedTensors): Promise<Record<string, Tensor>> {
    const { device } = this.gpu;
    const get = (n: string): Tensor | undefined => (inputs instanceof Map ? inputs.get(n) : (inputs as Record<string, Tensor>)[n]);
    this.graph.inputs.forEach((inp, i) => {
      const t = get(inp.name);
      if (!t || !sameType(t, inp.type)) throw new OpgraphError(`input ${JSON.stringify(inp.name)} must be ${formatType(inp.type)}${t ? `, got ${formatType(t)}` : ''}`);
      device.queue.writeBuffer(this.mem, this.program.inputs[i]!.base * 4, toWords(t.data));
    });
    device.pushErrorScope('validation');
    const enc = this.dispatch(false);
    const total = this.program.words * 4;
    const read = device.createBuffer({ size: total, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    for (const r of this.program.outputs) if (r.length > 0) enc.copyBufferToBuffer(this.mem, r.base * 4, read, r.base * 4, r.length * 4);
    device.queue.submit([enc.finish()]);
    const error = await device.popErrorScope();
    if (error) {
      read.destroy();
      throw new OpgraphError(`WebGPU rejected the run: ${error.message.split('\n')[0]}`);
    }
    await read.mapAsync(GPUMapMode.READ);
    const words = new Uint32Array(read.getMappedRange().slice(0));
    read.unmap();
    read.destroy();
    return Object.fromEntries(this.graph.outputs.map((o, i) => {
      const r = this.program.outputs[i]!;
      const t = this.types.get(o.id)!;
      return [o.name, tensor(t.dtype, t.shape, r.length ? fromWords(words, r) : allocData(t.dtype, 0))];
    }));
  }

  /** Frees the GPU memory. */
  destroy(): void {
    this.mem.destroy();
  }
}
