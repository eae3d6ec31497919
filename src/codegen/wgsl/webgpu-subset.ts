// The part of WebGPU a generated WGSL loader touches, declared in the loader itself (copied from
// here by name, like the other support sources), so a consumer's compiler needs no WebGPU types:
// TypeScript 5.x has none in lib.dom, TypeScript 7's lacks GPUBufferUsage / GPUMapMode, and
// @webgpu/types' buffer-source types clash with TypeScript 5.9's typed arrays. Module-local names
// shadow the globals inside the loader only. Each interface is a structural subset of the real
// one (methods, so parameters compare bivariantly), so a page passes its own GPUDevice to
// create(); test/wgsl/module.test.ts checks that against @webgpu/types and lib.dom. The flag values
// are the WebGPU specification's.

/** GPUBufferUsage's flags the loader uses (WebGPU §5.1). */
export const GPUBufferUsage = { MAP_READ: 0x0001, COPY_SRC: 0x0004, COPY_DST: 0x0008, STORAGE: 0x0080 } as const;

/** GPUMapMode's READ flag (WebGPU §5.2). */
export const GPUMapMode = { READ: 0x0001 } as const;

/** Every WebGPU object has a label. */
export interface GPUObjectBase {
  label: string;
}

/** A buffer: the memory buffer and the readback buffer. */
export interface GPUBuffer extends GPUObjectBase {
  mapAsync(mode: number, offset?: number, size?: number): Promise<undefined | void>;
  getMappedRange(offset?: number, size?: number): ArrayBuffer;
  unmap(): undefined | void;
  destroy(): undefined | void;
}

/** A compiled WGSL module. */
export interface GPUShaderModule extends GPUObjectBase {
  getCompilationInfo(): Promise<{ readonly messages: readonly { readonly type: string; readonly lineNum: number; readonly message: string }[] }>;
}

/** A bind group layout (the pipeline's, 'auto'). */
export type GPUBindGroupLayout = GPUObjectBase;

/** The memory buffer bound at binding 0. */
export type GPUBindGroup = GPUObjectBase;

/** A compute pipeline. */
export interface GPUComputePipeline extends GPUObjectBase {
  getBindGroupLayout(index: number): GPUBindGroupLayout;
}

/** A command buffer, ready to submit. */
export type GPUCommandBuffer = GPUObjectBase;

/** A compute pass over the kernels. */
export interface GPUComputePassEncoder extends GPUObjectBase {
  setPipeline(pipeline: GPUComputePipeline): undefined | void;
  setBindGroup(index: number, group: GPUBindGroup | null | undefined): undefined | void;
  dispatchWorkgroups(x: number, y?: number): undefined | void;
  end(): undefined | void;
}

/** A command encoder: compute passes and buffer copies. */
export interface GPUCommandEncoder extends GPUObjectBase {
  beginComputePass(): GPUComputePassEncoder;
  copyBufferToBuffer(source: GPUBuffer, sourceOffset: number, destination: GPUBuffer, destinationOffset: number, size: number): undefined | void;
  finish(): GPUCommandBuffer;
}

/** The device's queue. */
export interface GPUQueue extends GPUObjectBase {
  submit(buffers: Iterable<GPUCommandBuffer>): undefined | void;
  writeBuffer(buffer: GPUBuffer, offset: number, data: ArrayBufferLike | ArrayBufferView): undefined | void;
}

/** The device a loader's create() takes. */
export interface GPUDevice extends GPUObjectBase {
  readonly queue: GPUQueue;
  createBuffer(descriptor: { size: number; usage: number; label?: string; mappedAtCreation?: boolean }): GPUBuffer;
  createShaderModule(descriptor: { code: string; label?: string }): GPUShaderModule;
  createComputePipelineAsync(descriptor: { layout: 'auto' | GPUObjectBase; compute: { module: GPUShaderModule; entryPoint?: string }; label?: string }): Promise<GPUComputePipeline>;
  createBindGroup(descriptor: { layout: GPUBindGroupLayout; entries: Iterable<{ binding: number; resource: { buffer: GPUBuffer } | GPUObjectBase }> }): GPUBindGroup;
  createCommandEncoder(): GPUCommandEncoder;
  pushErrorScope(filter: 'validation' | 'out-of-memory' | 'internal'): undefined | void;
  popErrorScope(): Promise<{ readonly message: string } | null>;
}
