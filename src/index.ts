// opgraph's public API.
export * from './api/index.ts';
export type { Graph, Node, Value, ValueId, Input, Weight, Output } from './ir/graph.ts';
export { type DType, type Shape, type TensorType, numel, formatType } from './ir/types.ts';
export { type Tensor, tensor, f32 } from './ir/tensor.ts';
export { printGraph } from './ir/print.ts';
export { verifyGraph } from './ir/verify.ts';
export { interpret, type InterpretOptions } from './runtime/interpreter.ts';
export { compile, compileWgsl, cpuTarget, type CompileOptions, type CompiledModel, type CpuTarget, type GpuCompiledModel } from './compile.ts';
/** The wasm backend's generator (binaries, layout, loader source), for tools that write modules themselves. */
export { generateWasm, type WasmOptions, type WasmProgram } from './codegen/wasm/index.ts';
/** Check mode on the wasm backend: every node's outputs against the interpreter's. */
export { checkWasm } from './runtime/wasm-check.ts';
export type { CheckReport, CheckSite, CheckOptions } from './runtime/check.ts';
export * from './train/index.ts';
/** Incremental decoding: compileDecoder (prefill, step, generate) over a KV cache in the runtime's memory. */
export * from './decode/index.ts';
export { gradientGraph, type GradientOptions } from './autodiff/index.ts';
export { compareTensors, type Comparison } from './runtime/compare.ts';
export { parseSafetensors, serializeSafetensors } from './io/safetensors.ts';
export { readSafetensors, writeSafetensors } from './io/safetensors-file.ts';
/**
 * ONNX import: `loadOnnx(path | bytes, { shapes, dims, constants })` reads an .onnx file (Node)
 * or bytes, `importOnnx(bytes)` decodes one in memory; `onnxSupport` lists what a model needs
 * that the importer lacks.
 */
export { loadOnnx, importOnnx, type OnnxImportOptions } from './io/onnx/import.ts';
/** Sequence and optional inputs and outputs: their values, layouts (the `layouts` option), and the tensors they flatten into. */
export { type OnnxValue, type ValueLayout, flattenOnnxValue, layoutOf } from './io/onnx/structured.ts';
/** Free input sizes: the error listing each unknown one, and the value type of `constants`. */
export { UnknownDimError, type UnknownDim, type ConstantValue } from './io/onnx/inputs.ts';
/** Everything a model needs that the importer lacks (`print --check-support`), and the error listing it. */
export { onnxSupport, type SupportReport } from './io/onnx/check.ts';
export { UnsupportedModelError, type MissingFeature } from './io/onnx/support.ts';
export { type OnnxLimits, DEFAULT_ONNX_LIMITS } from './io/onnx/limits.ts';
export { toDot, type DotOptions } from './viz/dot.ts';
/** Profiles (time per kernel, measured against whole runs) and their plots; the memory plan as a plot. */
export { profileRun, kernelCategory, type Profile, type ProfileOptions, type ProfileBackend, type KernelTime, type KernelCategory } from './runtime/profile.ts';
export { profilePlotSvg, profileTable } from './viz/profile-plot.ts';
export { memoryPlotSvg, memoryPeak, type MemoryPeak } from './viz/memory-plot.ts';
export { planMemory, type MemoryPlan } from './codegen/plan.ts';
export { renderDot } from './viz/render.ts';
export * from './errors.ts';
/** The session API: `load(bytesOrPath, { target, shapes, dims, weights })`, then `run` and `dispose`. */
export { load, type Session, type SessionOptions, type SessionTarget, type TensorInfo, type Feed } from './session.ts';
export { VERSION } from './version.ts';
