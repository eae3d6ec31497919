// The WebGPU runtime: one memory buffer per model, pipelines created asynchronously and cached,
// one command encoder per run, inputs uploaded and outputs read back, nothing else crosses.
// Browser-safe: it runs on a device the caller supplies; gpu.ts finds the shared one (Dawn in Node).
import { IndexError, OpgraphError } from '../errors.ts';
import type { Region, WgslProgram } from '../codegen/wgsl/index.ts';
import { type Tensor, allocData, tensor } from '../ir/tensor.ts';
import { type Graph, valueTypes } from '../ir/graph.ts';
import { type TensorType, formatType, sameType } from '../ir/types.ts';
import type { NamedTensors } from './bind.ts';
import { bindValues } from './bind.ts';
import { type GpuPipeline, type Readback, type WordRegion, createPipeline, createReadback, encodeKernels, flagRegion, indexFault, oneAtATime, fromWords, resetIndexFlags, submitAndRead, toWords } from './webgpu-core.ts';
import { indexRangeMessage } from '../ops/scalar.ts';

/** No WebGPU adapter could be found (no GPU, no driver, or no WebGPU in this environment). */
export class NoAdapterError extends OpgraphError {
  override name = 'NoAdapterError';
}

/** A kernel's WGSL failed to compile: names the kernel and the line. */
export class ShaderError extends OpgraphError {
  override name = 'ShaderError';
}

/** The device was lost (driver reset, out of memory, destroyed): names the reason. */
export class DeviceLostError extends OpgraphError {
  override name = 'DeviceLostError';
}

/** Why each lost device was lost. */
const lostDevices = new WeakMap<GPUDevice, string>();

/** Throws DeviceLostError when `device` has been lost. */
export function assertDevice(device: GPUDevice): void {
  const why = lostDevices.get(device);
  if (why !== undefined) throw new DeviceLostError(`the WebGPU device was lost: ${why}`);
}

/** `e`, or a DeviceLostError when the device was lost meanwhile (a lost device fails every call). */
function lostOr(device: GPUDevice, e: unknown): unknown {
  const why = lostDevices.get(device);
  return why === undefined ? e : new DeviceLostError(`the WebGPU device was lost: ${why}`);
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

/**
 * Records why `device` is lost once it is (DeviceLostError then names the reason), and calls
 * `onLost` then. Every device a model runs on should be watched: gpuFromDevice does it.
 */
export function watchDevice(device: GPUDevice, onLost?: () => void): void {
  void device.lost.then((l) => {
    lostDevices.set(device, `${l.reason ?? 'unknown'}${l.message ? `: ${l.message.split('\n')[0]}` : ''}`);
    onLost?.();
  });
}

/** A caller's device (a page's `await (await navigator.gpu.requestAdapter()).requestDevice()`) as a Gpu for WebGpuModel. */
export function gpuFromDevice(device: GPUDevice, instance: GPU, adapter = 'caller-supplied device'): Gpu {
  watchDevice(device);
  return { device, instance, adapter };
}

const shaderError = (m: string): Error => new ShaderError(m);
const runError = (m: string): Error => new OpgraphError(m);

/**
 * The memory buffer of `program` with its weights and constants uploaded, and every kernel's
 * pipeline (created asynchronously; a WGSL error is a ShaderError naming the kernel and line).
 */
export async function createMemory(gpu: Gpu, graph: Graph, program: WgslProgram, weights?: NamedTensors): Promise<{ mem: GPUBuffer; pipelines: GpuPipeline[] }> {
  const { device } = gpu;
  assertDevice(device);
  const mem = device.createBuffer({ size: program.words * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
  try {
    const env = bindValues(graph, new Map(graph.inputs.map((i) => [i.name, tensor(i.type.dtype, i.type.shape)])), weights);
    graph.weights.forEach((w, i) => device.queue.writeBuffer(mem, program.weights[i]!.base * 4, toWords(env.get(w.id)!.data)));
    for (const c of program.constants) {
      const node = graph.nodes[c.node]!;
      if (node.op === 'constant') device.queue.writeBuffer(mem, c.base * 4, toWords(node.attrs.value.data));
    }
    const pipelines = await Promise.all(program.kernels.map((k) => createPipeline(device, k, mem, shaderError)));
    return { mem, pipelines };
  } catch (e) {
    mem.destroy();
    throw lostOr(device, e);
  }
}

/** Uploads graph inputs (checked against the graph's types) into their regions. */
export function uploadInputs(gpu: Gpu, graph: Graph, program: WgslProgram, mem: GPUBuffer, inputs: NamedTensors): void {
  const get = (n: string): Tensor | undefined => (inputs instanceof Map ? inputs.get(n) : (inputs as Record<string, Tensor>)[n]);
  graph.inputs.forEach((inp, i) => {
    const t = get(inp.name);
    if (!t || !sameType(t, inp.type)) throw new OpgraphError(`input ${JSON.stringify(inp.name)} must be ${formatType(inp.type)}${t ? `, got ${formatType(t)}` : ''}`);
    gpu.device.queue.writeBuffer(mem, program.inputs[i]!.base * 4, toWords(t.data));
  });
}

/** A note for an index at the ends of the i32 range: i64 indices travel saturated to i32. */
function saturated(raw: number): string {
  return raw === 2147483647 || raw === -2147483648 ? ' (an i64 index outside the i32 range, saturated)' : '';
}

/** A compiled model on the GPU. */
export class WebGpuModel {
  private constructor(
    private readonly gpu: Gpu,
    private readonly graph: Graph,
    private readonly program: WgslProgram,
    private readonly mem: GPUBuffer,
    private readonly pipelines: readonly GpuPipeline[],
  ) {
    this.types = valueTypes(graph);
    this.flags = flagRegion(program.checks);
    this.readback = createReadback(gpu.device, this.flags ? [...program.outputs, this.flags] : program.outputs);
  }

  private readonly types: ReadonlyMap<number, TensorType>;
  private readonly readback: Readback;
  private readonly flags: WordRegion | undefined;

  /** Creates the pipelines (asynchronously, with compile errors named per kernel) and uploads weights and constants. */
  static async create(gpu: Gpu, graph: Graph, program: WgslProgram, weights?: NamedTensors): Promise<WebGpuModel> {
    const { mem, pipelines } = await createMemory(gpu, graph, program, weights);
    gpu.device.queue.submit([encodeKernels(gpu.device, pipelines, true).finish()]);
    return new WebGpuModel(gpu, graph, program, mem, pipelines);
  }

  /** Uploads the inputs, runs every kernel in one command encoder, and reads the outputs back. */
  readonly run: (inputs: NamedTensors) => Promise<Record<string, Tensor>> = oneAtATime((inputs) => this.runNow(inputs));

  private async runNow(inputs: NamedTensors): Promise<Record<string, Tensor>> {
    const { device } = this.gpu;
    assertDevice(device);
    uploadInputs(this.gpu, this.graph, this.program, this.mem, inputs);
    resetIndexFlags(device, this.mem, this.program.checks);
    let words: Uint32Array;
    try {
      words = await submitAndRead(device, encodeKernels(device, this.pipelines, false), this.mem, this.readback, runError);
    } catch (e) {
      throw lostOr(device, e);
    }
    const fault = indexFault(words, this.flags && this.readback.packed[this.program.outputs.length], this.program.checks);
    if (fault) throw new IndexError(`${fault.check.where}: ${indexRangeMessage(fault.raw, fault.axis, fault.size, fault.check.op)}${saturated(fault.raw)}`);
    return Object.fromEntries(this.graph.outputs.map((o, i) => {
      const r = this.readback.packed[i]!;
      const t = this.types.get(o.id)!;
      return [o.name, tensor(t.dtype, t.shape, r.length ? fromWords(words, r) : allocData(t.dtype, 0))];
    }));
  }

  /**
   * Copies weights (model state such as a KV cache) from another model's memory into this one's,
   * on the GPU: both must be on the same device and hold the named weights with the same types.
   */
  copyWeightsFrom(other: WebGpuModel, names: readonly string[]): void {
    const enc = this.gpu.device.createCommandEncoder();
    for (const name of names) {
      const [src, dst] = [other.weightRegion(name), this.weightRegion(name)];
      if (src.length !== dst.length || src.dtype !== dst.dtype) throw new OpgraphError(`weight ${JSON.stringify(name)} differs between the two models`);
      enc.copyBufferToBuffer(other.mem, src.base * 4, this.mem, dst.base * 4, dst.length * 4);
    }
    this.gpu.device.queue.submit([enc.finish()]);
  }

  private weightRegion(name: string): Region {
    const i = this.graph.weights.findIndex((w) => w.name === name);
    if (i < 0) throw new OpgraphError(`model ${JSON.stringify(this.graph.name)} has no weight ${JSON.stringify(name)}`);
    return this.program.weights[i]!;
  }

  /** Frees the GPU memory. */
  destroy(): void {
    this.mem.destroy();
    this.readback.buffer.destroy();
  }
}
