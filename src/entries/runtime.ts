// `opgraph/runtime`: what a page needs to run models opgraph compiled, and nothing that needs
// Node or a compiler. Tensors, safetensors from bytes, tensor comparison, the typed errors, and
// the WebGPU runtime over a device the caller supplies. Generated modules (`opgraph compile`,
// ts / wasm / wgsl) carry their own loaders and import nothing, so they run beside this entry.
// test/package/runtime-entry.test.ts keeps this file's import closure free of node:, ts-morph,
// typescript and `new Function`.
export { type DType, type Shape, type TensorType, numel, formatType } from '../ir/types.ts';
export { type Tensor, type TensorData, tensor, f32 } from '../ir/tensor.ts';
export { parseSafetensors, parseSafetensorsContents, serializeSafetensors, type ParseOptions, type SafetensorsContents } from '../io/safetensors.ts';
export { compareTensors, type Comparison } from '../runtime/compare.ts';
export type { NamedTensors } from '../runtime/bind.ts';
export { WebGpuModel, gpuFromDevice, type Gpu, NoAdapterError, ShaderError, DeviceLostError } from '../runtime/webgpu.ts';
export type { WgslProgram } from '../codegen/wgsl/index.ts';
export * from '../errors.ts';
export { VERSION } from '../version.ts';
